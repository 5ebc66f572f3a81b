"""Partnerships: the tenants of an installation."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.audit import service as audit
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import Membership, Partnership, Role
from api.partnerships.schemas import PartnershipCreate, PartnershipUpdate
from api.problems import Conflict, NotFound
from api.security import Principal


def get(session: Session, *, partnership_id: int) -> Partnership:
    row = session.get(Partnership, partnership_id)
    if row is None:
        raise NotFound("No such partnership.")
    return row


def list_for(
    session: Session, *, principal: Principal, limit: int, offset: int
) -> tuple[list[Partnership], int]:
    ids = principal.partnership_ids()
    query = select(Partnership).where(col(Partnership.id).in_(ids))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Partnership.name)).limit(limit).offset(offset)).all()
    return list(rows), total


def create(session: Session, *, principal: Principal, data: PartnershipCreate) -> Partnership:
    """Create a partnership; whoever creates it becomes its first partnership admin."""
    if session.exec(select(Partnership).where(Partnership.slug == data.slug)).first():
        raise Conflict(f"The slug “{data.slug}” is taken.")
    row = Partnership(**data.model_dump())
    session.add(row)
    session.flush()
    assert row.id is not None
    if principal.user_id is not None:
        session.add(
            Membership(
                user_id=principal.user_id, partnership_id=row.id, role=Role.partnership_admin
            )
        )
    emit(
        session,
        Event.partnership_create,
        principal=principal,
        entity_type="partnership",
        entity_id=row.id,
        partnership_id=row.id,
        after=audit.snapshot(row),
    )
    return row


def update(
    session: Session, *, principal: Principal, partnership: Partnership, data: PartnershipUpdate
) -> Partnership:
    before = audit.snapshot(partnership)
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if (v is not None or k == "area") and getattr(partnership, k) != v
    }
    if not changes:  # nothing to change: no new version, no event
        return partnership
    for key, value in changes.items():
        setattr(partnership, key, value)
    bump_version(session, partnership)
    session.add(partnership)
    emit(
        session,
        Event.partnership_update,
        principal=principal,
        entity_type="partnership",
        entity_id=partnership.id,
        partnership_id=partnership.id,
        before=before,
        after=audit.snapshot(partnership),
    )
    return partnership
