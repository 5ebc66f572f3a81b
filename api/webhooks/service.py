"""Webhook endpoints, their deliveries, and queueing a delivery for each event they want."""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from api.db import bump_version
from api.events.catalogue import Event
from api.models import AuditEvent, Channel, OutboxMessage, WebhookEndpoint
from api.models.base import utcnow
from api.outbox import service as outbox
from api.outbox.rules import MessageState
from api.problems import Invalid, NotFound
from api.webhooks import rules
from api.webhooks.schemas import WebhookCreate, WebhookUpdate


def check_url(url: str, *, environment: str) -> None:
    problem = rules.url_problem(url, environment=environment)
    if problem:
        raise Invalid({"url": problem})


def list_endpoints(session: Session, *, partnership_id: int) -> Sequence[WebhookEndpoint]:
    return session.exec(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.partnership_id == partnership_id)
        .order_by(col(WebhookEndpoint.id))
    ).all()


def get(session: Session, *, partnership_id: int, webhook_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, webhook_id)
    if endpoint is None or endpoint.partnership_id != partnership_id:
        raise NotFound("No such webhook.")
    return endpoint


def create(
    session: Session,
    *,
    partnership_id: int,
    user_id: int | None,
    data: WebhookCreate,
    environment: str,
) -> WebhookEndpoint:
    check_url(data.url, environment=environment)
    endpoint = WebhookEndpoint(
        partnership_id=partnership_id,
        url=data.url,
        description=data.description,
        events=[e.value for e in data.events],
        secret=rules.new_secret(),
        created_by_id=user_id,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def update(
    session: Session, *, endpoint: WebhookEndpoint, data: WebhookUpdate, environment: str
) -> WebhookEndpoint:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in changes:
        check_url(changes["url"], environment=environment)
    if "events" in changes:
        changes["events"] = [e.value for e in data.events or []]
    changes = {k: v for k, v in changes.items() if getattr(endpoint, k) != v}
    if not changes:
        return endpoint
    for name, value in changes.items():
        setattr(endpoint, name, value)
    bump_version(session, endpoint)
    session.add(endpoint)
    return endpoint


def rotate_secret(session: Session, endpoint: WebhookEndpoint) -> str:
    """A new secret at once: deliveries from now are signed with it, the old one stops."""
    endpoint.secret = rules.new_secret()
    bump_version(session, endpoint)
    session.add(endpoint)
    return endpoint.secret


def remove(session: Session, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log; what was waiting is not sent."""
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.webhook_id) == endpoint.id))
    session.delete(endpoint)
    session.flush()


def deliveries(
    session: Session,
    *,
    endpoint: WebhookEndpoint,
    state: MessageState | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[OutboxMessage], int]:
    query = select(OutboxMessage).where(OutboxMessage.webhook_id == endpoint.id)
    if state is not None:
        query = query.where(outbox.state_filter(state))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(OutboxMessage.id).desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def redeliver(session: Session, *, endpoint: WebhookEndpoint, delivery_id: int) -> OutboxMessage:
    """Send a delivery again, failed or delivered, with the same webhook-id."""
    message = outbox.get(
        session,
        partnership_id=endpoint.partnership_id,
        message_id=delivery_id,
        channel=Channel.webhook,
        webhook_id=endpoint.id,
    )
    return outbox.retry(session, message, now=utcnow(), delivered_too=True)


def queue_deliveries(session: Session, event: Event, row: AuditEvent) -> int:
    """A delivery to each active endpoint of the partnership that wants this event."""
    if row.partnership_id is None:
        return 0
    wanting = [
        e
        for e in session.exec(
            select(WebhookEndpoint).where(
                WebhookEndpoint.partnership_id == row.partnership_id,
                col(WebhookEndpoint.active).is_(True),
            )
        ).all()
        if event.value in e.events
    ]
    if not wanting:
        return 0
    session.flush()  # the audit row's id is the delivery's
    assert row.id is not None
    body = rules.payload(row, at=row.at)
    return outbox.enqueue_all(
        session,
        [
            OutboxMessage(
                key=rules.delivery_key(e.id or 0, row.id),
                partnership_id=row.partnership_id,
                channel=Channel.webhook,
                webhook_id=e.id,
                kind=event.value,
                recipient=e.url,
                subject=event.value,
                body=body,
            )
            for e in wanting
        ],
    )
