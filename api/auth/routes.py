from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service
from api.auth.schemas import (
    MeRead,
    ServiceTokenCreate,
    ServiceTokenIssued,
    ServiceTokenRead,
    TokenRead,
)
from api.client_address import ClientAddress
from api.db import SessionDep
from api.http import Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.idempotency.rules import SHOWS_SECRET_ONCE
from api.people import service as people
from api.people.schemas import OwnAccountChange
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal
from api.settings import Settings, get_settings

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=TokenRead,
    responses=responses(401, 422, 429),
    openapi_extra=SHOWS_SECRET_ONCE,
)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
    client_address: ClientAddress,
) -> TokenRead:
    """OAuth2 password flow: `username` is the email. Returns an opaque bearer token.

    Too many failures for one email, or from one client address across emails, are
    answered 429 with `Retry-After` (seconds) until the oldest leaves the window.
    """
    token, _ = service.sign_in(
        session,
        email=form.username,
        password=form.password,
        settings=settings,
        client_address=client_address,
    )
    return TokenRead(access_token=token, expires_in=settings.token_ttl_minutes * 60)


@router.post("/auth/revoke", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401))
def sign_out(principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Revoke the token this request carries (sign out)."""
    service.sign_out(session, principal=principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MeRead, responses=responses(401))
def read_me(principal: CurrentPrincipal, session: SessionDep, response: Response) -> MeRead:
    """Who the token belongs to, their roles in each partnership and what they may do there.

    For a person, the ETag is their account's version, for PATCH /me.
    """
    me = MeRead.model_validate(service.me(session, principal=principal))
    if me.version is not None:
        set_etag(response, me.version)
    return me


@router.patch("/me", response_model=MeRead, responses=responses(400, 401, 403, 409, 412, 422, 428))
def change_me(
    body: OwnAccountChange,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> MeRead:
    """Change your own name, email or password (the last two need `current_password`).

    Only you, or a platform admin, may change these; each partnership you belong to
    records the change in its audit log. A new password ends your other sign-ins.
    """
    if principal.user_id is not None:
        check_if_match(if_match, people.get_account(session, user_id=principal.user_id).version)
    user = people.change_own_account(session, principal=principal, data=body)
    set_etag(response, user.version)
    return MeRead.model_validate(service.me(session, principal=principal))


@router.get(
    "/partnerships/{partnership_id}/service-tokens",
    response_model=Page[ServiceTokenRead],
    responses=responses(401, 403, 404, 422),
)
def list_service_tokens(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ServiceTokenRead]:
    """The partnership's service tokens, newest first (never the tokens themselves)."""
    require(principal, partnership_id, Permission.manage_service_tokens)
    rows, total = service.list_service_tokens(
        session, partnership_id=partnership_id, limit=limit, offset=offset
    )
    items = [ServiceTokenRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/service-tokens",
    response_model=ServiceTokenIssued,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
    openapi_extra=SHOWS_SECRET_ONCE,
)
def issue_service_token(
    partnership_id: Id, body: ServiceTokenCreate, principal: CurrentPrincipal, session: SessionDep
) -> ServiceTokenIssued:
    """Issue a token for another system, bound to this partnership, with the given scopes."""
    require(principal, partnership_id, Permission.manage_service_tokens)
    token, row = service.issue_service_token(
        session, principal=principal, partnership_id=partnership_id, **body.model_dump(mode="json")
    )
    return ServiceTokenIssued(token=token, **ServiceTokenRead.model_validate(row).model_dump())


@router.get(
    "/partnerships/{partnership_id}/service-tokens/{token_id}",
    response_model=ServiceTokenRead,
    responses=responses(401, 403, 404, 422),
)
def read_service_token(
    partnership_id: Id, token_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> ServiceTokenRead:
    """One service token of the partnership (never the token itself)."""
    require(principal, partnership_id, Permission.manage_service_tokens)
    row = service.get_service_token(session, partnership_id=partnership_id, token_id=token_id)
    return ServiceTokenRead.model_validate(row)


@router.delete(
    "/partnerships/{partnership_id}/service-tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 422),
)
def revoke_service_token(
    partnership_id: Id, token_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    require(principal, partnership_id, Permission.manage_service_tokens)
    service.revoke_service_token(
        session, principal=principal, partnership_id=partnership_id, token_id=token_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
