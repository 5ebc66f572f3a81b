"""Programmes: creating, editing, opening and closing an audit cycle, and who it asks."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agencies import service as agencies
from api.agencies.schemas import AgencyRead
from api.audit import service as audit
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.frameworks import service as frameworks
from api.http import like
from api.models import (
    Framework,
    FrameworkVersion,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
)
from api.models.base import utcnow
from api.permissions import ProgrammeView
from api.problems import Invalid, NotFound
from api.programmes import rules
from api.programmes.schemas import (
    FrameworkVersionRef,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeUpdate,
)
from api.returns import service as returns
from api.security import Principal


def _visible(query: Any, view: ProgrammeView) -> Any:
    if not view.drafts:
        query = query.where(Programme.status != ProgrammeStatus.draft)
    if view.agency_ids is not None:
        asking = select(ProgrammeAgency.programme_id).where(
            col(ProgrammeAgency.agency_id).in_(view.agency_ids)
        )
        query = query.where(col(Programme.id).in_(asking))
    return query


def _reads(
    session: Session, rows: list[tuple[Programme, FrameworkVersion, str]]
) -> list[ProgrammeRead]:
    ids = [p.id for p, _, _ in rows]
    counts = dict(
        session.exec(
            select(ProgrammeAgency.programme_id, func.count())
            .where(col(ProgrammeAgency.programme_id).in_(ids))
            .group_by(col(ProgrammeAgency.programme_id))
        ).all()
    )
    out = []
    for p, v, key in rows:
        assert p.id is not None and v.id is not None
        out.append(
            ProgrammeRead(
                id=p.id,
                partnership_id=p.partnership_id,
                title=p.title,
                description=p.description,
                status=p.status,
                opens_on=p.opens_on,
                deadline=p.deadline,
                reminder_days=p.reminder_days,
                opened_at=p.opened_at,
                closed_at=p.closed_at,
                framework_version=FrameworkVersionRef(
                    id=v.id,
                    framework_id=v.framework_id,
                    framework_key=key,
                    number=v.number,
                    name=v.name,
                ),
                asked_count=counts.get(p.id, 0),
                version=p.version,
                created_at=p.created_at,
                updated_at=p.updated_at,
            )
        )
    return out


def _with_framework() -> Any:
    return (
        select(Programme, FrameworkVersion, Framework.key)
        .join(FrameworkVersion, col(FrameworkVersion.id) == Programme.framework_version_id)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
    )


def list_programmes(
    session: Session,
    *,
    partnership_id: int,
    view: ProgrammeView,
    status: ProgrammeStatus | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ProgrammeRead], int]:
    """Programmes the viewer may see, newest first, in three statements."""
    query = _visible(_with_framework().where(Programme.partnership_id == partnership_id), view)
    if status is not None:
        query = query.where(Programme.status == status)
    if q:
        query = query.where(col(Programme.title).ilike(like(q), escape="\\"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Programme.opens_on).desc(), col(Programme.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return _reads(session, list(rows)), total


def get(
    session: Session, *, partnership_id: int, programme_id: int, view: ProgrammeView
) -> Programme:
    query = _visible(
        select(Programme).where(
            Programme.id == programme_id, Programme.partnership_id == partnership_id
        ),
        view,
    )
    programme = session.exec(query).first()
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def read(session: Session, *, programme: Programme) -> ProgrammeRead:
    row = session.exec(_with_framework().where(Programme.id == programme.id)).one()
    return _reads(session, [row])[0]


def _check_agencies(session: Session, *, partnership_id: int, agency_ids: list[int]) -> None:
    found = set(
        session.exec(
            select(PartnershipAgency.agency_id).where(
                PartnershipAgency.partnership_id == partnership_id,
                col(PartnershipAgency.agency_id).in_(agency_ids),
            )
        ).all()
    )
    unknown = [a for a in agency_ids if a not in found]
    if unknown:
        raise Invalid(
            {"agency_ids": f"not agencies of this partnership: {', '.join(map(str, unknown))}"}
        )


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: ProgrammeCreate
) -> Programme:
    problems = rules.date_problems(data.opens_on, data.deadline)
    if problems:
        raise Invalid(problems)
    try:
        frameworks.get_version(
            session, partnership_id=partnership_id, version_id=data.framework_version_id
        )
    except NotFound:
        raise Invalid({"framework_version_id": "no such framework version"}) from None
    if data.all_agencies and data.agency_ids:
        raise Invalid({"agency_ids": "leave out when asking all agencies"})
    if data.all_agencies:
        agency_ids = list(
            session.exec(
                select(PartnershipAgency.agency_id).where(
                    PartnershipAgency.partnership_id == partnership_id
                )
            ).all()
        )
    else:
        agency_ids = list(dict.fromkeys(data.agency_ids))
        _check_agencies(session, partnership_id=partnership_id, agency_ids=agency_ids)
    programme = Programme(
        partnership_id=partnership_id,
        **data.model_dump(exclude={"agency_ids", "all_agencies"}),
    )
    session.add(programme)
    session.flush()
    assert programme.id is not None
    session.add_all(ProgrammeAgency(programme_id=programme.id, agency_id=a) for a in agency_ids)
    emit(
        session,
        Event.programme_create,
        principal=principal,
        entity_type="programme",
        entity_id=programme.id,
        partnership_id=partnership_id,
        after={**(audit.snapshot(programme) or {}), "agency_ids": agency_ids},
    )
    return programme


def update(
    session: Session, *, principal: Principal, programme: Programme, data: ProgrammeUpdate
) -> Programme:
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if (v is not None or k == "description") and getattr(programme, k) != v
    }
    rules.check_edit(programme.status, set(changes))
    if not changes:  # nothing to change: no new version, no event
        return programme
    problems = rules.date_problems(
        changes.get("opens_on", programme.opens_on), changes.get("deadline", programme.deadline)
    )
    if problems:
        raise Invalid(problems)
    if "framework_version_id" in changes:
        try:
            frameworks.get_version(
                session,
                partnership_id=programme.partnership_id,
                version_id=changes["framework_version_id"],
            )
        except NotFound:
            raise Invalid({"framework_version_id": "no such framework version"}) from None
    before = audit.snapshot(programme)
    for key, value in changes.items():
        setattr(programme, key, value)
    bump_version(session, programme)
    session.add(programme)
    emit(
        session,
        Event.programme_update,
        principal=principal,
        entity_type="programme",
        entity_id=programme.id,
        partnership_id=programme.partnership_id,
        before=before,
        after=audit.snapshot(programme),
    )
    return programme


def asked_count(session: Session, *, programme: Programme) -> int:
    return session.exec(
        select(func.count()).where(ProgrammeAgency.programme_id == programme.id)
    ).one()


def transition(
    session: Session, *, principal: Principal, programme: Programme, target: ProgrammeStatus
) -> Programme:
    rules.check_transition(
        programme.status, target, asked=asked_count(session, programme=programme)
    )
    before = audit.snapshot(programme)
    programme.status = target
    if target == ProgrammeStatus.open:
        programme.opened_at = utcnow()
        returns.make_for(session, programme=programme)
    elif target == ProgrammeStatus.closed:
        programme.closed_at = utcnow()
    bump_version(session, programme)
    session.add(programme)
    emit(
        session,
        Event.programme_open if target == ProgrammeStatus.open else Event.programme_close,
        principal=principal,
        entity_type="programme",
        entity_id=programme.id,
        partnership_id=programme.partnership_id,
        before=before,
        after=audit.snapshot(programme),
    )
    return programme


def list_asked(
    session: Session, *, programme: Programme, q: str | None, limit: int, offset: int
) -> tuple[list[AgencyRead], int]:
    asked = select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme.id)
    return agencies.list_agencies(
        session,
        partnership_id=programme.partnership_id,
        q=q,
        among=asked,
        limit=limit,
        offset=offset,
    )


def set_asked(
    session: Session, *, principal: Principal, programme: Programme, agency_id: int, asked: bool
) -> bool:
    """Ask an agency, or stop asking it; returns whether anything changed."""
    rules.check_asked_change(programme.status, adding=asked)
    agencies.get_pair(session, partnership_id=programme.partnership_id, agency_id=agency_id)
    link = session.exec(
        select(ProgrammeAgency).where(
            ProgrammeAgency.programme_id == programme.id, ProgrammeAgency.agency_id == agency_id
        )
    ).first()
    if (link is not None) == asked:
        return False
    assert programme.id is not None
    if asked:
        session.add(ProgrammeAgency(programme_id=programme.id, agency_id=agency_id))
        session.flush()
        returns.make_for(session, programme=programme, agency_ids=[agency_id])
    else:
        session.delete(link)
    bump_version(session, programme)
    session.add(programme)
    emit(
        session,
        Event.programme_ask_agency if asked else Event.programme_unask_agency,
        principal=principal,
        entity_type="programme",
        entity_id=programme.id,
        partnership_id=programme.partnership_id,
        after={"agency_id": agency_id, "asked": asked},
    )
    return True
