"""Invitations by email: a partnership's admins invite; the link's holder looks and accepts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.db import SessionDep
from api.http import Id, Limit, Offset, Page
from api.idempotency.rules import SHOWS_SECRET_ONCE
from api.invitations import service
from api.invitations.rules import InvitationState
from api.invitations.schemas import (
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationOffer,
    InvitationRead,
    TokenIn,
)
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal, oauth2_scheme
from api.settings import Settings, get_settings

router = APIRouter(tags=["invitations"])
MANY = "/partnerships/{partnership_id}/invitations"
ONE = MANY + "/{invitation_id}"


@router.post(
    MANY,
    response_model=InvitationRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def create_invitation(
    partnership_id: Id,
    body: InvitationCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> InvitationRead:
    """Invite an email to hold roles here; the email with its link (valid 7 days) is queued.

    Whether the email has an account elsewhere changes nothing in the answer. 409
    `already-member` for a person who holds a role here already (give them another on
    their record), 409 `already-invited` for an email with a pending invitation here.
    """
    require(principal, partnership_id, Permission.manage_people)
    invitation = service.invite(
        session, principal=principal, partnership_id=partnership_id, data=body
    )
    response.headers["Location"] = f"/api/v1{MANY}/{invitation.id}".replace(
        "{partnership_id}", str(partnership_id)
    )
    return service.read(session, invitation)


@router.get(MANY, response_model=Page[InvitationRead], responses=responses(401, 403, 404, 422))
def list_invitations(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    state: Annotated[InvitationState | None, Query()] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[InvitationRead]:
    """The partnership's invitations, pending first, then newest first."""
    require(principal, partnership_id, Permission.manage_people)
    rows, total = service.list_invitations(
        session, partnership_id=partnership_id, state=state, limit=limit, offset=offset
    )
    items = [service.read(session, r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(ONE, response_model=InvitationRead, responses=responses(401, 403, 404, 422))
def read_invitation(
    partnership_id: Id, invitation_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> InvitationRead:
    require(principal, partnership_id, Permission.manage_people)
    invitation = service.get(session, partnership_id=partnership_id, invitation_id=invitation_id)
    return service.read(session, invitation)


@router.post(
    ONE + "/resend", response_model=InvitationRead, responses=responses(401, 403, 404, 409, 422)
)
def resend_invitation(
    partnership_id: Id, invitation_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> InvitationRead:
    """Email a new link, valid another 7 days; the link sent before stops working."""
    require(principal, partnership_id, Permission.manage_people)
    invitation = service.get(session, partnership_id=partnership_id, invitation_id=invitation_id)
    return service.read(
        session, service.resend(session, principal=principal, invitation=invitation)
    )


@router.delete(
    ONE, status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 403, 404, 409, 422)
)
def revoke_invitation(
    partnership_id: Id, invitation_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Withdraw the invitation: its link stops working (409 once it was accepted)."""
    require(principal, partnership_id, Permission.manage_people)
    invitation = service.get(session, partnership_id=partnership_id, invitation_id=invitation_id)
    service.revoke(session, principal=principal, invitation=invitation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invitations/lookup", response_model=InvitationOffer, responses=responses(400, 404, 409, 422)
)
def look_up_invitation(body: TokenIn, session: SessionDep) -> InvitationOffer:
    """What the invitation offers, for its link's holder (no sign-in needed).

    404 `invitation-invalid` for a token Assure did not send or that a newer email
    replaced; 409 `invitation-closed` once it was accepted, revoked or expired.
    """
    return service.lookup(session, token=body.token)


@router.post(
    "/invitations/accept",
    response_model=InvitationAccepted,
    responses={
        201: {"model": InvitationAccepted, "description": "A new account, signed in"},
        **responses(400, 401, 403, 404, 409, 422),
    },
    openapi_extra=SHOWS_SECRET_ONCE,  # a new account's sign-in token
)
def accept_invitation(
    body: InvitationAccept,
    session: SessionDep,
    response: Response,
    settings: Annotated[Settings, Depends(get_settings)],
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
) -> InvitationAccepted:
    """Take up the invitation's roles.

    For an email without an account, send `password` (and `name` if it should differ):
    the account is made and signed in (201, with a token as POST /auth/token gives). For
    an email with an account, send the request signed in as that account (200); otherwise
    401 (not signed in) or 403 (signed in as someone else). A link works once.
    """
    answer, created = service.accept(session, data=body, bearer=bearer, settings=settings)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return answer
