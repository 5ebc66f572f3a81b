"""What happens in one agency's session: the panel scores its standards, the chair records
the outcome with follow-ups and closes it (the scores lock), and may reopen it with a reason.

Each function takes the session's event and the acting principal, applies the rules of
`api/challenge/rules.py`, writes and audits in the caller's transaction, and never commits.
Who may call them is the routes' question, through `api/permissions.py`.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from api.challenge import ratings, rules
from api.db import bump_version, save_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    Outcome,
    PanelMember,
    PanelScore,
    SessionReopening,
    SessionStatus,
)
from api.models.base import utcnow
from api.permissions import EventView, is_chair
from api.problems import Conflict, Forbidden, Invalid, NotFound
from api.security import Principal


@dataclass(frozen=True)
class FollowUpIn:
    description: str
    owner: str
    due_on: date
    to_executive: bool = False


def _score_state(row: PanelScore | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {"standard_id": row.standard_id, "level": row.level, "comment": row.comment,
            "version": row.version}  # fmt: skip


def score(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    standard_id: int,
    level: str,
    comment: str,
    expected_version: int,
) -> PanelScore:
    """A panel member's score of one standard (their own; 0 for a first one)."""
    if standard_id not in {s.id for s in ratings.standards(db, event.programme_id)}:
        raise NotFound("This event's framework has no such standard.")
    try:
        rules.check_may_score(
            is_member=principal.user_id in panel_of(db, event),
            event_status=event.status,
            session_status=target.status,
        )
    except rules.NotOnPanel as refused:
        raise Forbidden(str(refused)) from None
    except rules.ScoresLocked as refused:
        raise Conflict(str(refused)) from None
    try:
        rules.check_level(level, ratings.scale(db, event.programme_id))
    except rules.ScoreRefused as refused:
        raise Invalid({"level": str(refused)}) from None
    assert principal.user_id is not None and target.id is not None
    key = {"session_id": target.id, "member_user_id": principal.user_id, "standard_id": standard_id}
    existing = db.exec(select(PanelScore).filter_by(**key)).first()
    row = save_version(
        db, PanelScore, key=key, existing=existing, expected_version=expected_version,
        values={"level": level, "comment": comment, "updated_at": utcnow()},
        refused="You scored this standard again elsewhere since this page was loaded.",
        current=_score_state,
    )  # fmt: skip
    emit(
        db, Event.panel_score_save, principal=principal,  entity_type="challenge_session",
        entity_id=target.id, partnership_id=partnership_id, before=_score_state(existing),
        after=_score_state(row),
    )  # fmt: skip
    return row


def combined_scores(db: Session, event: ChallengeEvent, session_id: int) -> dict[int, str | None]:
    """The panel's combined score of each standard scored in the session (ADR 6)."""
    given: dict[int, list[str]] = {}
    for standard_id, level in db.exec(
        select(PanelScore.standard_id, PanelScore.level).where(PanelScore.session_id == session_id)
    ):
        given.setdefault(standard_id, []).append(level)
    levels = ratings.scale(db, event.programme_id)
    return {sid: rules.combined_score(scores, levels) for sid, scores in given.items()}


def _session_state(target: ChallengeSession) -> dict[str, object]:
    outcome = target.outcome.value if target.outcome else None
    return {"status": target.status.value, "outcome": outcome, "summary": target.summary}


def close(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    outcome: Outcome,
    summary: str,
    follow_ups: list[FollowUpIn],
) -> list[FollowUp]:
    """The chair records the outcome, its summary and follow-ups, and closes the session."""
    if not is_chair(principal, event.chair_user_id):
        raise Forbidden("Only the event's chair records a session's outcome.")
    if target.status == SessionStatus.closed:
        raise Conflict("The session is already closed. Reopen it, with a reason, to change it.")
    problems = {}
    for i, item in enumerate(follow_ups):
        try:
            rules.check_follow_up_due(item.due_on, event.held_on)
        except ValueError as late:
            problems[f"follow_ups.{i}.due_on"] = str(late)
    if problems:
        raise Invalid(problems)
    assert target.id is not None
    before = _session_state(target)
    target.status, target.outcome, target.summary = SessionStatus.closed, outcome, summary
    target.closed_at, target.closed_by_id = utcnow(), principal.user_id
    target.closed_by_label = principal.label
    bump_version(db, target)
    db.add(target)
    made = [
        FollowUp(session_id=target.id, description=f.description, owner=f.owner, due_on=f.due_on,
                 to_executive=f.to_executive, created_by_id=principal.user_id)
        for f in follow_ups
    ]  # fmt: skip
    db.add_all(made)
    db.flush()
    emit(
        db, Event.challenge_session_close, principal=principal,  entity_type="challenge_session",
        entity_id=target.id, partnership_id=partnership_id, before=before,
        after={**_session_state(target), "follow_up_ids": [f.id for f in made]},
    )  # fmt: skip
    return made


def reopen(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    reason: str,
) -> None:
    """The chair opens a closed session again, saying why; its scores unlock."""
    if not is_chair(principal, event.chair_user_id):
        raise Forbidden("Only the event's chair reopens a session.")
    if target.status != SessionStatus.closed:
        raise Conflict("The session is open.")
    if not reason.strip():
        raise Invalid({"reason": "Say why the session is reopened"})
    before = _session_state(target)
    target.status = SessionStatus.open
    bump_version(db, target)
    db.add(target)
    assert target.id is not None
    db.add(SessionReopening(session_id=target.id, reason=reason, by_user_id=principal.user_id,
                            by_label=principal.label))  # fmt: skip
    emit(
        db, Event.challenge_session_reopen, principal=principal, 
        entity_type="challenge_session", entity_id=target.id, partnership_id=partnership_id,
        before=before, after={**_session_state(target), "reason": reason},
    )  # fmt: skip


def get_in(
    db: Session, *, event: ChallengeEvent, session_id: int, view: EventView, panel: set[int]
) -> ChallengeSession:
    """The event's session, if the viewer may see it: agency staff see only their own."""
    target = db.get(ChallengeSession, session_id)
    if target is None or target.event_id != event.id:
        raise NotFound("No such session at this event.")
    if not view.sees_all_sessions(panel) and target.agency_id not in view.agency_ids:
        raise NotFound("No such session at this event.")
    return target


def visible_in(
    db: Session, *, event: ChallengeEvent, session_ids: list[int]
) -> list[ChallengeSession]:
    """The event's sessions of these ids (those the viewer was shown), in the order given."""
    found = {
        s.id: s
        for s in db.exec(
            select(ChallengeSession).where(
                ChallengeSession.event_id == event.id, col(ChallengeSession.id).in_(session_ids)
            )
        ).all()
    }
    return [found[i] for i in session_ids if i in found]


def panel_of(db: Session, event: ChallengeEvent) -> set[int]:
    return set(db.exec(select(PanelMember.user_id).where(PanelMember.event_id == event.id)))
