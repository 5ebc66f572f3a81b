"""Each person's choice of the emails they are sent."""

from fastapi import APIRouter

from api.db import SessionDep
from api.notices import preferences
from api.notices.schemas import NoticeSettings, NoticeSettingsChange
from api.problems import Forbidden, responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["notices"])


def _own_user_id(principal: Principal) -> int:
    if principal.user_id is None:
        raise Forbidden("A service token is sent no emails.")
    return principal.user_id


@router.get("/me/notices", response_model=NoticeSettings, responses=responses(401, 403))
def read_notices(principal: CurrentPrincipal, session: SessionDep) -> NoticeSettings:
    """The kinds of email you may be sent, and which you turned off."""
    return preferences.read(session, user_id=_own_user_id(principal))


@router.put("/me/notices", response_model=NoticeSettings, responses=responses(400, 401, 403, 422))
def change_notices(
    body: NoticeSettingsChange, principal: CurrentPrincipal, session: SessionDep
) -> NoticeSettings:
    """Choose the kinds of email you do not want; the others are sent. A personal choice:
    no partnership's audit log records it."""
    return preferences.replace(session, user_id=_own_user_id(principal), off=set(body.off))
