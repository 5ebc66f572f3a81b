"""Returns: made when a programme asks an agency, read by those who may see them."""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.attachments.schemas import AttachmentRead
from api.audit import service as audit
from api.db import bump_version
from api.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionRequirement,
    Agency,
    Attachment,
    Framework,
    FrameworkVersion,
    ModeratedRating,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
    RatingLevel,
    RequirementResponse,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.models.base import utcnow
from api.models.framework import Requirement
from api.problems import Conflict, FieldProblem, Invalid, NotFound, PreconditionFailed
from api.programmes.schemas import FrameworkVersionRef
from api.returns import rules
from api.returns.schemas import (
    ResponseRead,
    ResponseSaved,
    ResponseWrite,
    ReturnRead,
    ReturnSummary,
    SignOffIn,
    StandardProgress,
)
from api.reviews.schemas import ModeratedRatingRead, ReviewNoteRead
from api.security import Principal


def make_for(session: Session, *, programme: Programme, agency_ids: list[int] | None = None) -> int:
    """Make a return for each agency the open programme asks that has none yet."""
    if programme.status != ProgrammeStatus.open:
        return 0
    asked = select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme.id)
    if agency_ids is not None:
        asked = asked.where(col(ProgrammeAgency.agency_id).in_(agency_ids))
    have = select(Return.agency_id).where(Return.programme_id == programme.id)
    missing = session.exec(asked.where(col(ProgrammeAgency.agency_id).not_in(have))).all()
    assert programme.id is not None
    session.add_all(Return(programme_id=programme.id, agency_id=a) for a in missing)
    session.flush()
    return len(missing)


@dataclass(frozen=True)
class Found:
    """A return, with what is said about it from its programme, agency and answers."""

    ret: Return
    programme_title: str
    deadline: date
    framework_version_id: int
    agency_name: str
    rated: int
    requirement_count: int
    programme_status: ProgrammeStatus

    @property
    def programme_open(self) -> bool:
        return self.programme_status == ProgrammeStatus.open


def _summary_query(partnership_id: int, agencies: frozenset[int] | None) -> Any:
    requirement_count = (
        select(Standard.framework_version_id, func.count(col(Requirement.id)).label("n"))
        .join(Requirement, col(Requirement.standard_id) == Standard.id)
        .group_by(col(Standard.framework_version_id))
        .subquery()
    )
    rated = (
        select(RequirementResponse.return_id, func.count().label("n"))
        .where(col(RequirementResponse.rating).is_not(None))
        .group_by(col(RequirementResponse.return_id))
        .subquery()
    )
    query = (
        select(  # type: ignore[call-overload]
            Return,
            Programme.title,
            Programme.deadline,
            Programme.framework_version_id,
            Agency.name,
            func.coalesce(rated.c.n, 0),
            func.coalesce(requirement_count.c.n, 0),
            Programme.status,
        )
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .outerjoin(rated, rated.c.return_id == Return.id)
        .outerjoin(
            requirement_count,
            requirement_count.c.framework_version_id == Programme.framework_version_id,
        )
        .where(Programme.partnership_id == partnership_id)
    )
    if agencies is not None:
        query = query.where(col(Return.agency_id).in_(agencies))
    return query


def _summary(found: Found) -> ReturnSummary:
    ret = found.ret
    assert ret.id is not None
    return ReturnSummary(
        id=ret.id,
        programme_id=ret.programme_id,
        programme_title=found.programme_title,
        deadline=found.deadline,
        agency_id=ret.agency_id,
        agency_name=found.agency_name,
        status=ret.status,
        submitted_at=ret.submitted_at,
        rated=found.rated,
        requirement_count=found.requirement_count,
        version=ret.version,
    )


