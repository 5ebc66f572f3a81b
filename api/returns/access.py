"""Finding a return for the one asking: whether they may see it, answer it or review it,
and the return as they should read it. Routes of every feature that acts on a return
start here, by taking a `VisibleReturn`, `AnswerableReturn` or `ReviewableReturn`."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session

from api.attachments.schemas import EvidenceFileRules
from api.challenge import service as challenge
from api.db import SessionDep
from api.http import Id
from api.permissions import (
    Permission,
    ReturnsView,
    can,
    may_answer,
    may_sign_off,
    require,
    require_may_answer,
    return_allowed,
    returns_view,
)
from api.returns import answers, service
from api.returns.schemas import ReturnRead
from api.security import CurrentPrincipal, Principal
from api.settings import get_settings


def readable(session: Session, principal: Principal, partnership_id: int) -> ReturnsView:
    """Whose returns and action plans the principal may read."""
    return returns_view(
        principal,
        partnership_id,
        lambda: challenge.panel_reads(
            session, partnership_id=partnership_id, user_id=principal.user_id
        ),
    )


def visible(
    session: Session, principal: Principal, partnership_id: int, return_id: int
) -> service.Found:
    """The return, if the principal may see it; another agency's is not found (404)."""
    return service.get(
        session,
        partnership_id=partnership_id,
        return_id=return_id,
        view=readable(session, principal, partnership_id),
    )


async def _route_params_checked(request: Request) -> None:
    """Refuse a malformed id, query, header or body (422) before any return is loaded.

    FastAPI validates a route's own parameters only after its dependencies have run, so
    without this a bad `requirement_id` could be answered 403 or 404 from the database.
    The route's own fields are checked here as FastAPI will check them (its body is read
    once and kept by the request; an upload declares no body field and is not read).
    """
    route = request.scope["route"]
    own = route.dependant
    errors = [
        *request_params_to_args(own.path_params, request.path_params)[1],
        *request_params_to_args(own.query_params, request.query_params)[1],
        *request_params_to_args(own.header_params, request.headers)[1],
    ]
    if own.body_params:
        body = await _body_as_fastapi_reads_it(request)
        _, body_errors = await request_body_to_args(
            own.body_params, body, getattr(route, "_embed_body_fields", False)
        )
        errors.extend(body_errors)
    if errors:
        raise RequestValidationError(errors)


async def _body_as_fastapi_reads_it(request: Request) -> Any:
    """JSON when it parses (FastAPI has already refused malformed JSON), else the bytes."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return await request.json()
    except ValueError:  # another content type: FastAPI validates the bytes, and so do we
        return raw


def _visible(
    partnership_id: Id,
    return_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    _: Annotated[None, Depends(_route_params_checked)],
) -> service.Found:
    return visible(session, principal, partnership_id, return_id)


VisibleReturn = Annotated[service.Found, Depends(_visible)]


def _answerable(
    found: VisibleReturn, partnership_id: Id, principal: CurrentPrincipal
) -> service.Found:
    """The return, if the principal may also answer it (else 403)."""
    require_may_answer(principal, partnership_id, found.ret.agency_id)
    return found


def _reviewable(
    found: VisibleReturn, partnership_id: Id, principal: CurrentPrincipal
) -> service.Found:
    """The return, if the principal may also review it (else 403)."""
    require(principal, partnership_id, Permission.review_returns)
    return found


# The return named by the path, loaded in the request's session before the route runs.
AnswerableReturn = Annotated[service.Found, Depends(_answerable)]
ReviewableReturn = Annotated[service.Found, Depends(_reviewable)]


def read_for(
    session: Session, principal: Principal, partnership_id: int, found: service.Found
) -> ReturnRead:
    """The whole return, with what this principal may do with it."""
    agency_id = found.ret.agency_id
    answering = may_answer(principal, partnership_id, agency_id)
    read = service.read(
        session,
        found=found,
        may_answer=answering,
        may_sign_off=may_sign_off(principal, partnership_id, agency_id),
        may_review=can(principal, partnership_id, Permission.review_returns),
    )
    # Carrying forward fills only requirements without an answer: offer it while some are.
    if answering and found.editable and len(read.responses) < read.requirement_count:
        read.carry_forward_from = answers.carry_source(session, ret=found.ret)
    allowed = return_allowed(
        principal,
        partnership_id,
        agency_id=agency_id,
        status=found.ret.status,
        editable=found.editable,
        programme_open=found.programme_open,
        submitted=found.ret.submitted_at is not None,
    )
    rules = EvidenceFileRules.of(get_settings().attachment_max_bytes)
    return read.model_copy(
        update={
            "programme_status": found.programme_status,
            "allowed": allowed,
            "evidence_files": rules,
        }
    )
