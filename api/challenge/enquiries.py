"""A session's lines of enquiry: the panel drafts questions before the day, the chair
publishes them to the agency, and the agency answers in writing.

Each function takes the session's event and the acting principal, applies the rules of
`api/challenge/rules.py`, writes and audits in the caller's transaction, and never commits.
Who may draft, see drafts and answer is the routes' question, through `api/permissions.py`;
only the chair publishes, as only the chair closes a session.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from api.challenge import ratings, rules
from api.challenge.enquiry_schemas import EnquiryRead
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import ChallengeEvent, ChallengeSession, EnquiryStandard, LineOfEnquiry
from api.models.base import utcnow
from api.permissions import is_chair
from api.problems import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from api.security import Principal

ENTITY = "line_of_enquiry"


def _standards(db: Session, enquiry_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in enquiry_ids}
    for enquiry_id, standard_id in db.exec(
        select(EnquiryStandard.enquiry_id, EnquiryStandard.standard_id)
        .where(col(EnquiryStandard.enquiry_id).in_(enquiry_ids))
        .order_by(col(EnquiryStandard.standard_id))
    ):
        found[enquiry_id].append(standard_id)
    return found


def _read(row: LineOfEnquiry, standard_ids: list[int]) -> EnquiryRead:
    assert row.id is not None
    return EnquiryRead(
        id=row.id, session_id=row.session_id, question=row.question, standard_ids=standard_ids,
        author_label=row.author_label, status=rules.enquiry_status(row.published_at is not None),
        published_at=row.published_at, answer=row.answer, answer_version=row.answer_version,
        answered_at=row.answered_at, answered_by_label=row.answered_by_label,
        version=row.version,
    )  # fmt: skip


def read(db: Session, row: LineOfEnquiry) -> EnquiryRead:
    assert row.id is not None
    return _read(row, _standards(db, [row.id])[row.id])


def list_in(db: Session, *, target: ChallengeSession, drafts: bool) -> list[EnquiryRead]:
    """The session's lines of enquiry in the order they were drafted; drafts only if asked."""
    assert target.id is not None
    return of_sessions(db, [target.id], drafts=drafts).get(target.id, [])


def of_sessions(
    db: Session, session_ids: list[int], *, drafts: bool
) -> dict[int, list[EnquiryRead]]:
    """Each session's lines of enquiry, in the order drafted; drafts only if asked. Two
    statements however many sessions."""
    query = select(LineOfEnquiry).where(col(LineOfEnquiry.session_id).in_(session_ids))
    if not drafts:
        query = query.where(col(LineOfEnquiry.published_at).is_not(None))
    rows = db.exec(query.order_by(col(LineOfEnquiry.id))).all()
    standards = _standards(db, [r.id for r in rows if r.id is not None])
    found: dict[int, list[EnquiryRead]] = {}
    for r in rows:
        found.setdefault(r.session_id, []).append(_read(r, standards[r.id or 0]))
    return found


def get_in(
    db: Session, *, target: ChallengeSession, enquiry_id: int, drafts: bool
) -> LineOfEnquiry:
    """One of the session's lines of enquiry; a draft is not found by those who may not
    see drafts."""
    row = db.get(LineOfEnquiry, enquiry_id)
    if row is None or row.session_id != target.id or (row.published_at is None and not drafts):
        raise NotFound("No such line of enquiry in this session.")
    return row


def _state(db: Session, row: LineOfEnquiry) -> dict[str, Any]:
    return read(db, row).model_dump(mode="json")


def _check_standards(db: Session, event: ChallengeEvent, standard_ids: list[int]) -> None:
    unknown = sorted(set(standard_ids) - {s.id for s in ratings.standards(db, event.programme_id)})
    if unknown:
        ids = ", ".join(str(i) for i in unknown)
        raise Invalid({"standard_ids": f"not standards of this event's framework: {ids}"})


def _set_standards(db: Session, enquiry_id: int, standard_ids: list[int]) -> None:
    db.exec(delete(EnquiryStandard).where(col(EnquiryStandard.enquiry_id) == enquiry_id))  # type: ignore[call-overload]
    db.add_all(EnquiryStandard(enquiry_id=enquiry_id, standard_id=s) for s in standard_ids)
    db.flush()


def _check(
    rule: Callable[..., None], event: ChallengeEvent, target: ChallengeSession, published: bool
) -> None:
    """Apply one of the rules' checks; a refusal is a conflict with the record's state."""
    try:
        rule(published=published, event_status=event.status, session_status=target.status)
    except rules.EnquiryRefused as refused:
        raise Conflict(str(refused)) from None


def _check_draftable(event: ChallengeEvent, target: ChallengeSession, published: bool) -> None:
    _check(rules.check_may_draft, event, target, published)


def draft(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    question: str,
    standard_ids: list[int],
) -> LineOfEnquiry:
    """A panel member's draft question to the session's agency, about some standards."""
    _check_draftable(event, target, published=False)
    _check_standards(db, event, standard_ids)
    assert target.id is not None
    row = LineOfEnquiry(session_id=target.id, question=question,
                        author_user_id=principal.user_id, author_label=principal.label)  # fmt: skip
    db.add(row)
    db.flush()
    assert row.id is not None
    _set_standards(db, row.id, standard_ids)
    emit(
        db, Event.line_of_enquiry_draft, principal=principal,  entity_type=ENTITY,
        entity_id=row.id, partnership_id=partnership_id, after=_state(db, row),
    )  # fmt: skip
    return row


