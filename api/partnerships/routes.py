from fastapi import APIRouter, Response, status

from api.db import SessionDep
from api.http import Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.partnerships import service
from api.partnerships.schemas import PartnershipCreate, PartnershipRead, PartnershipUpdate
from api.permissions import Permission, require, require_platform_admin
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["partnerships"])


@router.get("/partnerships", response_model=Page[PartnershipRead], responses=responses(401, 422))
def list_partnerships(
    principal: CurrentPrincipal, session: SessionDep, limit: Limit = 20, offset: Offset = 0
) -> Page[PartnershipRead]:
    """The partnerships you belong to."""
    rows, total = service.list_for(session, principal=principal, limit=limit, offset=offset)
    items = [PartnershipRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships",
    response_model=PartnershipRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 409, 422),
)
def create_partnership(
    body: PartnershipCreate, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> PartnershipRead:
    """Platform admins only. You become the new partnership's first partnership admin."""
    require_platform_admin(principal)
    row = service.create(session, principal=principal, data=body)
    set_etag(response, row.version)
    return PartnershipRead.model_validate(row)


@router.get(
    "/partnerships/{partnership_id}",
    response_model=PartnershipRead,
    responses=responses(401, 403, 404, 422),
)
def read_partnership(
    partnership_id: Id, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> PartnershipRead:
    require(principal, partnership_id, Permission.read)
    row = service.get(session, partnership_id=partnership_id)
    set_etag(response, row.version)
    return PartnershipRead.model_validate(row)


@router.patch(
    "/partnerships/{partnership_id}",
    response_model=PartnershipRead,
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
def update_partnership(
    partnership_id: Id,
    body: PartnershipUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> PartnershipRead:
    require(principal, partnership_id, Permission.manage_partnership)
    row = service.get(session, partnership_id=partnership_id)
    check_if_match(if_match, row.version)
    row = service.update(session, principal=principal, partnership=row, data=body)
    set_etag(response, row.version)
    return PartnershipRead.model_validate(row)
