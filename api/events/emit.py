"""Saying that something happened: the audit row, and what follows from it (notices, webhook
deliveries), in the caller's transaction, so that a write that fails leaves none of them."""

from typing import Any

from sqlmodel import Session

from api.audit import service as audit
from api.events.catalogue import Event
from api.models import AuditEvent
from api.notices.on_events import HANDLERS
from api.security import Principal
from api.webhooks import service as webhooks


def emit(
    session: Session,
    event: Event,
    *,
    principal: Principal | None,
    entity_type: str,
    entity_id: int | None,
    partnership_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    row = audit.record(
        session,
        principal=principal,
        action=event.value,
        entity_type=entity_type,
        entity_id=entity_id,
        partnership_id=partnership_id,
        before=before,
        after=after,
        actor_label=actor_label,
    )
    handler = HANDLERS.get(event)
    if handler is not None:
        session.flush()  # the row's id names the occasion of what follows
        handler(session, row)
    webhooks.queue_deliveries(session, event, row)
    return row
