"""Confirming answers carried forward from an earlier return.

A copied answer says what was true last time. Until someone in the agency confirms that it
still holds (or changes it), it counts as unrated and the return cannot be submitted.
"""

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.events.catalogue import Event
from api.events.emit import emit
from api.models import Attachment, Requirement, RequirementResponse, Standard
from api.models.base import utcnow
from api.problems import Conflict, NotFound, PreconditionFailed
from api.returns.answers import check_answerable, state
from api.returns.schemas import Confirmed, ResponseRead, ResponseSaved
from api.returns.service import Found
from api.security import Principal


def _confirm(session: Session, principal: Principal, found: Found, *conditions: object) -> int:
    """Mark the carried-forward answers that match `conditions`, and their files, confirmed."""
    assert found.ret.id is not None
    confirmed = session.execute(
        update(RequirementResponse)
        .where(
            col(RequirementResponse.return_id) == found.ret.id,
            col(RequirementResponse.carried_forward).is_(True),
            *conditions,  # type: ignore[arg-type]
        )
        .values(
            carried_forward=False,
            version=RequirementResponse.version + 1,
            updated_at=utcnow(),
            updated_by_id=principal.user_id,
        )
        .returning(col(RequirementResponse.requirement_id))
    ).all()
    requirement_ids = [rid for (rid,) in confirmed]
    if requirement_ids:
        session.execute(
            update(Attachment)
            .where(
                col(Attachment.return_id) == found.ret.id,
                col(Attachment.requirement_id).in_(requirement_ids),
            )
            .values(carried_forward=False)
        )
    return len(requirement_ids)


def confirm_answer(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: Found,
    requirement_id: int,
    expected_version: int,
) -> ResponseSaved:
    """Confirm one carried-forward answer as it stands, unless it changed since it was read."""
    check_answerable(found)
    response = session.exec(
        select(RequirementResponse).where(
            RequirementResponse.return_id == found.ret.id,
            RequirementResponse.requirement_id == requirement_id,
        )
    ).first()
    if response is None:
        raise NotFound("This requirement has no answer in this return.")
    if response.version != expected_version:
        raise PreconditionFailed(
            "Someone changed this answer since you read it. Read it again before confirming.",
            current=state(response),
        )
    if not response.carried_forward:
        raise Conflict("Only an answer carried forward from an earlier return needs confirming.")
    if not _confirm(
        session,
        principal,
        found,
        col(RequirementResponse.requirement_id) == requirement_id,
        col(RequirementResponse.version) == expected_version,
    ):
        session.refresh(response)
        raise PreconditionFailed(
            "Someone changed this answer at the same moment. Read it again.",
            current=state(response),
        )
    session.refresh(response)
    emit(
        session, Event.response_confirm, principal=principal,  entity_type="response",
        entity_id=response.id, partnership_id=partnership_id, after=state(response),
    )  # fmt: skip
    return ResponseSaved(
        **ResponseRead.model_validate(response, from_attributes=True).model_dump(),
        return_status=found.ret.status,
    )


def confirm_standard(
    session: Session, *, principal: Principal, partnership_id: int, found: Found, standard_id: int
) -> Confirmed:
    """Confirm every carried-forward answer of one standard of the return's framework."""
    check_answerable(found)
    standard = session.exec(
        select(Standard.id).where(
            Standard.id == standard_id,
            Standard.framework_version_id == found.framework_version_id,
        )
    ).first()
    if standard is None:
        raise NotFound("No such standard in this return's framework.")
    in_standard = select(Requirement.id).where(Requirement.standard_id == standard_id)
    confirmed = _confirm(
        session, principal, found, col(RequirementResponse.requirement_id).in_(in_standard)
    )
    if confirmed:
        emit(
            session, Event.response_confirm, principal=principal,  entity_type="return",
            entity_id=found.ret.id, partnership_id=partnership_id,
            after={"standard_id": standard_id, "confirmed": confirmed},
        )  # fmt: skip
    return Confirmed(confirmed=confirmed)
