from fastapi import APIRouter, Response, status
from sqlmodel import Session

from api.agencies.schemas import AgencyRead
from api.db import SessionDep
from api.fields import Flag
from api.http import (
    Id,
    IfMatch,
    Limit,
    Offset,
    OptionalIfMatch,
    Page,
    Search,
    check_if_match,
    set_etag,
)
from api.models import Programme, ProgrammeStatus, ReturnStatus
from api.permissions import Permission, programme_view, require
from api.problems import responses
from api.programmes import compliance, service
from api.programmes.schemas import ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["programmes"])


def _programme(
    session: Session, principal: Principal, partnership_id: int, programme_id: int
) -> Programme:
    view = programme_view(principal, partnership_id)
    return service.get(session, partnership_id=partnership_id, programme_id=programme_id, view=view)


def _reply(session: Session, response: Response, programme: Programme) -> ProgrammeRead:
    set_etag(response, programme.version)
    return service.read(session, programme=programme)


@router.get(
    "/partnerships/{partnership_id}/programmes",
    response_model=Page[ProgrammeRead],
    responses=responses(401, 403, 404, 422),
)
def list_programmes(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    status: ProgrammeStatus | None = None,
    q: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ProgrammeRead]:
    """Programmes you may see: drafts for oversight roles; for agency staff, those asking them."""
    view = programme_view(principal, partnership_id)
    items, total = service.list_programmes(
        session,
        partnership_id=partnership_id,
        view=view,
        status=status,
        q=q,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/programmes",
    response_model=ProgrammeRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
)
def create_programme(
    partnership_id: Id,
    body: ProgrammeCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ProgrammeRead:
    """Create a draft programme asking the given agencies (or all of them)."""
    require(principal, partnership_id, Permission.manage_programmes)
    programme = service.create(
        session, principal=principal, partnership_id=partnership_id, data=body
    )
    return _reply(session, response, programme)


@router.get(
    "/partnerships/{partnership_id}/programmes/{programme_id}",
    response_model=ProgrammeRead,
    responses=responses(401, 403, 404, 422),
)
def read_programme(
    partnership_id: Id,
    programme_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ProgrammeRead:
    programme = _programme(session, principal, partnership_id, programme_id)
    return _reply(session, response, programme)


@router.patch(
    "/partnerships/{partnership_id}/programmes/{programme_id}",
    response_model=ProgrammeRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def update_programme(
    partnership_id: Id,
    programme_id: Id,
    body: ProgrammeUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> ProgrammeRead:
    """Change a programme. Once open, only its title, description and deadline may change."""
    require(principal, partnership_id, Permission.manage_programmes)
    programme = _programme(session, principal, partnership_id, programme_id)
    check_if_match(if_match, programme.version)
    programme = service.update(session, principal=principal, programme=programme, data=body)
    return _reply(session, response, programme)


def _transition(
    target: ProgrammeStatus,
    partnership_id: int,
    programme_id: int,
    principal: Principal,
    session: Session,
    response: Response,
    if_match: str | None,
) -> ProgrammeRead:
    require(principal, partnership_id, Permission.manage_programmes)
    programme = _programme(session, principal, partnership_id, programme_id)
    check_if_match(if_match, programme.version)
    programme = service.transition(session, principal=principal, programme=programme, target=target)
    return _reply(session, response, programme)


@router.post(
    "/partnerships/{partnership_id}/programmes/{programme_id}/open",
    response_model=ProgrammeRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def open_programme(
    partnership_id: Id,
    programme_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: OptionalIfMatch = None,
) -> ProgrammeRead:
    """Open a draft programme to the agencies it asks. If-Match is checked when sent."""
    return _transition(
        ProgrammeStatus.open, partnership_id, programme_id, principal, session, response, if_match
    )


@router.post(
    "/partnerships/{partnership_id}/programmes/{programme_id}/close",
    response_model=ProgrammeRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def close_programme(
    partnership_id: Id,
    programme_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: OptionalIfMatch = None,
) -> ProgrammeRead:
    """Close an open programme. If-Match is checked when sent."""
    return _transition(
        ProgrammeStatus.closed, partnership_id, programme_id, principal, session, response, if_match
    )


@router.get(
    "/partnerships/{partnership_id}/programmes/{programme_id}/agencies",
    response_model=Page[AgencyRead],
    responses=responses(401, 403, 404, 422),
)
def list_asked_agencies(
    partnership_id: Id,
    programme_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[AgencyRead]:
    """The agencies the programme asks for a return."""
    programme = _programme(session, principal, partnership_id, programme_id)
    items, total = service.list_asked(session, programme=programme, q=q, limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.put(
    "/partnerships/{partnership_id}/programmes/{programme_id}/agencies/{agency_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422),
)
def ask_agency(
    partnership_id: Id,
    programme_id: Id,
    agency_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Ask an agency for a return (until the programme closes). Asking twice is harmless."""
    require(principal, partnership_id, Permission.manage_programmes)
    programme = _programme(session, principal, partnership_id, programme_id)
    service.set_asked(
        session, principal=principal, programme=programme, agency_id=agency_id, asked=True
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/partnerships/{partnership_id}/programmes/{programme_id}/agencies/{agency_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422),
)
def unask_agency(
    partnership_id: Id,
    programme_id: Id,
    agency_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Stop asking an agency; only while the programme is a draft."""
    require(principal, partnership_id, Permission.manage_programmes)
    programme = _programme(session, principal, partnership_id, programme_id)
    service.set_asked(
        session, principal=principal, programme=programme, agency_id=agency_id, asked=False
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/partnerships/{partnership_id}/programmes/{programme_id}/compliance",
    response_model=compliance.ComplianceRead,
    responses=responses(401, 403, 404, 422),
)
def read_compliance(
    partnership_id: Id,
    programme_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    sort: compliance.ComplianceSort = "agency",
    status: ReturnStatus | None = None,
    timeliness: compliance.Timeliness | None = None,
    moderated: Flag | None = None,
) -> compliance.ComplianceRead:
    """Who has returned, on time or late, and their actions: totals over every agency asked,
    rows after the filters. For those who oversee the partnership, executives and panel
    members: it shows where each return stands, never what it says."""
    require(principal, partnership_id, Permission.read_compliance)
    programme = _programme(session, principal, partnership_id, programme_id)
    filters = compliance.Filters(status=status, timeliness=timeliness, moderated=moderated)
    return compliance.read(session, programme=programme, sort=sort, filters=filters)
