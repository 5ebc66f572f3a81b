from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.auth import password_reset
from api.auth.schemas import PasswordResetConfirm, PasswordResetRequest, PasswordResetRequested
from api.client_address import ClientAddress
from api.db import SessionDep
from api.problems import responses
from api.settings import Settings, get_settings

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/password-reset",
    response_model=PasswordResetRequested,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(400, 422, 429),
)
def ask_for_a_reset_link(
    body: PasswordResetRequest,
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
    client_address: ClientAddress,
) -> PasswordResetRequested:
    """Forgotten your password? If the email has an active account, a link to choose a new
    one is emailed to it, valid once for an hour.

    The answer is the same whether or not the email has an account. Too many requests for
    one email, or from one client address, are answered 429 with `Retry-After` (seconds).
    """
    password_reset.request_reset(
        session, email=str(body.email), client_address=client_address, settings=settings
    )
    return PasswordResetRequested()


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(400, 422),
)
def choose_a_new_password(body: PasswordResetConfirm, session: SessionDep) -> Response:
    """Choose a new password with the token from the emailed link (the password policy
    applies). The link is then used up, and every sign-in of the account ends.

    A link that is not one Assure sent is `reset-link-invalid`; one already used,
    `reset-link-used`; one past its hour, `reset-link-expired` (each 400).
    """
    password_reset.confirm_reset(session, token=body.token, new_password=body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
