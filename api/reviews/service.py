"""Reviewing a submitted return: returning it for more information, moderating, accepting.

The partnership's ratings are kept beside the agency's, never over them; every step is
recorded in the return's history and the audit log, in the caller's transaction.
"""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.db import save_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    ModeratedRating,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.models.base import utcnow
from api.problems import Invalid, NotFound
from api.returns import rules as return_rules
from api.returns import service as returns
from api.reviews import rules
from api.reviews.schemas import ModeratedRatingRead, ModerationWrite, SendBackIn
from api.security import Principal


def send_back(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: returns.Found,
    data: SendBackIn,
) -> list[ReviewNote]:
    """Return the latest submission to the agency, with the reasons, by requirement."""
    ret = found.ret
    assert ret.id is not None
    return_rules.next_status(ret.status, return_rules.Move.send_back)  # only a submitted one
    rules.check_send_back(programme_open=found.programme_open)
    requirement_ids = [r.requirement_id for r in data.requirements]
    problems = rules.send_back_problems(data.reason, requirement_ids)
    unknown = set(returns.not_in_return(session, ret=ret, requirement_ids=requirement_ids))
    for i, requirement_id in enumerate(requirement_ids):
        if requirement_id in unknown:
            problems.setdefault(
                f"requirements.{i}.requirement_id", "is not a requirement of this return"
            )
    if problems:
        raise Invalid(problems)
    number = session.exec(
        select(func.max(ReturnVersion.number)).where(ReturnVersion.return_id == ret.id)
    ).one()
    assert number is not None  # a submitted return has a version
    written: list[tuple[int | None, str]] = [(None, data.reason)] if data.reason else []
    written += [(r.requirement_id, r.note) for r in data.requirements]
    notes = [
        ReviewNote(
            return_id=ret.id,
            version_number=number,
            requirement_id=requirement_id,
            note=note,
            author_user_id=principal.user_id,
            author_label=principal.label,
        )
        for requirement_id, note in written
    ]
    session.add_all(notes)
    reason = rules.send_back_reason(data.reason, len(data.requirements))
    returns.move(session, principal=principal, ret=ret, to=return_rules.Move.send_back,
                 reason=reason)  # fmt: skip
    emit(
        session, Event.return_send_back,
        principal=principal,
        
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        after={"version": number, "reason": data.reason,
               "requirements": [r.model_dump() for r in data.requirements]},
    )  # fmt: skip
    return notes


def accept(
    session: Session, *, principal: Principal, partnership_id: int, found: returns.Found, note: str
) -> None:
    """Accept the submitted return: its review is over. A closed programme does not stop it."""
    ret = found.ret
    assert ret.id is not None
    before = {"status": ret.status.value}
    returns.move(session, principal=principal, ret=ret, to=return_rules.Move.accept,
                 reason=note or None)  # fmt: skip
    ret.accepted_at = utcnow()
    session.add(ret)
    emit(
        session,
        Event.return_accept,
        principal=principal,
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        before=before,
        after={"status": ret.status.value, "note": note},
    )


def requirement_subject(session: Session, *, found: returns.Found, requirement_id: int) -> None:
    """Refuse a requirement the return's framework version does not have (404)."""
    if returns.not_in_return(session, ret=found.ret, requirement_ids=[requirement_id]):
        raise NotFound("No such requirement in this return's framework.")


def standard_subject(session: Session, *, found: returns.Found, standard_id: int) -> None:
    """Refuse a standard the return's framework version does not have (404)."""
    there = session.exec(
        select(Standard.id).where(
            Standard.id == standard_id,
            Standard.framework_version_id == found.framework_version_id,
        )
    ).first()
    if there is None:
        raise NotFound("No such standard in this return's framework.")


def _state(row: ModeratedRating | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return ModeratedRatingRead.model_validate(row, from_attributes=True).model_dump(mode="json")


def moderate(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: returns.Found,
    subject: dict[str, int],
    data: ModerationWrite,
    expected_version: int,
) -> ModeratedRatingRead:
    """Give or change the partnership's rating of one requirement or standard.

    `subject` is `{"requirement_id": …}` or `{"standard_id": …}`, already checked to be in
    the return's framework. A rating made against an older one is refused with the newer.
    """
    ret = found.ret
    assert ret.id is not None
    rules.check_moderate(ret.status)
    codes = returns.rating_codes(session, found.framework_version_id)
    if data.rating not in codes:
        raise Invalid({"rating": f"must be one of {', '.join(codes)}"})
    existing = session.exec(select(ModeratedRating).filter_by(return_id=ret.id, **subject)).first()
    before = _state(existing)
    saved = save_version(
        session,
        ModeratedRating,
        key={"return_id": ret.id, **subject},
        existing=existing,
        expected_version=expected_version,
        values={
            "rating": data.rating,
            "note": data.note,
            "at": utcnow(),
            "moderated_by_id": principal.user_id,
            "moderated_by_label": principal.label,
        },
        refused="Someone else moderated this after you opened it. Their rating is shown; "
        "save yours again to replace it.",
        current=_state,
    )
    emit(
        session,
        Event.return_moderate,
        principal=principal,
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        before=before,
        after=_state(saved),
    )
    return ModeratedRatingRead.model_validate(saved, from_attributes=True)
