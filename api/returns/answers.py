"""Answering a return: one answer as the person goes, every answer in one request, or a
start from the agency's last accepted return of the same framework."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.db import save_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    Attachment,
    FrameworkVersion,
    Programme,
    Requirement,
    RequirementResponse,
    Return,
    ReturnStatus,
    Standard,
)
from api.models.base import utcnow
from api.problems import Conflict, FieldProblem, Invalid, NotFound, PreconditionFailed
from api.returns import rules
from api.returns.schemas import (
    BulkAnswer,
    CarriedForward,
    CarrySource,
    ResponseRead,
    ResponseSaved,
    ResponseWrite,
)
from api.returns.service import Found, move, not_in_return, rating_codes
from api.security import Principal


def check_answerable(found: Found) -> None:
    if not found.programme_open:
        raise Conflict("The programme is closed: its returns can no longer change.")
    rules.check_editable(found.ret.status)


def _existing(
    session: Session, return_id: int, requirement_ids: list[int]
) -> dict[int, RequirementResponse]:
    return {
        r.requirement_id: r
        for r in session.exec(
            select(RequirementResponse).where(
                RequirementResponse.return_id == return_id,
                col(RequirementResponse.requirement_id).in_(requirement_ids),
            )
        )
    }


def state(response: RequirementResponse | None) -> dict[str, Any] | None:
    """An answer as the API shows it, for the audit log and for a refused save's `current`."""
    if response is None:
        return None
    return ResponseRead.model_validate(response, from_attributes=True).model_dump(mode="json")


def _write(
    session: Session,
    *,
    return_id: int,
    requirement_id: int,
    existing: RequirementResponse | None,
    expected_version: int,
    values: dict[str, Any],
) -> RequirementResponse:
    """Insert or update one answer, unless another save got there first (412 with it)."""
    return save_version(
        session,
        RequirementResponse,
        key={"return_id": return_id, "requirement_id": requirement_id},
        existing=existing,
        expected_version=expected_version,
        values=values,
        refused="Someone else saved this answer after you opened it. Their answer is shown; "
        "copy what you need from yours, then save again.",
        current=state,
    )


def _start(session: Session, principal: Principal, ret: Return) -> None:
    """The first answer (or file) starts a return.

    First answers to different requirements saved at the same moment take turns on the
    return's row, so the later one finds the return started instead of failing as stale.
    Called before the answers are written: their rows refer to the return, and locking it
    after them would deadlock two first saves on PostgreSQL.
    """
    if ret.status == ReturnStatus.not_started:
        session.refresh(ret, with_for_update=True)
        if ret.status == ReturnStatus.not_started:
            move(session, principal=principal, ret=ret, to=rules.Move.start)


def _values(data: ResponseWrite, principal: Principal) -> dict[str, Any]:
    return {
        **data.model_dump(include={"rating", "evidence", "comment"}),
        "carried_forward": False,
        "updated_at": utcnow(),
        "updated_by_id": principal.user_id,
    }


def save_response(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: Found,
    requirement_id: int,
    data: ResponseWrite,
    expected_version: int,
) -> ResponseSaved:
    """Save one answer, unless someone saved a newer one since this one was read.

    The first answer starts the return. A refused save says what the answer now is, so
    that nothing either person wrote is lost.
    """
    ret = found.ret
    assert ret.id is not None
    check_answerable(found)
    if not_in_return(session, ret=ret, requirement_ids=[requirement_id]):
        raise NotFound("No such requirement in this return's framework.")
    if data.rating is not None:
        codes = rating_codes(session, found.framework_version_id)
        if data.rating not in codes:
            raise Invalid({"rating": f"must be one of {', '.join(codes)}"})
    _start(session, principal, ret)
    existing = _existing(session, ret.id, [requirement_id]).get(requirement_id)
    before = state(existing)
    saved = _write(
        session, return_id=ret.id, requirement_id=requirement_id, existing=existing,
        expected_version=expected_version, values=_values(data, principal),
    )  # fmt: skip
    emit(
        session, Event.response_save, principal=principal,  entity_type="return",
        entity_id=ret.id, partnership_id=partnership_id, before=before, after=state(saved),
    )  # fmt: skip
    return ResponseSaved(
        **ResponseRead.model_validate(saved, from_attributes=True).model_dump(),
        return_status=ret.status,
    )


