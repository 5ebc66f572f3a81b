from fastapi import APIRouter

from api.db import SessionDep
from api.http import Id
from api.people import activation, service
from api.people.schemas import UserRead
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["people"])


@router.post(
    "/partnerships/{partnership_id}/users/{user_id}/deactivate",
    response_model=UserRead,
    responses=responses(401, 403, 404, 409, 422),
)
def deactivate_user(
    partnership_id: Id, user_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> UserRead:
    """Stop the person's access to this partnership at once, keeping their roles.

    Their sign-ins and other partnerships are untouched; here their roles give them
    nothing and they get no notices, until they are reactivated. Nobody deactivates
    themselves, nor the last active partnership admin (409 `cannot-deactivate`).
    """
    require(principal, partnership_id, Permission.manage_people)
    user = service.get_user(session, partnership_id=partnership_id, user_id=user_id)
    return activation.deactivate(
        session, principal=principal, partnership_id=partnership_id, user=user
    )


@router.post(
    "/partnerships/{partnership_id}/users/{user_id}/reactivate",
    response_model=UserRead,
    responses=responses(401, 403, 404, 422),
)
def reactivate_user(
    partnership_id: Id, user_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> UserRead:
    """Give a deactivated person their roles here back, as they were."""
    require(principal, partnership_id, Permission.manage_people)
    user = service.get_user(session, partnership_id=partnership_id, user_id=user_id)
    return activation.reactivate(
        session, principal=principal, partnership_id=partnership_id, user=user
    )
