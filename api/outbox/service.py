"""Writing messages into the outbox, and the worker's claims on them."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.models import OutboxMessage
from api.outbox import rules


def enqueue(
    session: Session,
    *,
    key: str,
    partnership_id: int | None,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
) -> bool:
    """Add a message to the caller's transaction, unless one with its key is already there.

    True if it was added. The unique key makes this safe when two workers find the same
    reminder at once: the second insert fails inside its savepoint and changes nothing.
    """
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
        return False
    message = OutboxMessage(
        key=key,
        partnership_id=partnership_id,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return False
    return True


def _due(now: datetime) -> ColumnElement[bool]:
    """Waiting, its time come, and not held by a worker (or its lease has ended)."""
    return and_(
        col(OutboxMessage.delivered_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
    )


def claim(session: Session, *, now: datetime, limit: int) -> Sequence[OutboxMessage]:
    """Take up to `limit` due messages for this worker until its lease ends; the caller commits.

    Each claim counts as an attempt, so a message whose sending kills the worker is given up
    on like one that fails. On PostgreSQL, rows another worker is claiming are skipped
    (FOR UPDATE SKIP LOCKED); on SQLite, the writer's lock taken when the transaction began
    serialises claims. Either way the UPDATE only takes rows still unclaimed.
    """
    ids = session.exec(
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    lease = now + rules.LEASE
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), _due(now))
        .values(claimed_until=lease, attempts=OutboxMessage.attempts + 1)
    )
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), OutboxMessage.claimed_until == lease)
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    ).all()


def delivered(session: Session, message: OutboxMessage, *, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id)
        .values(delivered_at=now, claimed_until=None, last_error=None)
    )


def not_delivered(session: Session, message: OutboxMessage, *, error: str, now: datetime) -> None:
    """Note why the attempt failed; try again later, or give up after the last attempt."""
    retry_at = rules.after_failure(message.attempts, now)
    values: dict[str, object] = {"claimed_until": None, "last_error": error[:1000]}
    if retry_at is None:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == message.id).values(**values)
    )
