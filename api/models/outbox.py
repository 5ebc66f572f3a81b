"""What must go out of the service: emails now, webhook deliveries later."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.models.base import fk_field, id_field, optional_timestamp_field, timestamp_field


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
    # What kind of notice it is (return_returned, deadline, …): for opt-outs and the admin page.
    kind: str = Field(max_length=50)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str
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
