"""The idempotency_key rows: claimed (and committed) before the work starts, answered or
removed when it ends, pruned a day later.

Each step is a short transaction of its own, on a session from `store_session`, so that a
concurrent request with the same key sees the claim at once: on PostgreSQL the second
INSERT waits for the first to commit and then meets the unique key; on SQLite writers
take the lock in turn (BEGIN IMMEDIATE).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.db import get_write_engine
from api.idempotency.rules import LIFETIME
from api.models import IdempotencyKey

# A claim whose request never ended (its process died) is given up after this long, so
# that the caller is not told "in flight" for a whole day; no request runs for so long.
ABANDONED_AFTER = timedelta(minutes=10)
_TRIES = 3

SessionFactory = Callable[[], Session]


def store_session() -> Session:
    """A session of its own for the key's rows (tests point it at their transaction, via
    the app's dependency_overrides)."""
    return Session(get_write_engine(), expire_on_commit=False)


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: do the work, then `record` or `release`."""

    id: int


@dataclass(frozen=True)
class Reused:
    """The key was used for a different request."""


@dataclass(frozen=True)
class InFlight:
    """The first request with the key is still being worked on."""


@dataclass(frozen=True)
class Answered:
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None  # None: the answer is not kept


Outcome = Claimed | Reused | InFlight | Answered


def claim(
    factory: SessionFactory, *, caller: str, key: str, fingerprint: str, now: datetime
) -> Outcome:
    """Take the key for this request, or say what became of the request that took it."""
    for _ in range(_TRIES):
        with factory() as session:
            row = session.exec(
                select(IdempotencyKey).where(
                    IdempotencyKey.caller == caller, IdempotencyKey.key == key
                )
            ).first()
            if row is not None and _gone(row, now):
                session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.id) == row.id))
                row = None
            if row is not None:
                return _seen(row, fingerprint)
            mine = IdempotencyKey(caller=caller, key=key, fingerprint=fingerprint, created_at=now)
            session.add(mine)
            try:
                session.commit()
            except IntegrityError:  # another request took it first: read theirs
                session.rollback()
                continue
            assert mine.id is not None
            return Claimed(mine.id)
    return InFlight()  # taken and given up again each time we looked


def _gone(row: IdempotencyKey, now: datetime) -> bool:
    if row.created_at <= now - LIFETIME:
        return True
    return row.status is None and row.created_at <= now - ABANDONED_AFTER


def _seen(row: IdempotencyKey, fingerprint: str) -> Outcome:
    if row.fingerprint != fingerprint:
        return Reused()
    if row.status is None:
        return InFlight()
    headers = [(str(name), str(value)) for name, value in row.headers or []]
    return Answered(status=row.status, headers=headers, body=row.body)


def record(
    factory: SessionFactory,
    claimed: Claimed,
    *,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> None:
    """Keep the answer the claimed request was given."""
    with factory() as session:
        session.execute(
            update(IdempotencyKey)
            .where(col(IdempotencyKey.id) == claimed.id)
            .values(status=status, headers=[list(h) for h in headers], body=body)
        )
        session.commit()


def release(factory: SessionFactory, claimed: Claimed) -> None:
    """Give the key up: the request settled nothing, so it may be sent again."""
    with factory() as session:
        session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.id) == claimed.id))
        session.commit()


def prune(session: Session, *, now: datetime) -> int:
    """Remove the keys that have expired (and claims abandoned); how many."""
    result = session.execute(
        delete(IdempotencyKey).where(
            or_(
                col(IdempotencyKey.created_at) <= now - LIFETIME,
                col(IdempotencyKey.status).is_(None)
                & (col(IdempotencyKey.created_at) <= now - ABANDONED_AFTER),
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
