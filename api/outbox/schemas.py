from datetime import datetime

from pydantic import BaseModel, Field

from api.http import Page
from api.outbox.rules import MessageState


class MessageRead(BaseModel):
    id: int
    kind: str = Field(description="What the email is about (a notice or a security email)")
    kind_label: str
    recipient: str
    subject: str
    body: str | None = Field(
        description="The plain text sent; null for security emails, whose links are secrets"
    )
    state: MessageState
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next, if waiting")
    last_error: str | None
    delivered_at: datetime | None
    failed_at: datetime | None
    created_at: datetime


class OutboxPage(Page[MessageRead]):
    mail_server: bool = Field(
        description="Whether a mail server is set (ASSURE_SMTP_HOST); without one, emails "
        "wait here until one is"
    )
