"""Writing messages into the outbox, and the worker's claims on them."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.models import Channel, OutboxMessage
from api.outbox import rules
from api.outbox.rules import MessageState
from api.problems import Conflict, NotFound


def enqueue(session: Session, message: OutboxMessage) -> bool:
    """Add a message to the caller's transaction, unless one with its key is already there.

    True if it was added. The unique key makes this safe when two workers find the same
    reminder at once: the second insert fails inside its savepoint and changes nothing.
    """
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == message.key)).first():
        return False
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return False
    return True


def enqueue_all(session: Session, messages: list[OutboxMessage]) -> int:
    """Add messages whose keys the caller found free, in one insert; how many were added.

    Should another writer have queued one of them since (two workers at once), they are
    added one by one instead, each skipped if its key is taken.
    """
    if not messages:
        return 0
    fields = [m.model_dump(exclude={"id"}) for m in messages]
    try:
        with session.begin_nested():
            session.add_all(messages)
    except IntegrityError:
        return sum(enqueue(session, OutboxMessage(**f)) for f in fields)
    return len(messages)


def _due(now: datetime) -> ColumnElement[bool]:
    """Waiting, its time come, and not held by a worker (or its lease has ended)."""
    return and_(
        col(OutboxMessage.delivered_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
    )


def claim(
    session: Session, *, now: datetime, limit: int, channels: Collection[Channel]
) -> Sequence[OutboxMessage]:
    """Take up to `limit` due messages for this worker until its lease ends; the caller commits.

    Each claim counts as an attempt, so a message whose sending kills the worker is given up
    on like one that fails. On PostgreSQL, rows another worker is claiming are skipped
    (FOR UPDATE SKIP LOCKED); on SQLite, the writer's lock taken when the transaction began
    serialises claims. Either way the UPDATE only takes rows still unclaimed.
    """
    if not channels:
        return []
    ids = session.exec(
        select(OutboxMessage.id)
        .where(_due(now), col(OutboxMessage.channel).in_(channels))
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


def delivered(
    session: Session, message: OutboxMessage, *, now: datetime, status: int | None = None
) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id)
        .values(delivered_at=now, claimed_until=None, last_error=None, last_status=status)
    )


def not_delivered(
    session: Session,
    message: OutboxMessage,
    *,
    error: str,
    now: datetime,
    status: int | None = None,
) -> None:
    """Note why the attempt failed; try again later, or give up after the last attempt."""
    retry_at = rules.after_failure(message.attempts, now)
    values: dict[str, object] = {
        "claimed_until": None,
        "last_error": error[:1000],
        "last_status": status,
    }
    if retry_at is None:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == message.id).values(**values)
    )


def state_filter(state: MessageState) -> ColumnElement[bool]:
    delivered = col(OutboxMessage.delivered_at).is_not(None)
    failed = col(OutboxMessage.failed_at).is_not(None)
    if state == MessageState.delivered:
        return delivered
    if state == MessageState.failed:
        return and_(~delivered, failed)
    return and_(~delivered, ~failed)


def list_messages(
    session: Session, *, partnership_id: int, state: MessageState | None, limit: int, offset: int
) -> tuple[Sequence[OutboxMessage], int]:
    """The partnership's messages, newest first."""
    query = select(OutboxMessage).where(
        OutboxMessage.partnership_id == partnership_id, OutboxMessage.channel == Channel.email
    )
    if state is not None:
        query = query.where(state_filter(state))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(OutboxMessage.id).desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def get(
    session: Session,
    *,
    partnership_id: int,
    message_id: int,
    channel: Channel = Channel.email,
    webhook_id: int | None = None,
) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.partnership_id != partnership_id
        or message.channel != channel
        or message.webhook_id != webhook_id
    ):
        raise NotFound("No such message.")
    return message


def retry(
    session: Session, message: OutboxMessage, *, now: datetime, delivered_too: bool = False
) -> OutboxMessage:
    """Send a failed message again (or, with `delivered_too`, a delivered one: a webhook's
    redelivery, same id): its attempts start over, from now."""
    current = rules.state(delivered_at=message.delivered_at, failed_at=message.failed_at)
    allowed = (
        {MessageState.failed, MessageState.delivered} if delivered_too else {MessageState.failed}
    )
    if current not in allowed:
        what = "that failed or was delivered" if delivered_too else "that failed"
        raise Conflict(f"Only a message {what} can be sent again; this one is {current}.")
    done = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, state_filter(current))
        .values(
            failed_at=None, delivered_at=None, attempts=0, next_attempt_at=now, claimed_until=None
        )
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Someone sent this message again at the same moment.")
    session.refresh(message)
    return message