def save_responses(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: Found,
    answers: list[BulkAnswer],
) -> list[ResponseSaved]:
    """Save many answers at once, all or none, under the same rules as one.

    Every problem with the request is listed at once, named by requirement as submission
    names them (`responses.{requirement_id}.rating`); answers saved by someone else since
    they were read are refused together, with their current state.
    """
    ret = found.ret
    assert ret.id is not None
    check_answerable(found)
    ids = [a.requirement_id for a in answers]
    unknown = set(not_in_return(session, ret=ret, requirement_ids=ids))
    codes = rating_codes(session, found.framework_version_id)
    problems: list[FieldProblem] = []
    seen: set[int] = set()
    for a in answers:
        at = f"responses.{a.requirement_id}"
        if a.requirement_id in seen:
            problems.append(FieldProblem(field=f"{at}.requirement_id", type="duplicate",
                                         message="is answered twice in this request"))  # fmt: skip
        seen.add(a.requirement_id)
        if a.requirement_id in unknown:
            problems.append(FieldProblem(field=f"{at}.requirement_id", type="unknown",
                                         message="is not in this return's framework"))  # fmt: skip
        if a.rating is not None and a.rating not in codes:
            problems.append(FieldProblem(field=f"{at}.rating", type="invalid",
                                         message=f"must be one of {', '.join(codes)}"))  # fmt: skip
    if problems:
        raise Invalid(problems, detail=f"{len(problems)} problems; nothing was saved.")
    _start(session, principal, ret)
    existing = _existing(session, ret.id, ids)
    stale = [
        a for a in answers
        if (existing[a.requirement_id].version if a.requirement_id in existing else 0) != a.version
    ]  # fmt: skip
    if stale:
        raise PreconditionFailed(
            f"{len(stale)} answers were saved by someone else since you read them; nothing "
            "was saved. Their answers are in `current`.",
            current={"responses": [state(existing.get(a.requirement_id)) for a in stale]},
        )
    try:
        saved = [
            _write(
                session,
                return_id=ret.id,
                requirement_id=a.requirement_id,
                existing=existing.get(a.requirement_id),
                expected_version=a.version,
                values=_values(a, principal),
            )
            for a in answers
        ]
    except PreconditionFailed as lost:  # a save of one of them won the race meanwhile
        raise PreconditionFailed(
            "An answer was saved by someone else at the same moment; nothing was saved. "
            "Their answer is in `current`.",
            current={"responses": [lost.current]},
        ) from None
    emit(
        session, Event.responses_save, principal=principal,  entity_type="return",
        entity_id=ret.id, partnership_id=partnership_id,
        after={"requirement_ids": ids},
    )  # fmt: skip
    return [
        ResponseSaved(
            **ResponseRead.model_validate(r, from_attributes=True).model_dump(),
            return_status=ret.status,
        )
        for r in saved
    ]


def carry_source(session: Session, *, ret: Return) -> CarrySource | None:
    """The agency's most recently accepted return of the same framework, in this partnership."""
    this = (
        select(Programme.partnership_id, FrameworkVersion.framework_id)
        .join(FrameworkVersion, col(FrameworkVersion.id) == Programme.framework_version_id)
        .where(Programme.id == ret.programme_id)
        .subquery()
    )
    row = session.exec(
        select(Return, Programme.title)  # type: ignore[call-overload]
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(FrameworkVersion, col(FrameworkVersion.id) == Programme.framework_version_id)
        .join(
            this,
            (this.c.partnership_id == Programme.partnership_id)
            & (this.c.framework_id == FrameworkVersion.framework_id),
        )
        .where(
            Return.agency_id == ret.agency_id,
            Return.status == ReturnStatus.accepted,
            Return.id != ret.id,
        )
        .order_by(col(Return.accepted_at).desc(), col(Return.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    source, title = row
    return CarrySource(
        return_id=source.id, programme_id=source.programme_id, programme_title=title,
        accepted_at=source.accepted_at,
    )  # fmt: skip


def _codes(session: Session, framework_version_id: int) -> dict[str, int]:
    return {
        code: rid
        for rid, code in session.exec(
            select(Requirement.id, Requirement.code)
            .join(Standard, col(Standard.id) == Requirement.standard_id)
            .where(Standard.framework_version_id == framework_version_id)
        )
        if rid is not None
    }


def carry_forward(
    session: Session, *, principal: Principal, partnership_id: int, found: Found
) -> CarriedForward:
    """Start from the last accepted return: copy its answers and files into every
    requirement not yet answered, each marked "carried forward" until someone saves it.

    Requirements are matched by code, so a newer version of the framework still gets the
    answers whose requirements it kept.
    """
    ret = found.ret
    assert ret.id is not None
    check_answerable(found)
    source = carry_source(session, ret=ret)
    if source is None:
        raise Conflict(
            "Your agency has no earlier accepted return of this framework to start from."
        )
    target = _codes(session, found.framework_version_id)
    answered = set(_existing(session, ret.id, list(target.values())))
    old = session.exec(
        select(RequirementResponse, Requirement.code)
        .join(Requirement, col(Requirement.id) == RequirementResponse.requirement_id)
        .where(RequirementResponse.return_id == source.return_id)
    ).all()
    now = utcnow()
    copied: dict[int, int] = {}  # the old requirement id → the new one
    for response, code in old:
        new_id = target.get(code)
        if new_id is not None and new_id not in answered:
            copied[response.requirement_id] = new_id
    if copied:
        _start(session, principal, ret)
    for response, _ in old:
        if response.requirement_id not in copied:
            continue
        new_id = copied[response.requirement_id]
        session.add(
            RequirementResponse(
                return_id=ret.id, requirement_id=new_id, rating=response.rating,
                evidence=response.evidence, comment=response.comment, carried_forward=True,
                updated_at=now, updated_by_id=principal.user_id,
            )
        )  # fmt: skip
    files = session.exec(
        select(Attachment).where(
            Attachment.return_id == source.return_id,
            col(Attachment.requirement_id).in_(list(copied)),
        )
    ).all()
    for f in files:
        session.add(
            Attachment(
                return_id=ret.id, requirement_id=copied[f.requirement_id], sha256=f.sha256,
                filename=f.filename, media_type=f.media_type, size=f.size,
                carried_forward=True, uploaded_by_id=principal.user_id,
                uploaded_by_label=principal.label, uploaded_at=now,
            )
        )  # fmt: skip
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # someone answered one of them meanwhile
        raise PreconditionFailed(
            "Someone saved an answer while the return was being started. Try again."
        ) from None
    emit(
        session, Event.return_carry_forward, principal=principal,  entity_type="return",
        entity_id=ret.id, partnership_id=partnership_id,
        after={"from_return_id": source.return_id, "answers": len(copied), "files": len(files)},
    )  # fmt: skip
    return CarriedForward(answers=len(copied), files=len(files), source=source)