def list_returns(
    session: Session,
    *,
    partnership_id: int,
    agencies: frozenset[int] | None,
    programme_id: int | None,
    agency_id: int | None,
    status: ReturnStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[ReturnSummary], int]:
    """The returns the viewer may see, by deadline then agency, in two statements."""
    query = _summary_query(partnership_id, agencies)
    if programme_id is not None:
        query = query.where(Return.programme_id == programme_id)
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    if status is not None:
        query = query.where(Return.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Programme.deadline).desc(), col(Agency.name), col(Return.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [_summary(Found(*r)) for r in rows], total


def get(
    session: Session, *, partnership_id: int, return_id: int, agencies: frozenset[int] | None
) -> Found:
    row = session.exec(
        _summary_query(partnership_id, agencies).where(Return.id == return_id)
    ).first()
    if row is None:
        raise NotFound("No such return, or it is not yours to see.")
    return Found(*row)


def read(
    session: Session, *, found: Found, may_answer: bool, may_sign_off: bool, may_review: bool
) -> ReturnRead:
    """The whole return: its answers, files, progress by standard, and the review so far."""
    ret, version_id = found.ret, found.framework_version_id
    assert ret.id is not None
    responses = session.exec(
        select(RequirementResponse).where(RequirementResponse.return_id == ret.id)
    ).all()
    rated_ids = {r.requirement_id for r in responses if r.rating is not None}
    requirements = session.exec(
        select(Standard, Requirement.id)
        .join(Requirement, col(Requirement.standard_id) == Standard.id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    progress: dict[int, StandardProgress] = {}
    for standard, requirement_id in requirements:
        assert standard.id is not None
        entry = progress.setdefault(
            standard.id,
            StandardProgress(
                standard_id=standard.id,
                code=standard.code,
                title=standard.title,
                rated=0,
                requirement_count=0,
            ),
        )
        entry.requirement_count += 1
        entry.rated += requirement_id in rated_ids
    version, key = session.exec(
        select(FrameworkVersion, Framework.key)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
        .where(FrameworkVersion.id == version_id)
    ).one()
    assert version.id is not None
    return ReturnRead(
        **_summary(found).model_dump(),
        framework_version=FrameworkVersionRef(
            id=version.id,
            framework_id=version.framework_id,
            framework_key=key,
            number=version.number,
            name=version.name,
        ),
        started_at=ret.started_at,
        accepted_at=ret.accepted_at,
        editable=found.programme_open and ret.status in rules.EDITABLE,
        may_answer=may_answer,
        may_sign_off=may_sign_off,
        may_review=may_review,
        declaration=rules.DECLARATION,
        progress=list(progress.values()),
        responses=[ResponseRead.model_validate(r, from_attributes=True) for r in responses],
        attachments=_all(session, Attachment, AttachmentRead, ret.id, Attachment.id),
        review_notes=_all(
            session,
            ReviewNote,
            ReviewNoteRead,
            ret.id,
            col(ReviewNote.version_number).desc(),
            ReviewNote.id,
        ),  # fmt: skip
        moderation=_all(session, ModeratedRating, ModeratedRatingRead, ret.id, ModeratedRating.id),
    )


def _all(session: Session, table: Any, schema: Any, return_id: int, *order: Any) -> list[Any]:
    """Every row of `table` for one return, as `schema`, in `order`."""
    rows = session.exec(select(table).where(table.return_id == return_id).order_by(*order))
    return [schema.model_validate(row, from_attributes=True) for row in rows]


def not_in_return(session: Session, *, ret: Return, requirement_ids: list[int]) -> list[int]:
    """Those of `requirement_ids` that the return's framework version does not have."""
    in_version = select(Programme.framework_version_id).where(Programme.id == ret.programme_id)
    found = set(
        session.exec(
            select(Requirement.id)
            .join(Standard, col(Standard.id) == Requirement.standard_id)
            .where(
                col(Standard.framework_version_id).in_(in_version),
                col(Requirement.id).in_(requirement_ids),
            )
        ).all()
    )
    return [r for r in requirement_ids if r not in found]


def _response_state(response: RequirementResponse | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return ResponseRead.model_validate(response, from_attributes=True).model_dump(mode="json")


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
    ret, version_id = found.ret, found.framework_version_id
    assert ret.id is not None
    if not found.programme_open:
        raise Conflict("The programme is closed: its returns can no longer change.")
    rules.check_editable(ret.status)
    if not_in_return(session, ret=ret, requirement_ids=[requirement_id]):
        raise NotFound("No such requirement in this return's framework.")
    if data.rating is not None:
        codes = session.exec(
            select(RatingLevel.code)
            .join(
                FrameworkVersion,
                col(FrameworkVersion.rating_scale_id) == RatingLevel.rating_scale_id,
            )
            .where(FrameworkVersion.id == version_id)
            .order_by(col(RatingLevel.position))
        ).all()
        if data.rating not in codes:
            raise Invalid({"rating": f"must be one of {', '.join(codes)}"})
    existing = session.exec(
        select(RequirementResponse).where(
            RequirementResponse.return_id == ret.id,
            RequirementResponse.requirement_id == requirement_id,
        )
    ).first()
    if (existing.version if existing else 0) != expected_version:
        raise PreconditionFailed(
            "Someone else saved this answer after you opened it. Their answer is shown; "
            "copy what you need from yours, then save again.",
            current=_response_state(existing),
        )
    before = _response_state(existing)
    now = utcnow()
    values = {**data.model_dump(), "carried_forward": False, "updated_at": now,
              "updated_by_id": principal.user_id}  # fmt: skip
    if existing is None:
        existing = RequirementResponse(return_id=ret.id, requirement_id=requirement_id, **values)
        try:
            with session.begin_nested():
                session.add(existing)
        except IntegrityError:  # another editor's first answer won the race
            raise PreconditionFailed(
                "Someone else saved this answer at the same moment. Reload to see it."
            ) from None
    else:
        claimed = session.execute(
            update(RequirementResponse)
            .where(
                col(RequirementResponse.id) == existing.id,
                col(RequirementResponse.version) == expected_version,
            )
            .values(version=expected_version + 1, **values)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise PreconditionFailed("Someone else saved this answer at the same moment.")
        session.refresh(existing)
    if ret.status == ReturnStatus.not_started:
        move(session, principal=principal, ret=ret, to=rules.Move.start)
    audit.record(
        session,
        principal=principal,
        action="response.save",
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        before=before,
        after=_response_state(existing),
    )
    return ResponseSaved(
        **ResponseRead.model_validate(existing, from_attributes=True).model_dump(),
        return_status=ret.status,
    )


def move(
    session: Session,
    *,
    principal: Principal,
    ret: Return,
    to: rules.Move,
    reason: str | None = None,
) -> None:
    """Move a return on in its life, and record who moved it, when and why."""
    target = rules.next_status(ret.status, to)
    assert ret.id is not None
    session.add(
        ReturnEvent(
            return_id=ret.id,
            from_status=ret.status,
            to_status=target,
            actor_user_id=principal.user_id,
            actor_label=principal.label,
            reason=reason,
        )
    )
    if to == rules.Move.start:
        ret.started_at = utcnow()
    ret.status = target
    bump_version(session, ret)
    session.add(ret)


def submit(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: Found,
    sign_off: SignOffIn,
) -> ReturnVersion:
    """Submit the return as a new, frozen version, if it meets every rule; else list them all."""
    ret, version_id = found.ret, found.framework_version_id
    assert ret.id is not None
    if not found.programme_open:
        raise Conflict("The programme is closed: returns can no longer be submitted.")
    rules.next_status(ret.status, rules.Move.submit)  # refuses submitting twice
    requirements = session.exec(
        select(Requirement.id, Requirement.code)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    responses = {
        r.requirement_id: r
        for r in session.exec(
            select(RequirementResponse).where(RequirementResponse.return_id == ret.id)
        )
    }
    levels = {
        level.code: rules.Level(level.code, level.label, level.needs_action, level.needs_reason)
        for level in session.exec(
            select(RatingLevel)
            .join(
                FrameworkVersion,
                col(FrameworkVersion.rating_scale_id) == RatingLevel.rating_scale_id,
            )
            .where(FrameworkVersion.id == version_id)
        )
    }
    actions = session.exec(
        select(Action).where(
            Action.agency_id == ret.agency_id,
            col(Action.status).in_(OPEN_ACTION_STATUSES),
            col(Action.id).in_(select(ActionRequirement.action_id)),
        )
    ).all()
    links = session.exec(
        select(ActionRequirement.action_id, ActionRequirement.requirement_id).where(
            col(ActionRequirement.action_id).in_([a.id for a in actions])
        )
    ).all()
    files = session.exec(
        select(Attachment).where(Attachment.return_id == ret.id).order_by(col(Attachment.id))
    ).all()
    with_files = {f.requirement_id for f in files}
    open_actions: dict[int, int] = defaultdict(int)
    for _, requirement_id in links:
        open_actions[requirement_id] += 1
    answers = [
        rules.Answer(
            requirement_id=rid,
            code=code,
            rating=responses[rid].rating if rid in responses else None,
            evidence=responses[rid].evidence if rid in responses else "",
            has_attachments=rid in with_files,
            comment=responses[rid].comment if rid in responses else "",
            open_actions=open_actions[rid],
        )
        for rid, code in requirements
        if rid is not None
    ]
    unmet = rules.submission_problems(
        answers, levels, rules.SignOff(sign_off.name, sign_off.role, sign_off.declaration)
    )
    if unmet:
        raise Invalid(
            [FieldProblem(field=u.field, message=u.message, type="unmet") for u in unmet],
            detail=f"{len(unmet)} things to do before this return can be submitted.",
        )
    snapshot = {
        "return_id": ret.id,
        "programme_id": ret.programme_id,
        "agency_id": ret.agency_id,
        "framework_version_id": version_id,
        "responses": [
            {"requirement_id": a.requirement_id, "code": a.code, "rating": a.rating,
             "evidence": a.evidence, "comment": a.comment}
            for a in answers
        ],
        "attachments": [
            {"id": f.id, "requirement_id": f.requirement_id, "filename": f.filename,
             "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in files
        ],
        "actions": sorted(
            ({"id": a.id, "description": a.description, "owner": a.owner,
              "due_on": a.due_on.isoformat(), "status": a.status.value} for a in actions),
            key=lambda a: a["id"] or 0,
        ),
        "sign_off": {"name": sign_off.name, "role": sign_off.role,
                     "declaration": rules.DECLARATION},
    }  # fmt: skip
    number = session.exec(select(func.count()).where(ReturnVersion.return_id == ret.id)).one() + 1
    frozen = ReturnVersion(
        return_id=ret.id,
        number=number,
        snapshot=snapshot,
        content_sha256=hashlib.sha256(
            json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest(),
        signed_off_name=sign_off.name,
        signed_off_role=sign_off.role,
        signed_off_by_id=principal.user_id,
    )
    session.add(frozen)
    ret.submitted_at = frozen.submitted_at
    move(session, principal=principal, ret=ret, to=rules.Move.submit, reason=f"version {number}")
    audit.record(
        session,
        principal=principal,
        action="return.submit",
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        after={"version": number, "content_sha256": frozen.content_sha256},
    )
    return frozen
