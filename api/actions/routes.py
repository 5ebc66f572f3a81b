from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.actions import service
from api.actions.schemas import ActionChange, ActionCreate, ActionRead, ProgressCreate, ProgressRead
from api.db import SessionDep
from api.fields import Flag
from api.http import MAX_ID, Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.models import ActionStatus
from api.permissions import may_answer, require_may_answer
from api.problems import responses
from api.returns import access
from api.returns.access import AnswerableReturn
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["actions"])

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _mine(principal: Principal, partnership_id: int, action: ActionRead) -> ActionRead:
    """Say whether the reader may change the action, so that no client has to guess."""
    action.may_change = may_answer(principal, partnership_id, action.agency_id)
    return action


@router.get(
    "/partnerships/{partnership_id}/actions",
    response_model=Page[ActionRead],
    responses=responses(401, 403, 404, 422),
)
def list_actions(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    agency_id: OptionalId = None,
    return_id: OptionalId = None,
    programme_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only actions that began in this programme's returns"),
    ] = None,
    plan_of: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="A return's action plan: the actions begun in it, and its agency's "
            "actions still open from earlier programmes, carried into it",
        ),
    ] = None,
    status: ActionStatus | None = None,
    overdue: Flag | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ActionRead]:
    """Action plans you may see (every agency's if you oversee the partnership), by due date."""
    items, total = service.list_actions(
        session,
        partnership_id=partnership_id,
        agencies=access.readable(session, principal, partnership_id).plan_agencies,
        agency_id=agency_id,
        return_id=return_id,
        programme_id=programme_id,
        plan_of=plan_of,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    items = [_mine(principal, partnership_id, a) for a in items]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/actions",
    response_model=ActionRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
)
def create_action(
    partnership_id: Id,
    body: ActionCreate,
    found: AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ActionRead:
    """Add an action to the agency's plan, for requirements of this return."""
    action = service.create(
        session, principal=principal, partnership_id=partnership_id, ret=found.ret, data=body
    )
    set_etag(response, action.version)
    return _mine(principal, partnership_id, service.read(session, row=(action, found.agency_name)))


@router.get(
    "/partnerships/{partnership_id}/actions/{action_id}",
    response_model=ActionRead,
    responses=responses(401, 403, 404, 422),
)
def read_action(
    partnership_id: Id,
    action_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ActionRead:
    """An action with its requirements and every progress update."""
    agencies = access.readable(session, principal, partnership_id).plan_agencies
    row = service.get(
        session, partnership_id=partnership_id, action_id=action_id, agencies=agencies
    )
    set_etag(response, row[0].version)
    return _mine(principal, partnership_id, service.read(session, row=row))


@router.patch(
    "/partnerships/{partnership_id}/actions/{action_id}",
    response_model=ActionRead,
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
def change_action(
    partnership_id: Id,
    action_id: Id,
    body: ActionChange,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> ActionRead:
    """Change an action; `done` needs evidence of completion."""
    agencies = access.readable(session, principal, partnership_id).plan_agencies
    action, agency_name = service.get(
        session, partnership_id=partnership_id, action_id=action_id, agencies=agencies
    )
    require_may_answer(principal, partnership_id, action.agency_id)
    check_if_match(if_match, action.version)
    action = service.change(session, principal=principal, action=action, data=body)
    set_etag(response, action.version)
    return _mine(principal, partnership_id, service.read(session, row=(action, agency_name)))


@router.post(
    "/partnerships/{partnership_id}/actions/{action_id}/updates",
    response_model=ProgressRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
)
def add_progress(
    partnership_id: Id,
    action_id: Id,
    body: ProgressCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> ProgressRead:
    """Record progress on an action, dated and signed by its author."""
    agencies = access.readable(session, principal, partnership_id).plan_agencies
    action, _ = service.get(
        session, partnership_id=partnership_id, action_id=action_id, agencies=agencies
    )
    require_may_answer(principal, partnership_id, action.agency_id)
    update = service.add_progress(session, principal=principal, action=action, note=body.note)
    return ProgressRead.model_validate(update)
