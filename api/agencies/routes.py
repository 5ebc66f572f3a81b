from fastapi import APIRouter, Response, status

from api.agencies import service
from api.agencies.schemas import AgencyCreate, AgencyRead, AgencyUpdate
from api.db import SessionDep
from api.fields import Flag
from api.http import Id, IfMatch, Limit, Offset, Page, Search, check_if_match, set_etag
from api.models import Sector
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["agencies"])


@router.get(
    "/partnerships/{partnership_id}/agencies",
    response_model=Page[AgencyRead],
    responses=responses(401, 404, 422),
)
def list_agencies(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Search = None,
    sector: Sector | None = None,
    statutory_partner: Flag | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[AgencyRead]:
    """The partnership's agencies, statutory partners first, then by name."""
    require(principal, partnership_id, Permission.read)
    items, total = service.list_agencies(
        session,
        partnership_id=partnership_id,
        q=q,
        sector=sector,
        statutory_partner=statutory_partner,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/agencies",
    response_model=AgencyRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def create_agency(
    partnership_id: Id,
    body: AgencyCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> AgencyRead:
    require(principal, partnership_id, Permission.manage_agencies)
    agency = service.create(session, principal=principal, partnership_id=partnership_id, data=body)
    set_etag(response, agency.version)
    return agency


@router.get(
    "/partnerships/{partnership_id}/agencies/{agency_id}",
    response_model=AgencyRead,
    responses=responses(401, 404, 422),
)
def read_agency(
    partnership_id: Id,
    agency_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> AgencyRead:
    require(principal, partnership_id, Permission.read)
    agency = service.get(session, partnership_id=partnership_id, agency_id=agency_id)
    set_etag(response, agency.version)
    return agency


@router.patch(
    "/partnerships/{partnership_id}/agencies/{agency_id}",
    response_model=AgencyRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def update_agency(
    partnership_id: Id,
    agency_id: Id,
    body: AgencyUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> AgencyRead:
    require(principal, partnership_id, Permission.manage_agencies)
    agency, link = service.get_pair(session, partnership_id=partnership_id, agency_id=agency_id)
    check_if_match(if_match, agency.version)
    updated = service.update(session, principal=principal, agency=agency, link=link, data=body)
    set_etag(response, updated.version)
    return updated
