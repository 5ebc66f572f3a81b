"""Finding a return for the one asking: whether they may see it, answer it or review it,
and the return as they should read it. Routes of every feature that acts on a return
start here."""

from sqlmodel import Session

from api.attachments.schemas import EvidenceFileRules
from api.permissions import (
    Permission,
    can,
    may_answer,
    may_sign_off,
    require,
    require_may_answer,
    return_agencies,
    return_allowed,
)
from api.returns import answers, service
from api.returns.schemas import ReturnRead
from api.security import Principal
from api.settings import get_settings


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
        carry_from=answers.carry_source(session, ret=found.ret)
        if answering and found.editable and found.rated < found.requirement_count
        else None,
    )
    allowed = return_allowed(
        principal,
        partnership_id,
        agency_id=agency_id,
        status=found.ret.status,
        editable=found.editable,
        programme_open=found.programme_open,
    )
    rules = EvidenceFileRules.of(get_settings().attachment_max_bytes)
    return read.model_copy(
        update={
            "programme_status": found.programme_status,
            "allowed": allowed,
            "evidence_files": rules,
        }
    )
