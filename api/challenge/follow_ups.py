"""A challenge session's follow-ups, tracked to done as actions are: listed by whoever may
see the session, changed and noted by those who run events and by the agency's own staff.

The rules are the actions' (`api/actions/rules.py`: overdue, evidence before done) and the
event's (`api/challenge/rules.py`: due on or after the day). Each function writes and
audits in the caller's transaction and never commits; who may call it is the routes'
question, through `api/permissions.py`.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.actions import rules as action_rules
from api.actions.schemas import ProgressRead
from api.actions.service import today
from api.audit import service as audit
from api.challenge import rules
from api.challenge.follow_up_schemas import FollowUpChange
from api.challenge.schemas import FollowUpRead
from api.challenge.service import session_visible
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    ActionStatus,
    Agency,
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    FollowUpUpdate,
)
from api.permissions import EventView
from api.problems import Invalid, NotFound
from api.security import Principal


@dataclass(frozen=True)
class Found:
    """A follow-up with what its reader needs of its session and event."""

    follow_up: FollowUp
    event_id: int
    agency_id: int
    agency_name: str
    held_on: date


def to_read(found: Found, on: date) -> FollowUpRead:
    f = found.follow_up
    assert f.id is not None
    return FollowUpRead(
        id=f.id, event_id=found.event_id, session_id=f.session_id, agency_id=found.agency_id,
        agency_name=found.agency_name, description=f.description, owner=f.owner,
        due_on=f.due_on, to_executive=f.to_executive, status=f.status,
        overdue=action_rules.is_overdue(f.status, f.due_on, on),
        completion_evidence=f.completion_evidence, version=f.version,
        created_at=f.created_at, updated_at=f.updated_at,
    )  # fmt: skip


def _query(partnership_id: int, view: EventView) -> Any:
    return (
        select(FollowUp, ChallengeSession.event_id, ChallengeSession.agency_id, Agency.name,
               ChallengeEvent.held_on)  # type: ignore[call-overload]
        .join(ChallengeSession, col(ChallengeSession.id) == FollowUp.session_id)
        .join(ChallengeEvent, col(ChallengeEvent.id) == ChallengeSession.event_id)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(ChallengeEvent.partnership_id == partnership_id, session_visible(view))
    )  # fmt: skip


def list_follow_ups(
    db: Session,
    *,
    partnership_id: int,
    view: EventView,
    programme_id: int | None,
    event_id: int | None,
    agency_id: int | None,
    status: ActionStatus | None,
    still_open: bool | None,
    overdue: bool | None,
    to_executive: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[FollowUpRead], int]:
    """The follow-ups of the sessions the viewer may see, by due date, in two statements."""
    query = _query(partnership_id, view)
    if programme_id is not None:
        query = query.where(ChallengeEvent.programme_id == programme_id)
    if event_id is not None:
        query = query.where(ChallengeSession.event_id == event_id)
    if agency_id is not None:
        query = query.where(ChallengeSession.agency_id == agency_id)
    if status is not None:
        query = query.where(FollowUp.status == status)
    if still_open is not None:
        pending = action_rules.open_condition(FollowUp.status)
        query = query.where(pending if still_open else ~pending)
    if overdue is not None:
        late = action_rules.overdue_condition(today(), FollowUp.status, FollowUp.due_on)
        query = query.where(late if overdue else ~late)
    if to_executive is not None:
        query = query.where(FollowUp.to_executive == to_executive)
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = db.exec(
        query.order_by(col(FollowUp.due_on), col(FollowUp.id)).limit(limit).offset(offset)
    ).all()
    on = today()
    return [to_read(Found(*row), on) for row in rows], total


def get(db: Session, *, partnership_id: int, follow_up_id: int, view: EventView) -> Found:
    row = db.exec(_query(partnership_id, view).where(FollowUp.id == follow_up_id)).first()
    if row is None:
        raise NotFound("No such follow-up, or it is not yours to see.")
    return Found(*row)


def updates(db: Session, follow_up_id: int) -> list[ProgressRead]:
    """The follow-up's dated notes of progress, oldest first."""
    rows = db.exec(
        select(FollowUpUpdate)
        .where(FollowUpUpdate.follow_up_id == follow_up_id)
        .order_by(col(FollowUpUpdate.at), col(FollowUpUpdate.id))
    )
    return [ProgressRead.model_validate(u) for u in rows]


def of_sessions(db: Session, session_ids: list[int]) -> list[FollowUp]:
    query = select(FollowUp).where(col(FollowUp.session_id).in_(session_ids))
    return list(db.exec(query.order_by(col(FollowUp.id))))


def _differs(follow_up: FollowUp, key: str, value: Any) -> bool:
    """Whether a change changes anything; empty evidence is the same as none (and clears it)."""
    if key == "completion_evidence":
        return bool((follow_up.completion_evidence or "") != value)
    return bool(getattr(follow_up, key) != value)


def change(
    db: Session, *, principal: Principal, partnership_id: int, found: Found, data: FollowUpChange
) -> FollowUp:
    """Change a follow-up: done needs evidence; a due date falls on or after the event."""
    follow_up = found.follow_up
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None and _differs(follow_up, k, v)
    }
    if not changes:  # nothing to change: no new version, no event
        return follow_up
    problems = action_rules.change_problems(
        changes.get("status", follow_up.status),
        changes.get("completion_evidence", follow_up.completion_evidence),
        what="the follow-up",
    )
    if "due_on" in changes:
        try:
            rules.check_follow_up_due(changes["due_on"], found.held_on)
        except ValueError as early:
            problems["due_on"] = str(early)
    if problems:
        raise Invalid(problems)
    before = audit.snapshot(follow_up)
    for key, value in changes.items():
        setattr(follow_up, key, value or None if key == "completion_evidence" else value)
    bump_version(db, follow_up)
    db.add(follow_up)
    emit(
        db, Event.follow_up_update, principal=principal,  entity_type="follow_up",
        entity_id=follow_up.id, partnership_id=partnership_id, before=before,
        after=audit.snapshot(follow_up),
    )  # fmt: skip
    return follow_up


def add_progress(
    db: Session, *, principal: Principal, partnership_id: int, follow_up: FollowUp, note: str
) -> FollowUpUpdate:
    """A dated note of progress, signed by its author (the follow-up itself is unchanged)."""
    assert follow_up.id is not None
    update = FollowUpUpdate(
        follow_up_id=follow_up.id, note=note, author_user_id=principal.user_id,
        author_label=principal.label,
    )  # fmt: skip
    db.add(update)
    db.flush()
    emit(
        db, Event.follow_up_progress, principal=principal,  entity_type="follow_up",
        entity_id=follow_up.id, partnership_id=partnership_id, after={"note": note},
    )  # fmt: skip
    return update
