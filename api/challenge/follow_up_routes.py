"""The follow-ups of challenge sessions: listed, read, tracked to done and noted."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlmodel import Session

from api.actions.schemas import ProgressCreate, ProgressRead
from api.challenge import follow_ups
from api.challenge.follow_up_schemas import FollowUpChange, FollowUpDetail
from api.challenge.follow_ups import Found
from api.challenge.schemas import FollowUpRead
from api.db import SessionDep
from api.fields import Flag
from api.http import MAX_ID, Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.models import ActionStatus
from api.permissions import (
    Permission,
    event_view,
    may_track_follow_up,
    require,
    require_may_track_follow_up,
)
from api.problems import responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["challenge events"])
FOLLOW_UPS = "/partnerships/{partnership_id}/follow-ups"
FOLLOW_UP = FOLLOW_UPS + "/{follow_up_id}"
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _detail(
    db: Session, response: Response, principal: Principal, partnership_id: int, found: Found
) -> FollowUpDetail:
    f = found.follow_up
    assert f.id is not None
    set_etag(response, f.version)
    return FollowUpDetail(
        **follow_ups.to_read(found, follow_ups.today()).model_dump(),
        updates=follow_ups.updates(db, f.id),
        may_change=may_track_follow_up(principal, partnership_id, found.agency_id),
    )


def _tracked(db: Session, principal: Principal, partnership_id: int, follow_up_id: int) -> Found:
    """The follow-up, if the principal may see it and track it (404 before 403)."""
    view = event_view(principal, partnership_id)
    found = follow_ups.get(db, partnership_id=partnership_id, follow_up_id=follow_up_id, view=view)
    require_may_track_follow_up(principal, partnership_id, found.agency_id)
    return found


@router.get(FOLLOW_UPS, response_model=Page[FollowUpRead], responses=responses(401, 403, 404, 422))
def list_follow_ups(
    partnership_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    programme_id: OptionalId = None,
    event_id: OptionalId = None,
    agency_id: OptionalId = None,
    status: ActionStatus | None = None,
    still_open: Annotated[
        Flag | None,
        Query(alias="open", description="Only those still to be done (planned or in progress)"),
    ] = None,
    overdue: Flag | None = None,
    to_executive: Flag | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[FollowUpRead]:
    """Follow-ups of the sessions you may see (every one if you oversee challenge events; a
    panel member's events'; agency staff their own agency's), by due date."""
    items, total = follow_ups.list_follow_ups(
        db, partnership_id=partnership_id, view=event_view(principal, partnership_id),
        programme_id=programme_id, event_id=event_id, agency_id=agency_id, status=status,
        still_open=still_open, overdue=overdue, to_executive=to_executive, limit=limit,
        offset=offset,
    )  # fmt: skip
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(FOLLOW_UP, response_model=FollowUpDetail, responses=responses(401, 403, 404, 422))
def read_follow_up(
    partnership_id: Id,
    follow_up_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
) -> FollowUpDetail:
    """A follow-up with its dated notes of progress."""
    view = event_view(principal, partnership_id)
    found = follow_ups.get(db, partnership_id=partnership_id, follow_up_id=follow_up_id, view=view)
    return _detail(db, response, principal, partnership_id, found)


@router.patch(
    FOLLOW_UP, response_model=FollowUpDetail, responses=responses(400, 401, 403, 404, 412, 422, 428)
)
def change_follow_up(
    partnership_id: Id,
    follow_up_id: Id,
    body: FollowUpChange,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> FollowUpDetail:
    """Track a follow-up: its status and evidence (`done` needs evidence), for the business
    unit, the scrutineer and the agency's own staff; its owner and due date (on or after the
    event) for those who run challenge events only."""
    found = _tracked(db, principal, partnership_id, follow_up_id)
    if body.owner is not None or body.due_on is not None:
        require(principal, partnership_id, Permission.manage_challenge)
    check_if_match(if_match, found.follow_up.version)
    follow_ups.change(db, principal=principal, partnership_id=partnership_id, found=found,
                      data=body)  # fmt: skip
    return _detail(db, response, principal, partnership_id, found)


@router.post(
    FOLLOW_UP + "/updates",
    response_model=ProgressRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
)
def add_progress(
    partnership_id: Id,
    follow_up_id: Id,
    body: ProgressCreate,
    principal: CurrentPrincipal,
    db: SessionDep,
) -> ProgressRead:
    """Record progress on a follow-up, dated and signed by its author."""
    found = _tracked(db, principal, partnership_id, follow_up_id)
    update = follow_ups.add_progress(db, principal=principal, partnership_id=partnership_id,
                                     follow_up=found.follow_up, note=body.note)  # fmt: skip
    return ProgressRead.model_validate(update)
