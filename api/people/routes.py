from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.db import SessionDep
from api.http import MAX_ID, Id, IfMatch, Limit, Offset, Page, Search, check_if_match, set_etag
from api.models import Role
from api.people import service
from api.people.schemas import GrantIn, UserCreate, UserRead, UserUpdate
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["people"])


@router.get(
    "/partnerships/{partnership_id}/users",
    response_model=Page[UserRead],
    responses=responses(401, 403, 404, 422),
)
def list_users(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Search = None,
    role: Role | None = None,
    agency_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[UserRead]:
    """The people of the partnership and their roles in it."""
    require(principal, partnership_id, Permission.read_people)
    items, total = service.list_users(
        session,
        partnership_id=partnership_id,
        q=q,
        role=role,
        agency_id=agency_id,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def create_user(
    partnership_id: Id,
    body: UserCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> UserRead:
    """Add a person with roles. If the email already has an account, the roles are added to it."""
    require(principal, partnership_id, Permission.manage_people)
    user = service.create(session, principal=principal, partnership_id=partnership_id, data=body)
    set_etag(response, user.version)
    return user


@router.get(
    "/partnerships/{partnership_id}/users/{user_id}",
    response_model=UserRead,
    responses=responses(401, 403, 404, 422),
)
def read_user(
    partnership_id: Id,
    user_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> UserRead:
    require(principal, partnership_id, Permission.read_people)
    user = service.get_user(session, partnership_id=partnership_id, user_id=user_id)
    set_etag(response, user.version)
    return service.read(session, partnership_id=partnership_id, user=user)


@router.patch(
    "/partnerships/{partnership_id}/users/{user_id}",
    response_model=UserRead,
    responses=responses(400, 401, 403, 404, 412, 422, 428),
)
def update_user(
    partnership_id: Id,
    user_id: Id,
    body: UserUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> UserRead:
    require(principal, partnership_id, Permission.manage_people)
    user = service.get_user(session, partnership_id=partnership_id, user_id=user_id)
    check_if_match(if_match, user.version)
    updated = service.update(
        session, principal=principal, partnership_id=partnership_id, user=user, data=body
    )
    set_etag(response, updated.version)
    return updated


@router.post(
    "/partnerships/{partnership_id}/users/{user_id}/roles",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def add_role(
    partnership_id: Id,
    user_id: Id,
    body: GrantIn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> UserRead:
    require(principal, partnership_id, Permission.manage_people)
    user = service.get_user(session, partnership_id=partnership_id, user_id=user_id)
    updated = service.add_role(
        session, principal=principal, partnership_id=partnership_id, user=user, grant=body
    )
    return updated


@router.delete(
    "/partnerships/{partnership_id}/roles/{membership_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422),
)
def remove_role(
    partnership_id: Id, membership_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    require(principal, partnership_id, Permission.manage_people)
    service.remove_role(
        session, principal=principal, partnership_id=partnership_id, membership_id=membership_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
