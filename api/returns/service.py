"""Returns: made when a programme asks an agency, read by those who may see them."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.models import (
    Agency,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
    RequirementResponse,
    Return,
    ReturnStatus,
    Standard,
)
from api.models.framework import Requirement
from api.problems import NotFound
from api.returns.schemas import ResponseRead, ReturnRead, ReturnSummary, StandardProgress


def make_for(session: Session, *, programme: Programme, agency_ids: list[int] | None = None) -> int:
    """Make a return for each agency the open programme asks that has none yet."""
    if programme.status != ProgrammeStatus.open:
        return 0
    asked = select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme.id)
    if agency_ids is not None:
        asked = asked.where(col(ProgrammeAgency.agency_id).in_(agency_ids))
    have = select(Return.agency_id).where(Return.programme_id == programme.id)
    missing = session.exec(asked.where(col(ProgrammeAgency.agency_id).not_in(have))).all()
    assert programme.id is not None
    session.add_all(Return(programme_id=programme.id, agency_id=a) for a in missing)
    session.flush()
    return len(missing)


def _summary_query(partnership_id: int, agencies: frozenset[int] | None) -> Any:
    requirement_count = (
        select(Standard.framework_version_id, func.count(col(Requirement.id)).label("n"))
        .join(Requirement, col(Requirement.standard_id) == Standard.id)
        .group_by(col(Standard.framework_version_id))
        .subquery()
    )
    rated = (
        select(RequirementResponse.return_id, func.count().label("n"))
        .where(col(RequirementResponse.rating).is_not(None))
        .group_by(col(RequirementResponse.return_id))
        .subquery()
    )
    query = (
        select(  # type: ignore[call-overload]
            Return,
            Programme.title,
            Programme.deadline,
            Programme.framework_version_id,
            Agency.name,
            func.coalesce(rated.c.n, 0),
            func.coalesce(requirement_count.c.n, 0),
        )
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .outerjoin(rated, rated.c.return_id == Return.id)
        .outerjoin(
            requirement_count,
            requirement_count.c.framework_version_id == Programme.framework_version_id,
        )
        .where(Programme.partnership_id == partnership_id)
    )
    if agencies is not None:
        query = query.where(col(Return.agency_id).in_(agencies))
    return query


def _summary(row: Any) -> ReturnSummary:
    ret, title, deadline, _, agency_name, rated, requirement_count = row
    return ReturnSummary(
        id=ret.id,
        programme_id=ret.programme_id,
        programme_title=title,
        deadline=deadline,
        agency_id=ret.agency_id,
        agency_name=agency_name,
        status=ret.status,
        submitted_at=ret.submitted_at,
        rated=rated,
        requirement_count=requirement_count,
        version=ret.version,
    )


def list_returns(
    session: Session,
    *,
    partnership_id: int,
    agencies: frozenset[int] | None,
    programme_id: int | None,
    agency_id: int | None,
    status: ReturnStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[ReturnSummary], int]:
    """The returns the viewer may see, by deadline then agency, in two statements."""
    query = _summary_query(partnership_id, agencies)
    if programme_id is not None:
        query = query.where(Return.programme_id == programme_id)
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    if status is not None:
        query = query.where(Return.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Programme.deadline).desc(), col(Agency.name), col(Return.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [_summary(r) for r in rows], total


def get(
    session: Session, *, partnership_id: int, return_id: int, agencies: frozenset[int] | None
) -> Any:
    row = session.exec(
        _summary_query(partnership_id, agencies).where(Return.id == return_id)
    ).first()
    if row is None:
        raise NotFound("No such return, or it is not yours to see.")
    return row


def read(session: Session, *, row: Any) -> ReturnRead:
    """The whole return: its answers and its progress standard by standard."""
    ret: Return = row[0]
    version_id = row[3]
    responses = session.exec(
        select(RequirementResponse).where(RequirementResponse.return_id == ret.id)
    ).all()
    rated_ids = {r.requirement_id for r in responses if r.rating is not None}
    requirements = session.exec(
        select(Standard, Requirement.id)
        .join(Requirement, col(Requirement.standard_id) == Standard.id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    progress: dict[int, StandardProgress] = {}
    for standard, requirement_id in requirements:
        assert standard.id is not None
        entry = progress.setdefault(
            standard.id,
            StandardProgress(
                standard_id=standard.id,
                code=standard.code,
                title=standard.title,
                rated=0,
                requirement_count=0,
            ),
        )
        entry.requirement_count += 1
        entry.rated += requirement_id in rated_ids
    return ReturnRead(
        **_summary(row).model_dump(),
        framework_version_id=version_id,
        started_at=ret.started_at,
        accepted_at=ret.accepted_at,
        progress=list(progress.values()),
        responses=[ResponseRead.model_validate(r, from_attributes=True) for r in responses],
    )
