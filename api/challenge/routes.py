from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlmodel import Session

from api.challenge import service
from api.challenge.schemas import (
    CandidatesRead,
    EventCancel,
    EventCreate,
    EventRead,
    EventUpdate,
    InvitationCreate,
    SessionRead,
)
from api.db import SessionDep
from api.fields import Flag
from api.http import Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.models.challenge import ChallengeEvent, EventStatus, Outcome
from api.permissions import EventView, Permission, event_view, require
from api.problems import responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["challenge events"])
EVENTS = "/partnerships/{partnership_id}/challenge-events"
EVENT = EVENTS + "/{event_id}"


def _event(
    session: Session, principal: Principal, partnership_id: int, event_id: int
) -> tuple[ChallengeEvent, EventView]:
    view = event_view(principal, partnership_id)
    event = service.get(session, partnership_id=partnership_id, event_id=event_id, view=view)
    return event, view


def _managed(
    session: Session, principal: Principal, partnership_id: int, event_id: int
) -> tuple[ChallengeEvent, EventView]:
    require(principal, partnership_id, Permission.manage_challenge)
    return _event(session, principal, partnership_id, event_id)


def _reply(
    session: Session, response: Response, event: ChallengeEvent, view: EventView
) -> EventRead:
    set_etag(response, event.version)
    return service.read(session, event=event, view=view)


@router.get(EVENTS, response_model=Page[EventRead], responses=responses(401, 403, 404, 422))
def list_events(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: int | None = None,
    agency_id: int | None = None,
    status: EventStatus | None = None,
    outcome: Annotated[
        Outcome | None,
        Query(description="Only events with a session you may see that ended so"),
    ] = None,
    upcoming: Annotated[
        Flag | None,
        Query(description="Only events still to be held (soonest first), or only the others"),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[EventRead]:
    """Challenge events you may see: all for the business unit, scrutineer and executives;
    a panel member's own events; for agency staff, the events inviting their agency (with
    only its session)."""
    view = event_view(principal, partnership_id)
    items, total = service.list_events(
        session,
        partnership_id=partnership_id,
        view=view,
        programme_id=programme_id,
        agency_id=agency_id,
        status=status,
        outcome=outcome,
        upcoming=upcoming,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    EVENTS,
    response_model=EventRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
)
def create_event(
    partnership_id: Id,
    body: EventCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> EventRead:
    """Plan a challenge event for a programme, with its chair and panel."""
    require(principal, partnership_id, Permission.manage_challenge)
    event = service.create(session, principal=principal, partnership_id=partnership_id, data=body)
    return _reply(session, response, event, event_view(principal, partnership_id))


@router.get(EVENT, response_model=EventRead, responses=responses(401, 403, 404, 422))
def read_event(
    partnership_id: Id,
    event_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> EventRead:
    event, view = _event(session, principal, partnership_id, event_id)
    return _reply(session, response, event, view)


@router.patch(
    EVENT, response_model=EventRead, responses=responses(400, 401, 403, 404, 409, 412, 422, 428)
)
def update_event(
    partnership_id: Id,
    event_id: Id,
    body: EventUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> EventRead:
    """Reschedule, retitle or move an event, or change its chair or panel (recorded)."""
    event, view = _managed(session, principal, partnership_id, event_id)
    check_if_match(if_match, event.version)
    event = service.update(session, principal=principal, event=event, data=body)
    return _reply(session, response, event, view)


@router.post(
    EVENT + "/cancel",
    response_model=EventRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def cancel_event(
    partnership_id: Id,
    event_id: Id,
    body: EventCancel,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> EventRead:
    """Cancel an event, saying why; a cancelled event cannot be changed or invited to."""
    event, view = _managed(session, principal, partnership_id, event_id)
    check_if_match(if_match, event.version)
    event = service.cancel(session, principal=principal, event=event, reason=body.reason)
    return _reply(session, response, event, view)


@router.post(
    EVENT + "/invitations",
    response_model=SessionRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def invite_agency(
    partnership_id: Id,
    event_id: Id,
    body: InvitationCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> SessionRead:
    """Invite an agency asked in the event's programme, saying why: its session there."""
    event, view = _managed(session, principal, partnership_id, event_id)
    invited = service.invite(
        session, principal=principal, event=event, agency_id=body.agency_id, reason=body.reason
    )
    read = service.read(session, event=event, view=view)
    return next(s for s in read.sessions if s.id == invited.id)


@router.delete(
    EVENT + "/invitations/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422),
)
def withdraw_invitation(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Withdraw an invitation while nothing was published, scored or decided in it."""
    event, _ = _managed(session, principal, partnership_id, event_id)
    service.withdraw(session, principal=principal, event=event, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    EVENT + "/candidates", response_model=CandidatesRead, responses=responses(401, 403, 404, 422)
)
def list_candidates(
    partnership_id: Id,
    event_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> CandidatesRead:
    """The picker: every agency asked in the programme, whether invited, its return's status,
    and per standard its self rating and the moderated rating. Reads returns, so a service
    token needs returns:read as well as challenge:write."""
    require(principal, partnership_id, Permission.manage_challenge)
    require(principal, partnership_id, Permission.read_returns)
    event, _ = _event(session, principal, partnership_id, event_id)
    return service.candidates(session, event=event)
