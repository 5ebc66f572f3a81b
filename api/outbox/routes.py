"""The partnership's outbox, for its admins: what was sent, what waits, what failed."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.db import SessionDep
from api.events.catalogue import Event
from api.events.emit import emit
from api.http import Id, Limit, Offset
from api.models import OutboxMessage
from api.models.base import utcnow
from api.notices import kinds
from api.outbox import rules, service
from api.outbox.rules import MessageState
from api.outbox.schemas import MessageRead, OutboxPage
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal
from api.settings import get_settings

router = APIRouter(tags=["outbox"])


def _read(message: OutboxMessage) -> MessageRead:
    assert message.id is not None
    state = rules.state(delivered_at=message.delivered_at, failed_at=message.failed_at)
    return MessageRead(
        id=message.id,
        kind=message.kind,
        kind_label=kinds.label(message.kind),
        recipient=message.recipient,
        subject=message.subject,
        body=None if kinds.is_security(message.kind) else message.body,
        state=state,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at if state == MessageState.waiting else None,
        last_error=message.last_error,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
        created_at=message.created_at,
    )


@router.get(
    "/partnerships/{partnership_id}/outbox",
    response_model=OutboxPage,
    responses=responses(401, 403, 404, 422),
)
def list_outbox(
    partnership_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[MessageState | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OutboxPage:
    """The emails the partnership's changes and reminders sent or will send, newest first."""
    require(principal, partnership_id, Permission.manage_outbox)
    rows, total = service.list_messages(
        session, partnership_id=partnership_id, state=state, limit=limit, offset=offset
    )
    return OutboxPage(
        items=[_read(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        mail_server=bool(get_settings().smtp_host),
    )


@router.post(
    "/partnerships/{partnership_id}/outbox/{message_id}/retry",
    response_model=MessageRead,
    responses=responses(401, 403, 404, 409, 422),
)
def retry_message(
    partnership_id: Id, message_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> MessageRead:
    """Send a message that failed again, with its attempts starting over (409 unless it
    failed)."""
    require(principal, partnership_id, Permission.manage_outbox)
    message = service.get(session, partnership_id=partnership_id, message_id=message_id)
    message = service.retry(session, message, now=utcnow())
    emit(
        session,
        Event.outbox_message_retry,
        principal=principal,
        entity_type="outbox_message",
        entity_id=message.id,
        partnership_id=partnership_id,
        after={"recipient": message.recipient, "subject": message.subject},
    )
    return _read(message)
