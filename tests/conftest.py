"""Test fixtures: one database per run, built by the real migrations, with the demo loaded;
each test runs inside a transaction that is rolled back, so tests never see each other.

The database is SQLite unless ASSURE_TEST_DATABASE_URL names another (the Makefile runs the
suite again on PostgreSQL).
"""

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session, select

from api import demo
from api.db import get_session, make_engine, unit_of_work
from api.main import create_app
from api.models import ApiToken, Partnership, TokenKind, User
from api.models.base import utcnow
from api.security import new_token

ROOT = Path(__file__).resolve().parent.parent


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("ASSURE_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def reset_database(engine: Engine) -> None:
    """Start from an empty database (PostgreSQL keeps its schema between runs)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))


def migrate(connection: Connection, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(database_url(tmp_path_factory.mktemp("db")))
    reset_database(engine)
    with engine.begin() as connection:
        migrate(connection)
    with Session(engine) as session:
        demo.load(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session in the test's transaction; commits become savepoints."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def api_app(connection: Connection) -> FastAPI:
    app = create_app()

    def session_in_test_transaction() -> Iterator[Session]:
        with (
            Session(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as session,
            unit_of_work(session),
        ):
            yield session

    app.dependency_overrides[get_session] = session_in_test_transaction
    return app


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app, base_url="http://testserver") as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(db: Session):  # type: ignore[no-untyped-def]
    """Issue a session token for a demo person, straight into the database (no argon2)."""

    def issue(email: str) -> dict[str, str]:
        user = db.exec(select(User).where(User.email == email)).one()
        token, digest = new_token()
        db.add(
            ApiToken(
                token_hash=digest,
                kind=TokenKind.session,
                name="test",
                user_id=user.id,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.commit()
        return bearer(token)

    return issue


@pytest.fixture
def york(db: Session) -> Partnership:
    return db.exec(select(Partnership).where(Partnership.slug == "york")).one()


@pytest.fixture
def north(db: Session) -> Partnership:
    return db.exec(select(Partnership).where(Partnership.slug == "north-yorkshire")).one()
