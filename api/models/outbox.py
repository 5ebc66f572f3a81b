"""What must go out of the service: emails, and webhook deliveries to other systems."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from api.models.base import (
    EnumText,
    Versioned,
    fk_field,
    id_field,
    optional_timestamp_field,
    timestamp_field,
)


class Channel(StrEnum):
    email = "email"
    webhook = "webhook"


class WebhookEndpoint(Versioned, table=True):
    """Another system's URL, told of the partnership's events it chose, signed with its secret
    (Standard Webhooks). The secret is kept as given out: signing needs it."""

    __tablename__ = "webhook_endpoint"

    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=100)
    active: bool = Field(default=True)
    created_by_id: int | None = fk_field("user.id", nullable=True, index=False)


class OutboxMessage(SQLModel, table=True):
    """One message to deliver, written in the transaction of the change it tells about.

    `key` is stable and unique: a second attempt to write the same message (a reminder found
    by two workers) is a no-op, and the receiver sees the same id on every delivery (the
    email's Message-ID), so a message sent again after a crash can be recognised.
    """

    __tablename__ = "outbox_message"

    id: int | None = id_field()
    key: str = Field(max_length=200, unique=True)
    partnership_id: int | None = fk_field("partnership.id", nullable=True)
    channel: Channel = Field(
        default=Channel.email,
        sa_type=EnumText(Channel, 16),  # type: ignore[call-overload]
    )
    webhook_id: int | None = fk_field("webhook_endpoint.id", nullable=True)
    # An email's kind of notice (return_returned, deadline_near, …), for opt-outs and the
    # admin page; a webhook delivery's event type (return.submit, …).
    kind: str = Field(max_length=50)
    # An email address, or the endpoint's URL when the message was made.
    recipient: str = Field(max_length=2000)
    subject: str = Field(max_length=300)
    body: str  # the email's text, or the webhook's JSON payload
    # The receiver's HTTP status at the last attempt (webhooks).
    last_status: int | None = None
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp_field(index=True)
    # A worker that claimed the message holds it until then; after, another may take it.
    claimed_until: datetime | None = optional_timestamp_field()
    last_error: str | None = Field(default=None, max_length=1000)
    delivered_at: datetime | None = optional_timestamp_field()
    failed_at: datetime | None = optional_timestamp_field()
    created_at: datetime = timestamp_field()


class NoticeOptOut(SQLModel, table=True):
    """A kind of notice that a person asked not to be sent (security emails cannot be)."""

    __tablename__ = "notice_opt_out"

    user_id: int = fk_field("user.id", primary_key=True, index=False)
    kind: str = Field(max_length=50, primary_key=True)
    created_at: datetime = timestamp_field()
