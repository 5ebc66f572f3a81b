"""Finding a return for the one asking: whether they may see it, answer it or review it,
and the return as they should read it. Routes of every feature that acts on a return
start here."""

from sqlmodel import Session

from api.permissions import (
    Permission,
    can,
    may_answer,
    may_sign_off,
    require,
    require_may_answer,
    return_agencies,
)
from api.returns import answers, service
from api.returns.schemas import ReturnRead
from api.security import Principal


def visible(
    session: Session, principal: Principal, partnership_id: int, return_id: int
) -> service.Found:
    """The return, if the principal may see it; another agency's is not found (404)."""
    agencies = return_agencies(principal, partnership_id)
    return service.get(
        session, partnership_id=partnership_id, return_id=return_id, agencies=agencies
    )


def answerable(
    session: Session, principal: Principal, partnership_id: int, return_id: int
) -> service.Found:
    """The return, if the principal may also answer it (else 403)."""
    found = visible(session, principal, partnership_id, return_id)
    require_may_answer(principal, partnership_id, found.ret.agency_id)
    return found


def reviewable(
    session: Session, principal: Principal, partnership_id: int, return_id: int
) -> service.Found:
    """The return, if the principal may also review it (else 403)."""
    found = visible(session, principal, partnership_id, return_id)
    require(principal, partnership_id, Permission.review_returns)
    return found


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
    return read
