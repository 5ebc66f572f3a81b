from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.db import SessionDep
from api.http import MAX_ID, Id, Limit, Offset, Page, set_etag
from api.models import ReturnStatus
from api.permissions import return_agencies
from api.problems import responses
from api.returns import service
from api.returns.schemas import ReturnRead, ReturnSummary
from api.security import CurrentPrincipal

router = APIRouter(tags=["returns"])

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/partnerships/{partnership_id}/returns",
    response_model=Page[ReturnSummary],
    responses=responses(401, 404, 422),
)
def list_returns(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: OptionalId = None,
    agency_id: OptionalId = None,
    status: ReturnStatus | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ReturnSummary]:
    """Returns you may see: every agency's if you oversee the partnership, else your agency's.

    For agency staff this is "my returns", with their deadlines and progress.
    """
    agencies = return_agencies(principal, partnership_id)
    items, total = service.list_returns(
        session,
        partnership_id=partnership_id,
        agencies=agencies,
        programme_id=programme_id,
        agency_id=agency_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}",
    response_model=ReturnRead,
    responses=responses(401, 404, 422),
)
def read_return(
    partnership_id: Id,
    return_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ReturnRead:
    """A return with every answer and its progress by standard. Another agency's is 404."""
    agencies = return_agencies(principal, partnership_id)
    row = service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )
    set_etag(response, row[0].version)
    return service.read(session, row=row)
