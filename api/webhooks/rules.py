"""What a webhook endpoint may be, and what a delivery says. No database here."""

import base64
import json
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from api.models import AuditEvent

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def url_problem(url: str, *, environment: str) -> str | None:
    """Why this URL cannot receive deliveries, or None.

    HTTPS anywhere; plain HTTP only to this machine, and only outside production (a
    receiver under development, or the tests' own).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https:// URL"
    if parts.username or parts.password:
        return "must not hold a user name or password (the signature proves the sender)"
    if parts.scheme == "http" and (parts.hostname not in LOOPBACK or environment == "production"):
        return "must be an https:// URL (http:// only to 127.0.0.1 while developing)"
    return None


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery_key(endpoint_id: int, event_id: int) -> str:
    """The delivery's id (the webhook-id header): the same on every attempt and redelivery."""
    return f"msg_wh{endpoint_id}_ev{event_id}"


def payload(event: AuditEvent, *, at: datetime) -> str:
    """What happened, and to which record, but not the record: the receiver reads it through
    the API with its own token, so a delivery tells nothing its token could not read."""
    return json.dumps(
        {
            "type": event.action,
            "timestamp": at.isoformat(),
            "data": {
                "partnership_id": event.partnership_id,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "actor": event.actor_label,
                "audit_event_id": event.id,
            },
        },
        separators=(",", ":"),
    )
