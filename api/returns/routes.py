from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from api.db import SessionDep
from api.http import (
    MAX_ID,
    Id,
    IfMatch,
    Limit,
    Offset,
    Page,
    check_if_match,
    expected_version,
    set_etag,
)
from api.models import ReturnStatus
from api.permissions import (
    Action,
    can,
    may_answer,
    may_sign_off,
    require_may_answer,
    require_may_sign_off,
    return_agencies,
)
from api.problems import responses
from api.returns import service
from api.returns.schemas import (
    ResponseSaved,
    ResponseWrite,
    ReturnRead,
    ReturnSummary,
    SignOffIn,
)
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["returns"])


def _read(
    session: Session, principal: Principal, partnership_id: int, found: service.Found
) -> ReturnRead:
    agency_id = found.ret.agency_id
    return service.read(
        session,
        found=found,
        may_answer=may_answer(principal, partnership_id, agency_id),
        may_sign_off=may_sign_off(principal, partnership_id, agency_id),
        may_review=can(principal, partnership_id, Action.review_returns),
    )


OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/partnerships/{partnership_id}/returns",
    response_model=Page[ReturnSummary],
    responses=responses(401, 404, 422),
)
def list_returns(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: OptionalId = None,
    agency_id: OptionalId = None,
    status: ReturnStatus | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ReturnSummary]:
    """Returns you may see: every agency's if you oversee the partnership, else your agency's.

    For agency staff this is "my returns", with their deadlines and progress.
    """
    agencies = return_agencies(principal, partnership_id)
    items, total = service.list_returns(
        session,
        partnership_id=partnership_id,
        agencies=agencies,
        programme_id=programme_id,
        agency_id=agency_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}",
    response_model=ReturnRead,
    responses=responses(401, 404, 422),
)
def read_return(
    partnership_id: Id,
    return_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ReturnRead:
    """A return with every answer and its progress by standard. Another agency's is 404."""
    agencies = return_agencies(principal, partnership_id)
    found = service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )
    set_etag(response, found.ret.version)
    return _read(session, principal, partnership_id, found)


@router.put(
    "/partnerships/{partnership_id}/returns/{return_id}/responses/{requirement_id}",
    response_model=ResponseSaved,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def save_response(
    partnership_id: Id,
    return_id: Id,
    requirement_id: Id,
    body: ResponseWrite,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseSaved:
    """Save one answer (autosave). If-Match carries the answer's ETag, `"0"` before the first.

    A save made against an older answer is refused with 412, and the problem's `current`
    holds the newer answer, so nothing is silently overwritten.
    """
    agencies = return_agencies(principal, partnership_id)
    found = service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )
    require_may_answer(principal, partnership_id, found.ret.agency_id)
    saved = service.save_response(
        session,
        principal=principal,
        partnership_id=partnership_id,
        found=found,
        requirement_id=requirement_id,
        data=body,
        expected_version=expected_version(if_match),
    )
    session.commit()
    set_etag(response, saved.version)
    return saved


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/submit",
    response_model=ReturnRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def submit_return(
    partnership_id: Id,
    return_id: Id,
    body: SignOffIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ReturnRead:
    """The agency's approver signs off and submits: the return is frozen as a new version.

    Every rule the return does not yet meet is listed at once in `errors`, each naming the
    field that would meet it (`responses.{requirement_id}.rating`, `sign_off.declaration`, …).
    """
    agencies = return_agencies(principal, partnership_id)
    found = service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )
    require_may_sign_off(principal, partnership_id, found.ret.agency_id)
    check_if_match(if_match, found.ret.version, required=False)
    service.submit(
        session, principal=principal, partnership_id=partnership_id, found=found, sign_off=body
    )
    session.commit()
    found = service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )
    set_etag(response, found.ret.version)
    return _read(session, principal, partnership_id, found)
