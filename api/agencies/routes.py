from fastapi import APIRouter, Response, status

from api.agencies import offers, service
from api.agencies.schemas import (
    AgencyCreate,
    AgencyOfferAccept,
    AgencyOfferCreate,
    AgencyOfferRead,
    AgencyRead,
    AgencyUpdate,
)
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
    responses=responses(401, 403, 404, 422),
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
    responses=responses(401, 403, 404, 422),
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
    """Change the agency. Its name and sector are shared by every partnership it belongs to:
    only the partnership that keeps them (`owner_partnership_id`) changes them, and the
    change is audited in each; `statutory_partner` is this partnership's own."""
    require(principal, partnership_id, Permission.manage_agencies)
    agency, link = service.get_pair(session, partnership_id=partnership_id, agency_id=agency_id)
    check_if_match(if_match, agency.version)
    updated = service.update(session, principal=principal, agency=agency, link=link, data=body)
    set_etag(response, updated.version)
    return updated


@router.post(
    "/partnerships/{partnership_id}/agencies/{agency_id}/offers",
    response_model=AgencyOfferRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def offer_agency(
    partnership_id: Id,
    agency_id: Id,
    body: AgencyOfferCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> AgencyOfferRead:
    """Offer one of the agencies this partnership keeps to another partnership (by slug).

    Nothing changes there until its admins accept the offer; audited in both partnerships.
    """
    require(principal, partnership_id, Permission.manage_agencies)
    return offers.offer(
        session,
        principal=principal,
        partnership_id=partnership_id,
        agency_id=agency_id,
        slug=body.partnership,
    )


@router.get(
    "/partnerships/{partnership_id}/agency-offers",
    response_model=Page[AgencyOfferRead],
    responses=responses(401, 403, 404, 422),
)
def list_agency_offers(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[AgencyOfferRead]:
    """Offers this partnership has made and offers made to it, newest first."""
    require(principal, partnership_id, Permission.manage_agencies)
    items, total = offers.list_offers(
        session, partnership_id=partnership_id, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/agency-offers/{offer_id}/accept",
    response_model=AgencyRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def accept_agency_offer(
    partnership_id: Id,
    offer_id: Id,
    body: AgencyOfferAccept,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> AgencyRead:
    """Add an agency offered to this partnership to its list (409 if the name is taken)."""
    require(principal, partnership_id, Permission.manage_agencies)
    agency = offers.accept(
        session,
        principal=principal,
        partnership_id=partnership_id,
        offer_id=offer_id,
        statutory_partner=body.statutory_partner,
    )
    set_etag(response, agency.version)
    return agency


@router.delete(
    "/partnerships/{partnership_id}/agency-offers/{offer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 422),
)
def withdraw_agency_offer(
    partnership_id: Id, offer_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> None:
    """Decline an offer made to this partnership, or withdraw one it made."""
    require(principal, partnership_id, Permission.manage_agencies)
    offers.withdraw(session, principal=principal, partnership_id=partnership_id, offer_id=offer_id)
