"""Writing and reading the audit log."""

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from api.models import AuditEvent
from api.security import Principal


def snapshot(record: SQLModel | None, *, exclude: set[str] | None = None) -> dict[str, Any] | None:
    """A JSON-safe copy of a record's columns, for the before and after of an event."""
    if record is None:
        return None
    out: dict[str, Any] = {}
    skip = (exclude or set()) | {"password_hash"}
    for column in type(record).__table__.columns:  # type: ignore[attr-defined]
        if column.name in skip:
            continue
        value = getattr(record, column.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        out[column.name] = value
    return out


def record(
    session: Session,
    *,
    principal: Principal | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    partnership_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction: it is written with the change, or not at all."""
    event = AuditEvent(
        partnership_id=partnership_id,
        actor_user_id=principal.user_id if principal else None,
        actor_token_id=principal.token_id if principal else None,
        actor_label=actor_label or (principal.label if principal else "system"),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    *,
    partnership_id: int,
    action: str | None,
    entity_type: str | None,
    entity_id: int | None,
    actor_user_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent).where(AuditEvent.partnership_id == partnership_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total
