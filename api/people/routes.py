from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.db import SessionDep
from api.http import MAX_ID, Id, IfMatch, Limit, Offset, Page, Search, check_if_match, set_etag
from api.models import Role
from api.people import service
from api.people.schemas import AccountChange, AccountRead, GrantIn, UserCreate, UserRead
from api.permissions import Permission, require, require_platform_admin
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
    active: Annotated[
        bool | None,
        Query(description="true: only people active here; false: only those deactivated"),
    ] = None,
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
        active=active,
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
    """Make a new account with roles here.

    An email that already has an account (here or anywhere) is refused with 409
    `email-unavailable`, the same answer whatever the reason, which says nothing of the
    account. To give a person of this partnership another role, use `…/users/{id}/roles`.
    """
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


@router.get("/users/{user_id}", response_model=AccountRead, responses=responses(401, 403, 404, 422))
def read_account(
    user_id: Id, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> AccountRead:
    """Platform admins only: a person's account, with its ETag for a change."""
    require_platform_admin(principal)
    user = service.get_account(session, user_id=user_id)
    set_etag(response, user.version)
    return AccountRead.model_validate(user)


@router.patch(
    "/users/{user_id}",
    response_model=AccountRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def change_account(
    user_id: Id,
    body: AccountChange,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> AccountRead:
    """Platform admins only: change a person's name, email or password (recorded in each of
    their partnerships). Partnerships change only roles; the person changes the rest (PATCH /me)."""
    require_platform_admin(principal)
    user = service.get_account(session, user_id=user_id)
    check_if_match(if_match, user.version)
    user = service.change_account(session, principal=principal, user=user, data=body)
    set_etag(response, user.version)
    return AccountRead.model_validate(user)
