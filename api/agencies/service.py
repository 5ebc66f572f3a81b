"""Agencies, as members of partnerships.

An agency is one record however many partnerships it belongs to. Its name and sector are
shared facts kept by its owning partnership (the one that added it); whether it is a
statutory partner is each partnership's own fact, on the membership. The owner shares an
agency by offering it to another partnership, which accepts or declines: nothing changes
in a partnership without its consent, and no one learns what another partnership holds.
"""

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.agencies.schemas import (
    AgencyCreate,
    AgencyRead,
    AgencyUpdate,
)
from api.audit import service as audit
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.http import like
from api.models import Agency, Partnership, PartnershipAgency, Sector
from api.permissions import require_keeps_agency
from api.problems import Conflict, NotFound
from api.security import Principal

SHARED_FACTS = ("name", "sector")
_Owner = aliased(Partnership)


def _read(agency: Agency, link: PartnershipAgency, owner_name: str) -> AgencyRead:
    assert agency.id is not None
    return AgencyRead(
        id=agency.id,
        partnership_id=link.partnership_id,
        name=agency.name,
        sector=agency.sector,
        statutory_partner=link.statutory_partner,
        owner_partnership_id=agency.owner_partnership_id,
        owner_partnership_name=owner_name,
        version=agency.version,
        created_at=agency.created_at,
        updated_at=agency.updated_at,
    )


def _with_owner() -> Any:
    return (
        select(Agency, PartnershipAgency, _Owner.name)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .join(_Owner, col(_Owner.id) == Agency.owner_partnership_id)
    )


def _get_row(
    session: Session, *, partnership_id: int, agency_id: int
) -> tuple[Agency, PartnershipAgency, str]:
    row = session.exec(
        _with_owner().where(
            Agency.id == agency_id, PartnershipAgency.partnership_id == partnership_id
        )
    ).first()
    if row is None:
        raise NotFound("No such agency in this partnership.")
    return row[0], row[1], row[2]


def get_pair(
    session: Session, *, partnership_id: int, agency_id: int
) -> tuple[Agency, PartnershipAgency]:
    agency, link, _ = _get_row(session, partnership_id=partnership_id, agency_id=agency_id)
    return agency, link


def get(session: Session, *, partnership_id: int, agency_id: int) -> AgencyRead:
    return _read(*_get_row(session, partnership_id=partnership_id, agency_id=agency_id))


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
    query = _with_owner().where(PartnershipAgency.partnership_id == partnership_id)
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
    return [_read(a, link, owner) for a, link, owner in rows], total


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


def _member_partnerships(session: Session, agency_id: int) -> list[int]:
    return list(
        session.exec(
            select(PartnershipAgency.partnership_id)
            .where(PartnershipAgency.agency_id == agency_id)
            .order_by(col(PartnershipAgency.id))
        )
    )


def _shared(agency: Agency) -> dict[str, Any]:
    """What every partnership of the agency may read about it, for their audit logs."""
    return audit.snapshot(agency) or {}


def _state(agency: Agency, link: PartnershipAgency) -> dict[str, Any]:
    return {**_shared(agency), "statutory_partner": link.statutory_partner}


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: AgencyCreate
) -> AgencyRead:
    """Add an agency to the partnership, which becomes the keeper of its shared facts."""
    _ensure_unique_name(session, partnership_id=partnership_id, name=data.name)
    owner = session.get(Partnership, partnership_id)
    assert owner is not None
    agency = Agency(name=data.name, sector=data.sector, owner_partnership_id=partnership_id)
    session.add(agency)
    session.flush()
    assert agency.id is not None
    link = PartnershipAgency(
        partnership_id=partnership_id,
        agency_id=agency.id,
        statutory_partner=data.statutory_partner,
    )
    session.add(link)
    emit(
        session,
        Event.agency_create,
        principal=principal,
        entity_type="agency",
        entity_id=agency.id,
        partnership_id=partnership_id,
        after=_state(agency, link),
    )
    return _read(agency, link, owner.name)


def link(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    agency_id: int,
    statutory_partner: bool,
) -> AgencyRead:
    """Make an existing agency a member of another partnership too, audited in each.

    Reached through an accepted offer (or the demo loader, its own boundary).
    """
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("No such agency.")
    _ensure_unique_name(session, partnership_id=partnership_id, name=agency.name)
    members = _member_partnerships(session, agency_id)
    membership = PartnershipAgency(
        partnership_id=partnership_id, agency_id=agency_id, statutory_partner=statutory_partner
    )
    session.add(membership)
    session.flush()
    joined = session.get(Partnership, partnership_id)
    assert joined is not None
    for pid in [*members, partnership_id]:
        emit(
            session, Event.agency_link,
            principal=principal,
            
            entity_type="agency",
            entity_id=agency_id,
            partnership_id=pid,
            after={**(_state(agency, membership) if pid == partnership_id else _shared(agency)),
                   "joined_partnership": joined.name},
        )  # fmt: skip
    owner = session.get(Partnership, agency.owner_partnership_id)
    assert owner is not None
    return _read(agency, membership, owner.name)


def update(
    session: Session,
    *,
    principal: Principal,
    agency: Agency,
    link: PartnershipAgency,
    data: AgencyUpdate,
) -> AgencyRead:
    """Change the agency; its shared facts only from the owning partnership.

    A change to the shared facts is audited in every partnership the agency belongs to;
    the statutory-partner flag is the acting partnership's own and audited there alone.
    """
    before, shared_before = _state(agency, link), _shared(agency)
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None and before[k] != v
    }
    owner = session.get(Partnership, agency.owner_partnership_id)
    assert owner is not None and agency.id is not None
    if not changes:  # nothing to change: no new version, no event
        return _read(agency, link, owner.name)
    shared_change = any(k in changes for k in SHARED_FACTS)
    if shared_change:
        require_keeps_agency(
            principal,
            link.partnership_id,
            owner_partnership_id=agency.owner_partnership_id,
            owner_name=owner.name,
        )
    members = _member_partnerships(session, agency.id)
    if "name" in changes:
        # The agency is one record in every partnership it belongs to: the name must be free
        # in each of them.
        for partnership_id in members:
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
    for pid in members if shared_change else [link.partnership_id]:
        own = pid == link.partnership_id
        emit(
            session,
            Event.agency_update,
            principal=principal,
            entity_type="agency",
            entity_id=agency.id,
            partnership_id=pid,
            before=before if own else shared_before,
            after=_state(agency, link) if own else _shared(agency),
        )
    return _read(agency, link, owner.name)
