"""The engine and the request-scoped session, which is the request's one unit of work."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, event, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, create_engine, select

from api.models.base import Versioned, utcnow
from api.problems import DomainError, PreconditionFailed
from api.settings import get_settings

# Methods that only read: their transactions stay deferred (shared), everything else writes.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
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


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads and then writes cannot wait for the write lock: if
    # another writer committed after it read, SQLite answers "database is locked" at once.
    # A writer therefore takes the lock when it begins, waiting for it within the timeout.
    writes = connection.get_execution_options().get("writes", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_write_engine() -> Engine:
    """The same engine and pool, for transactions that will write (SQLite: BEGIN IMMEDIATE)."""
    return get_engine().execution_options(writes=True)


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


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns (before the reply is sent).

    A request with an unsafe method is a writer from its first statement (on SQLite it
    waits for the write lock then, not halfway through); a GET reads without locking.
    Async so that FastAPI does not hop to a thread to open and close it: creating a session
    does no I/O, and its commit or close is one short round trip on a pooled connection.
    """
    engine = get_engine() if request.method in SAFE_METHODS else get_write_engine()
    with Session(engine, expire_on_commit=False) as session, unit_of_work(session):
        yield session


# scope="function": the unit of work ends when the route returns, so a failed commit is
# answered as an error instead of after a success was already sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


V = TypeVar("V", bound=SQLModel)


def save_version(
    session: Session,
    model: type[V],
    *,
    key: dict[str, Any],
    existing: V | None,
    expected_version: int,
    values: dict[str, Any],
    refused: str,
    current: Callable[[V | None], dict[str, Any] | None] | None = None,
) -> V:
    """Write the next version of the record `key` names, if it is still the version read.

    `existing` is the record as the writer read it (None: none yet, and `expected_version`
    is 0). One statement claims the version, an INSERT that the unique key guards or an
    UPDATE conditional on the version, so the check holds under concurrency: on PostgreSQL
    the second writer waits for the first, then loses. The loser gets 412 with the record
    as it now stands (from `current`), read after the winner committed, so nothing is lost.
    """
    show = current or (lambda _: None)
    if (existing.version if existing else 0) != expected_version:  # type: ignore[attr-defined]
        raise PreconditionFailed(refused, current=show(existing))
    if existing is None:
        row = model(**key, **values)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another writer's first version won the race
            winner = _reread(session, model, key)
            if winner is None:  # not a race: let the real error through
                raise
            raise PreconditionFailed(refused, current=show(winner)) from None
        return row
    table = model.__table__  # type: ignore[attr-defined]
    row_id = existing.id  # type: ignore[attr-defined]
    claimed = session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.version == expected_version)
        .values(version=expected_version + 1, **values)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        now = _reread(session, model, {"id": row_id}) if current else None
        raise PreconditionFailed(refused, current=show(now))
    # What the UPDATE wrote is now the row's loaded state; changes the caller made to the
    # object and has not flushed yet stay pending.
    for name, value in {"version": expected_version + 1, **values}.items():
        set_committed_value(existing, name, value)
    return existing


def _reread(session: Session, model: type[V], key: dict[str, Any]) -> V | None:
    """The record as committed now (each statement sees the latest commits on PostgreSQL)."""
    query = select(model).filter_by(**key).execution_options(populate_existing=True)
    return session.exec(query).first()


def bump_version(session: Session, row: Versioned) -> None:
    """Claim the record's next version for the changes made to it, or refuse (412) if
    another writer claimed it first."""
    save_version(
        session,
        type(row),
        key={"id": row.id},  # type: ignore[attr-defined]
        existing=row,
        expected_version=row.version,
        values={"updated_at": utcnow()},
        refused="Someone changed this record at the same moment. Read it again.",
    )
