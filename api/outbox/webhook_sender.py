"""Delivering webhook messages: an HTTP POST signed per the Standard Webhooks spec."""

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from standardwebhooks.webhooks import Webhook

from api.models import OutboxMessage, WebhookEndpoint
from api.models.base import utcnow

TIMEOUT_SECONDS = 10.0


class Refused(Exception):
    """The receiver answered, but not with success, or there is no longer one to ask."""

    def __init__(self, status: int | None, detail: str):
        if status is None:
            super().__init__(detail)
        else:
            super().__init__(f"HTTP {status}: {detail}" if detail else f"HTTP {status}")
        self.status = status


def signed_headers(secret: str, message: OutboxMessage) -> dict[str, str]:
    """The three Standard Webhooks headers: the message's stable id, now, and the signature
    over both and the body."""
    now = utcnow()
    return {
        "webhook-id": message.key,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message.key, now, message.body),
        "content-type": "application/json",
    }


class WebhookSender:
    """Posts each delivery to its endpoint as the endpoint stands now (URL, secret)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._client: httpx.Client | None = None

    def send(self, message: OutboxMessage) -> int:
        with Session(self.engine) as session:
            endpoint = session.get(WebhookEndpoint, message.webhook_id)
        if endpoint is None or not endpoint.active:
            raise Refused(None, "The endpoint was turned off or removed; nothing was sent.")
        if self._client is None:
            # Redirects are not followed: a receiver that moved must be registered anew.
            self._client = httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        response = self._client.post(
            endpoint.url, content=message.body, headers=signed_headers(endpoint.secret, message)
        )
        if not response.is_success:
            raise Refused(response.status_code, response.text[:200])
        return response.status_code

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
