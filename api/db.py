"""The engine and the request-scoped session, which is the request's one unit of work."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, event, update
from sqlmodel import Session, create_engine

from api.models.base import Versioned, utcnow
from api.problems import DomainError, PreconditionFailed
from api.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, begin transactions (below), so that SAVEPOINTs nest
    # inside a real transaction: the driver's own handling opens none before them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit what the request wrote if it succeeds, and nothing if it fails.

    The one place that commits a request's writes: services only flush, so a write, its
    audit row and its events land together or not at all. A refusal that is itself a fact
    to keep (a failed sign-in, for throttling) says so with `keeps_writes`.
    """
    try:
        yield session
    except DomainError as exc:
        if exc.keeps_writes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    session.commit()


async def get_session() -> AsyncIterator[Session]:
    """One session per request, committed when the route returns (before the reply is sent).

    Async so that FastAPI does not hop to a thread to open and close it: creating a session
    does no I/O, and its commit or close is one short round trip on a pooled connection.
    """
    with Session(get_engine(), expire_on_commit=False) as session, unit_of_work(session):
        yield session


# scope="function": the unit of work ends when the route returns, so a failed commit is
# answered as an error instead of after a success was already sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bump_version(session: Session, row: Versioned) -> None:
    """Claim the record's next version, or refuse if another writer claimed it first.

    The conditional UPDATE makes the If-Match check hold under concurrency: on PostgreSQL
    the second writer waits for the first, then finds the version gone and gets 412.
    """
    table = type(row).__table__  # type: ignore[attr-defined]
    now = utcnow()
    result = session.execute(
        update(table)
        .where(table.c.id == row.id, table.c.version == row.version)  # type: ignore[attr-defined]
        .values(version=row.version + 1, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("Someone changed this record at the same moment. Read it again.")
    row.version += 1
    row.updated_at = now
