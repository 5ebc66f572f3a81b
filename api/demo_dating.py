"""How the demo replays history: what a service writes is stamped now, then dated to when
it would have happened."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def dated(
    session: Session, since: datetime, when: datetime, stamps: Iterable[tuple[Any, str]]
) -> None:
    """Date every `stamps` column (model, column) written since `since` to `when`."""
    session.flush()
    for model, column in stamps:
        stamp = getattr(model, column)
        session.execute(update(model).where(stamp >= since).values({column: when}))
    session.expire_all()
