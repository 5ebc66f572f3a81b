"""Reading an invitation's token the only place it exists: the email queued with its link."""

import re
from urllib.parse import unquote

from sqlmodel import Session, col, select

from api.models import OutboxMessage

LINK = re.compile(r"/invitation\?token=([A-Za-z0-9_%-]+)")


def emails_to(db: Session, email: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.kind == "invitation"
    )
    return list(db.exec(query.order_by(col(OutboxMessage.id))).all())


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return unquote(found.group(1))


def latest_token(db: Session, email: str) -> str:
    """The token of the latest invitation emailed to `email`."""
    messages = emails_to(db, email)
    assert messages, f"no invitation was emailed to {email}"
    return token_in(messages[-1].body)
