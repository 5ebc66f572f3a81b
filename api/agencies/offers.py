"""Sharing an agency: its owning partnership offers it, the partnership offered to accepts.

The owner names the other partnership by its slug. An offer reveals nothing of what that
partnership holds: whether its list already has an agency of that name is only found out,
and only told to it, when it accepts.
"""

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.agencies import service as agencies
from api.agencies.schemas import AgencyOfferRead, AgencyRead, PartnershipRef
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import Agency, AgencyOffer, Partnership, PartnershipAgency
from api.permissions import require_keeps_agency
from api.problems import Conflict, Invalid, NotFound
from api.security import Principal

_To = aliased(Partnership)
_Owner = aliased(Partnership)


def _query():  # type: ignore[no-untyped-def]
    return (
        select(AgencyOffer, Agency, _Owner.name, _To.name)
        .join(Agency, col(Agency.id) == AgencyOffer.agency_id)
        .join(_Owner, col(_Owner.id) == Agency.owner_partnership_id)
        .join(_To, col(_To.id) == AgencyOffer.partnership_id)
    )


def _read(offer: AgencyOffer, agency: Agency, owner_name: str, to_name: str) -> AgencyOfferRead:
    assert offer.id is not None
    return AgencyOfferRead(
        id=offer.id,
        agency_id=offer.agency_id,
        agency_name=agency.name,
        sector=agency.sector,
        offered_by=PartnershipRef(id=agency.owner_partnership_id, name=owner_name),
        offered_to=PartnershipRef(id=offer.partnership_id, name=to_name),
        offered_by_label=offer.offered_by_label,
        created_at=offer.created_at,
    )


def list_offers(
    session: Session, *, partnership_id: int, limit: int, offset: int
) -> tuple[list[AgencyOfferRead], int]:
    """Offers this partnership made and offers made to it, newest first."""
    query = _query().where(
        or_(
            col(AgencyOffer.partnership_id) == partnership_id,
            col(Agency.owner_partnership_id) == partnership_id,
        )
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AgencyOffer.created_at).desc(), col(AgencyOffer.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_read(*row) for row in rows], total


def _audit_both(
    session: Session, *, principal: Principal, action: Event, read: AgencyOfferRead
) -> None:
    """An offer concerns two partnerships; each one's log records it."""
    for pid in (read.offered_by.id, read.offered_to.id):
        emit(
            session,
            action,
            principal=principal,
            entity_type="agency_offer",
            entity_id=read.id,
            partnership_id=pid,
            after=read.model_dump(mode="json"),
        )


def offer(
    session: Session, *, principal: Principal, partnership_id: int, agency_id: int, slug: str
) -> AgencyOfferRead:
    """The owning partnership offers one of its agencies to the partnership with this slug."""
    agency, _ = agencies.get_pair(session, partnership_id=partnership_id, agency_id=agency_id)
    owner = session.get(Partnership, agency.owner_partnership_id)
    assert owner is not None
    require_keeps_agency(
        principal,
        partnership_id,
        owner_partnership_id=agency.owner_partnership_id,
        owner_name=owner.name,
    )
    to = session.exec(select(Partnership).where(Partnership.slug == slug)).first()
    if to is None or to.id is None or to.id == partnership_id:
        raise Invalid({"partnership": "is not the slug of another partnership."})
    member = session.exec(
        select(PartnershipAgency.id).where(
            PartnershipAgency.agency_id == agency_id, PartnershipAgency.partnership_id == to.id
        )
    ).first()
    if member is not None:
        raise Conflict(f"The agency already belongs to {to.name}.")
    taken = session.exec(
        select(AgencyOffer.id).where(
            AgencyOffer.agency_id == agency_id, AgencyOffer.partnership_id == to.id
        )
    ).first()
    already_offered = Conflict(f"The agency is already offered to {to.name}.")
    if taken is not None:
        raise already_offered
    row = AgencyOffer(
        agency_id=agency_id,
        partnership_id=to.id,
        offered_by_id=principal.user_id,
        offered_by_label=principal.label,
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same offer, made by another request a moment ago
        raise already_offered from None
    read = _read(row, agency, owner.name, to.name)
    _audit_both(session, principal=principal, action=Event.agency_offer_create, read=read)
    return read


def _get(
    session: Session, *, partnership_id: int, offer_id: int, incoming_only: bool
) -> tuple[AgencyOffer, AgencyOfferRead]:
    """An offer made to the partnership (or, unless `incoming_only`, made by it)."""
    row = session.exec(_query().where(AgencyOffer.id == offer_id)).first()
    if row is None:
        raise NotFound("No such offer.")
    read = _read(*row)
    parties = {read.offered_to.id} if incoming_only else {read.offered_to.id, read.offered_by.id}
    if partnership_id not in parties:
        raise NotFound("No such offer.")
    return row[0], read


def accept(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    offer_id: int,
    statutory_partner: bool,
) -> AgencyRead:
    """The partnership offered to adds the agency to its list; the offer is used up."""
    row, read = _get(session, partnership_id=partnership_id, offer_id=offer_id, incoming_only=True)
    agency = agencies.link(
        session,
        principal=principal,
        partnership_id=partnership_id,
        agency_id=row.agency_id,
        statutory_partner=statutory_partner,
    )
    session.delete(row)
    _audit_both(session, principal=principal, action=Event.agency_offer_accept, read=read)
    return agency


def withdraw(session: Session, *, principal: Principal, partnership_id: int, offer_id: int) -> None:
    """The partnership offered to declines, or the owner withdraws; nothing is shared."""
    row, read = _get(session, partnership_id=partnership_id, offer_id=offer_id, incoming_only=False)
    session.delete(row)
    action = (
        Event.agency_offer_decline
        if partnership_id == read.offered_to.id
        else Event.agency_offer_withdraw
    )
    _audit_both(session, principal=principal, action=action, read=read)