def change(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    row: LineOfEnquiry,
    question: str | None,
    standard_ids: list[int] | None,
) -> None:
    """Change a draft's question or standards (the caller has checked If-Match)."""
    _check_draftable(event, target, published=row.published_at is not None)
    if standard_ids is not None:
        _check_standards(db, event, standard_ids)
    assert row.id is not None
    before = _state(db, row)
    if question is not None:
        row.question = question
    if standard_ids is not None:
        _set_standards(db, row.id, standard_ids)
    bump_version(db, row)
    db.add(row)
    db.flush()
    emit(
        db, Event.line_of_enquiry_change, principal=principal,  entity_type=ENTITY,
        entity_id=row.id, partnership_id=partnership_id, before=before, after=_state(db, row),
    )  # fmt: skip


def remove(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    row: LineOfEnquiry,
) -> None:
    """Delete a draft (the caller has checked If-Match)."""
    _check_draftable(event, target, published=row.published_at is not None)
    assert row.id is not None
    before = _state(db, row)
    _set_standards(db, row.id, [])
    db.delete(row)
    db.flush()
    emit(
        db, Event.line_of_enquiry_delete, principal=principal,  entity_type=ENTITY,
        entity_id=row.id, partnership_id=partnership_id, before=before,
    )  # fmt: skip


def publish(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    row: LineOfEnquiry,
) -> None:
    """The chair publishes a draft to the agency (the caller has checked If-Match)."""
    _check_chair(principal, event)
    _check(rules.check_may_publish, event, target, row.published_at is not None)
    _publish(db, principal, partnership_id, row)


def _check_chair(principal: Principal, event: ChallengeEvent) -> None:
    if not is_chair(principal, event.chair_user_id):
        raise Forbidden("Only the event's chair publishes lines of enquiry to the agency.")


def _publish(db: Session, principal: Principal, partnership_id: int, row: LineOfEnquiry) -> None:
    before = _state(db, row)
    row.published_at = utcnow()
    bump_version(db, row)
    db.add(row)
    db.flush()
    emit(
        db, Event.line_of_enquiry_publish, principal=principal,  entity_type=ENTITY,
        entity_id=row.id, partnership_id=partnership_id, before=before, after=_state(db, row),
    )  # fmt: skip


def publish_many(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    versions: list[tuple[int, int]],
) -> None:
    """The chair publishes several drafts at once, each at the version read (id, version):
    all or none. A stale one is refused (412) with the enquiries as they now stand."""
    _check_chair(principal, event)
    _check(rules.check_may_publish, event, target, False)
    ids = [i for i, _ in versions]
    rows = {
        r.id: r
        for r in db.exec(
            select(LineOfEnquiry).where(
                col(LineOfEnquiry.id).in_(ids), LineOfEnquiry.session_id == target.id
            )
        )
    }
    problems: dict[str, str] = {}
    for i, enquiry_id in enumerate(ids):
        if enquiry_id not in rows:
            problems[f"enquiries.{i}.id"] = "is not a line of enquiry of this session"
        elif enquiry_id in ids[:i]:
            problems[f"enquiries.{i}.id"] = "is named twice in this request"
    if problems:
        raise Invalid(problems, detail=f"{len(problems)} problems; nothing was published.")
    published = sorted(i for i in ids if rows[i].published_at is not None)
    if published:
        named = ", ".join(str(i) for i in published)
        raise Conflict(f"Already published: {named}. Nothing was published.")
    stale = [rows[i] for i, version in versions if rows[i].version != version]
    if stale:
        raise PreconditionFailed(
            f"{len(stale)} drafts were changed since you read them; nothing was published. "
            "They are in `current`.",
            current={"enquiries": [_state(db, r) for r in stale]},
        )
    for enquiry_id in ids:
        _publish(db, principal, partnership_id, rows[enquiry_id])


def _answer_state(row: LineOfEnquiry) -> dict[str, Any]:
    return {"answer": row.answer, "answer_version": row.answer_version,
            "answered_by_label": row.answered_by_label}  # fmt: skip


def answer(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    row: LineOfEnquiry,
    text: str,
    expected_version: int,
) -> None:
    """The agency's written answer to a published enquiry, against the answer's version
    read (0 for a first answer); a stale one is refused with the answer as it stands."""
    _check(rules.check_may_answer, event, target, row.published_at is not None)
    refused = "Someone answered this enquiry since you read it."
    if row.answer_version != expected_version:
        raise PreconditionFailed(refused, current=_answer_state(row))
    if text == row.answer:  # saved again as it stands (the field left): no new version
        return
    before = _answer_state(row)
    now = utcnow()
    claimed = db.execute(
        update(LineOfEnquiry)
        .where(col(LineOfEnquiry.id) == row.id)
        .where(col(LineOfEnquiry.answer_version) == expected_version)
        .values(answer=text, answer_version=expected_version + 1, answered_at=now,
                answered_by_label=principal.label, updated_at=now)
    )  # fmt: skip
    db.refresh(row)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed(refused, current=_answer_state(row))
    emit(
        db, Event.line_of_enquiry_answer, principal=principal,  entity_type=ENTITY,
        entity_id=row.id, partnership_id=partnership_id, before=before,
        after=_answer_state(row),
    )  # fmt: skip
