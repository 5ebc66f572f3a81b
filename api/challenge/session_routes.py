"""One invited agency's session at an event: read it, score its standards, close it,
reopen it; and every session of an event at once, for its report."""

from fastapi import APIRouter, Response
from sqlmodel import Session

from api.challenge import service, session_view, sessions
from api.challenge.schemas import (
    EventReport,
    ScoreRead,
    ScoreWrite,
    SessionClose,
    SessionDetail,
    SessionReopen,
)
from api.challenge.sessions import FollowUpIn
from api.db import SessionDep
from api.http import AnswerIfMatch, Id, IfMatch, check_if_match, expected_version, set_etag
from api.models import ChallengeEvent, ChallengeSession
from api.permissions import Permission, can, event_view
from api.problems import responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["challenge events"])
SESSION = "/partnerships/{partnership_id}/challenge-events/{event_id}/sessions/{session_id}"


def load_session(
    db: Session, principal: Principal, partnership_id: int, event_id: int, session_id: int
) -> tuple[ChallengeEvent, ChallengeSession, set[int]]:
    view = event_view(principal, partnership_id)
    event = service.get(db, partnership_id=partnership_id, event_id=event_id, view=view)
    panel = sessions.panel_of(db, event)
    target = sessions.get_in(db, event=event, session_id=session_id, view=view, panel=panel)
    return event, target, panel


def _reply(
    db: Session,
    response: Response,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    panel: set[int],
) -> SessionDetail:
    set_etag(response, target.version)
    return session_view.read(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        panel=panel, **_sees(principal, partnership_id),
    )  # fmt: skip


def _sees(principal: Principal, partnership_id: int) -> dict[str, bool]:
    return {
        "sees_combined": can(principal, partnership_id, Permission.read_challenge),
        "sees_members": can(principal, partnership_id, Permission.manage_challenge),
    }


@router.get(
    "/partnerships/{partnership_id}/challenge-events/{event_id}/report",
    response_model=EventReport,
    responses=responses(401, 403, 404, 422),
)
def event_report(
    partnership_id: Id, event_id: Id, principal: CurrentPrincipal, db: SessionDep
) -> EventReport:
    """The event with every session you may see in full, as its report to the Executive
    lists them: why each agency was invited, the panel's combined score per standard beside
    its self and moderated ratings, the outcome, summary and follow-ups. Agency staff get
    their own agency's session only, without scores."""
    view = event_view(principal, partnership_id)
    event = service.get(db, partnership_id=partnership_id, event_id=event_id, view=view)
    read = service.read(db, event=event, view=view)
    targets = sessions.visible_in(db, event=event, session_ids=[s.id for s in read.sessions])
    panel = {p.id for p in read.panel}
    return EventReport(
        event=read,
        sessions=session_view.read_all(
            db, principal=principal, partnership_id=partnership_id, event=event,
            targets=targets, panel=panel, **_sees(principal, partnership_id),
        ),
    )  # fmt: skip


@router.get(SESSION, response_model=SessionDetail, responses=responses(401, 403, 404, 422))
def read_session(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
) -> SessionDetail:
    """The session: why the agency was invited, its outcome, summary and follow-ups; the
    panel's scores per standard for the panel, the business unit and oversight (each
    member's only for the panel and the business unit), never for the agency."""
    event, target, panel = load_session(db, principal, partnership_id, event_id, session_id)
    return _reply(db, response, principal, partnership_id, event, target, panel)


@router.put(
    SESSION + "/scores/{standard_id}",
    response_model=ScoreRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def save_score(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    standard_id: Id,
    body: ScoreWrite,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> ScoreRead:
    """Your score of one standard (a panel member of this event, while the session is open);
    If-Match is your score's ETag, or "0" for a first score."""
    event, target, _ = load_session(db, principal, partnership_id, event_id, session_id)
    row = sessions.score(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        standard_id=standard_id, level=body.level, comment=body.comment,
        expected_version=expected_version(if_match),
    )  # fmt: skip
    set_etag(response, row.version)
    return ScoreRead.model_validate(row, from_attributes=True)


@router.post(
    SESSION + "/close",
    response_model=SessionDetail,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def close_session(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    body: SessionClose,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> SessionDetail:
    """The chair records the outcome, a summary and follow-ups (due on or after the event)
    and closes the session, which locks its scores."""
    event, target, panel = load_session(db, principal, partnership_id, event_id, session_id)
    check_if_match(if_match, target.version)
    follow_ups = [
        FollowUpIn(f.description, f.owner, f.due_on, f.to_executive) for f in body.follow_ups
    ]
    sessions.close(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        outcome=body.outcome, summary=body.summary, follow_ups=follow_ups,
    )  # fmt: skip
    return _reply(db, response, principal, partnership_id, event, target, panel)


@router.post(
    SESSION + "/reopen",
    response_model=SessionDetail,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def reopen_session(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    body: SessionReopen,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> SessionDetail:
    """The chair opens a closed session again, with the reason (recorded); its scores
    unlock and its outcome may be recorded anew."""
    event, target, panel = load_session(db, principal, partnership_id, event_id, session_id)
    check_if_match(if_match, target.version)
    sessions.reopen(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        reason=body.reason,
    )  # fmt: skip
    return _reply(db, response, principal, partnership_id, event, target, panel)
