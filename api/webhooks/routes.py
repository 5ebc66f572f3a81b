"""Webhooks: other systems told of the partnership's events, signed per Standard Webhooks."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.db import SessionDep
from api.events.catalogue import Event
from api.events.emit import emit
from api.http import Id, IfMatch, Limit, Offset, Page, check_if_match, set_etag
from api.idempotency.rules import SHOWS_SECRET_ONCE
from api.models import OutboxMessage, WebhookEndpoint
from api.outbox import rules as outbox_rules
from api.outbox.rules import MessageState
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal, Principal
from api.settings import get_settings
from api.webhooks import service
from api.webhooks.schemas import (
    DeliveryRead,
    EventType,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecret,
    WebhookUpdate,
)

router = APIRouter(tags=["webhooks"])
ONE = "/partnerships/{partnership_id}/webhooks/{webhook_id}"


def _read(endpoint: WebhookEndpoint) -> WebhookRead:
    return WebhookRead.model_validate(endpoint, from_attributes=True)


def _delivery(message: OutboxMessage) -> DeliveryRead:
    assert message.id is not None
    state = outbox_rules.state(delivered_at=message.delivered_at, failed_at=message.failed_at)
    return DeliveryRead(
        id=message.id,
        webhook_id=message.key,
        event=message.kind,
        payload=message.body,
        state=state,
        attempts=message.attempts,
        last_status=message.last_status,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at if state == MessageState.waiting else None,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
        created_at=message.created_at,
    )


def _record(
    session: SessionDep, principal: Principal, event: Event, endpoint: WebhookEndpoint, **kw: object
) -> None:
    emit(
        session,
        event,
        principal=principal,
        entity_type="webhook",
        entity_id=endpoint.id,
        partnership_id=endpoint.partnership_id,
        after={"url": endpoint.url, "events": endpoint.events, "active": endpoint.active, **kw},
    )


@router.get("/webhook-events", response_model=list[EventType], responses=responses(401))
def list_event_types(principal: CurrentPrincipal) -> list[EventType]:
    """Every event type a webhook may ask for, with what it means."""
    return [EventType(name=e.value, description=e.description) for e in Event]


@router.get(
    "/partnerships/{partnership_id}/webhooks",
    response_model=list[WebhookRead],
    responses=responses(401, 403, 404, 422),
)
def list_webhooks(
    partnership_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> list[WebhookRead]:
    """The partnership's webhook endpoints (never their secrets)."""
    require(principal, partnership_id, Permission.manage_webhooks)
    return [_read(e) for e in service.list_endpoints(session, partnership_id=partnership_id)]


@router.post(
    "/partnerships/{partnership_id}/webhooks",
    response_model=WebhookCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 422),
    openapi_extra=SHOWS_SECRET_ONCE,
)
def create_webhook(
    partnership_id: Id,
    body: WebhookCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> WebhookCreated:
    """Register an endpoint for the events it wants. The signing secret is in this answer
    only; every delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature`
    (HMAC-SHA256, Standard Webhooks) and a payload naming the event and the record, which
    the receiver reads through the API with its own token."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.create(
        session,
        partnership_id=partnership_id,
        user_id=principal.user_id,
        data=body,
        environment=get_settings().environment,
    )
    _record(session, principal, Event.webhook_create, endpoint)
    set_etag(response, endpoint.version)
    response.headers["Location"] = f"/api/v1/partnerships/{partnership_id}/webhooks/{endpoint.id}"
    return WebhookCreated(**_read(endpoint).model_dump(), secret=endpoint.secret)


@router.get(ONE, response_model=WebhookRead, responses=responses(401, 403, 404, 422))
def read_webhook(
    partnership_id: Id,
    webhook_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> WebhookRead:
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    set_etag(response, endpoint.version)
    return _read(endpoint)


@router.patch(
    ONE, response_model=WebhookRead, responses=responses(400, 401, 403, 404, 412, 422, 428)
)
def update_webhook(
    partnership_id: Id,
    webhook_id: Id,
    body: WebhookUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch,
) -> WebhookRead:
    """Change the URL or the events, or turn deliveries off (`active: false`) and on."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    check_if_match(if_match, endpoint.version)
    before = endpoint.version
    endpoint = service.update(
        session, endpoint=endpoint, data=body, environment=get_settings().environment
    )
    if endpoint.version != before:
        _record(session, principal, Event.webhook_update, endpoint)
    set_etag(response, endpoint.version)
    return _read(endpoint)


@router.post(
    ONE + "/rotate-secret",
    response_model=WebhookSecret,
    responses=responses(401, 403, 404, 422),
    openapi_extra=SHOWS_SECRET_ONCE,
)
def rotate_webhook_secret(
    partnership_id: Id,
    webhook_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> WebhookSecret:
    """Replace the signing secret at once (shown only in this answer)."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    secret = service.rotate_secret(session, endpoint)
    _record(session, principal, Event.webhook_rotate_secret, endpoint)
    set_etag(response, endpoint.version)
    return WebhookSecret(secret=secret)


@router.delete(ONE, status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 403, 404, 422))
def delete_webhook(
    partnership_id: Id, webhook_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Remove the endpoint with its delivery log; nothing more is sent to it."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    _record(session, principal, Event.webhook_delete, endpoint)
    service.remove(session, endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    ONE + "/deliveries",
    response_model=Page[DeliveryRead],
    responses=responses(401, 403, 404, 422),
)
def list_deliveries(
    partnership_id: Id,
    webhook_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[MessageState | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DeliveryRead]:
    """The endpoint's delivery log, newest first: each attempt's count, the receiver's last
    HTTP status and error."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    rows, total = service.deliveries(
        session, endpoint=endpoint, state=state, limit=limit, offset=offset
    )
    return Page(items=[_delivery(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post(
    ONE + "/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryRead,
    responses=responses(401, 403, 404, 409, 422),
)
def redeliver(
    partnership_id: Id,
    webhook_id: Id,
    delivery_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> DeliveryRead:
    """Send a delivery again, whether it failed or was delivered, with the same webhook-id
    (409 while it is still waiting)."""
    require(principal, partnership_id, Permission.manage_webhooks)
    endpoint = service.get(session, partnership_id=partnership_id, webhook_id=webhook_id)
    message = service.redeliver(session, endpoint=endpoint, delivery_id=delivery_id)
    _record(session, principal, Event.webhook_redeliver, endpoint, delivery_id=message.id)
    return _delivery(message)
