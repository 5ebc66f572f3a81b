"""Agencies, as members of a partnership."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agencies.schemas import AgencyCreate, AgencyRead, AgencyUpdate
from api.audit import service as audit
from api.db import bump_version
from api.http import like
from api.models import Agency, PartnershipAgency, Sector
from api.problems import Conflict, NotFound
from api.security import Principal


def _read(agency: Agency, link: PartnershipAgency) -> AgencyRead:
    assert agency.id is not None
    return AgencyRead(
        id=agency.id,
        partnership_id=link.partnership_id,
        name=agency.name,
        sector=agency.sector,
        statutory_partner=link.statutory_partner,
        version=agency.version,
        created_at=agency.created_at,
        updated_at=agency.updated_at,
    )


def get_pair(
    session: Session, *, partnership_id: int, agency_id: int
) -> tuple[Agency, PartnershipAgency]:
    row = session.exec(
        select(Agency, PartnershipAgency)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .where(Agency.id == agency_id, PartnershipAgency.partnership_id == partnership_id)
    ).first()
    if row is None:
        raise NotFound("No such agency in this partnership.")
    return row[0], row[1]


def get(session: Session, *, partnership_id: int, agency_id: int) -> AgencyRead:
    return _read(*get_pair(session, partnership_id=partnership_id, agency_id=agency_id))


def list_agencies(
    session: Session,
    *,
    partnership_id: int,
    q: str | None = None,
    sector: Sector | None = None,
    statutory_partner: bool | None = None,
    among: Any = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AgencyRead], int]:
    query = (
        select(Agency, PartnershipAgency)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .where(PartnershipAgency.partnership_id == partnership_id)
    )
    if q:
        query = query.where(col(Agency.name).ilike(like(q), escape="\\"))
    if sector is not None:
        query = query.where(Agency.sector == sector)
    if statutory_partner is not None:
        query = query.where(PartnershipAgency.statutory_partner == statutory_partner)
    if among is not None:  # a SELECT of agency ids
        query = query.where(col(Agency.id).in_(among))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(PartnershipAgency.statutory_partner).desc(), col(Agency.name))
        .limit(limit)
        .offset(offset)
    ).all()
    return [_read(a, link) for a, link in rows], total


def _ensure_unique_name(
    session: Session, *, partnership_id: int, name: str, agency_id: int | None = None
) -> None:
    query = (
        select(Agency.id)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .where(
            PartnershipAgency.partnership_id == partnership_id,
            func.lower(Agency.name) == name.lower(),
        )
    )
    if agency_id is not None:
        query = query.where(Agency.id != agency_id)
    if session.exec(query).first() is not None:
        raise Conflict(f"A partnership of this agency already has an agency called “{name}”.")


def _state(agency: Agency, link: PartnershipAgency) -> dict[str, Any]:
    return {**(audit.snapshot(agency) or {}), "statutory_partner": link.statutory_partner}


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: AgencyCreate
) -> AgencyRead:
    _ensure_unique_name(session, partnership_id=partnership_id, name=data.name)
    agency = Agency(name=data.name, sector=data.sector)
    session.add(agency)
    session.flush()
    assert agency.id is not None
    link = PartnershipAgency(
        partnership_id=partnership_id,
        agency_id=agency.id,
        statutory_partner=data.statutory_partner,
    )
    session.add(link)
    audit.record(
        session,
        principal=principal,
        action="agency.create",
        entity_type="agency",
        entity_id=agency.id,
        partnership_id=partnership_id,
        after=_state(agency, link),
    )
    return _read(agency, link)


def link(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    agency_id: int,
    statutory_partner: bool,
) -> AgencyRead:
    """Make an existing agency a member of another partnership too."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("No such agency.")
    _ensure_unique_name(session, partnership_id=partnership_id, name=agency.name)
    membership = PartnershipAgency(
        partnership_id=partnership_id, agency_id=agency_id, statutory_partner=statutory_partner
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="agency.link",
        entity_type="agency",
        entity_id=agency_id,
        partnership_id=partnership_id,
        after=_state(agency, membership),
    )
    return _read(agency, membership)


def update(
    session: Session,
    *,
    principal: Principal,
    agency: Agency,
    link: PartnershipAgency,
    data: AgencyUpdate,
) -> AgencyRead:
    before = _state(agency, link)
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None and before[k] != v
    }
    if not changes:  # nothing to change: no new version, no event
        return _read(agency, link)
    if "name" in changes:
        # The agency is one record in every partnership it belongs to: the name must be free
        # in each of them.
        for partnership_id in session.exec(
            select(PartnershipAgency.partnership_id).where(PartnershipAgency.agency_id == agency.id)
        ):
            _ensure_unique_name(
                session, partnership_id=partnership_id, name=changes["name"], agency_id=agency.id
            )
        agency.name = changes["name"]
    if "sector" in changes:
        agency.sector = changes["sector"]
    if "statutory_partner" in changes:
        link.statutory_partner = changes["statutory_partner"]
        session.add(link)
    bump_version(session, agency)
    session.add(agency)
    audit.record(
        session,
        principal=principal,
        action="agency.update",
        entity_type="agency",
        entity_id=agency.id,
        partnership_id=link.partnership_id,
        before=before,
        after=_state(agency, link),
    )
    return _read(agency, link)
