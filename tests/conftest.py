"""Test fixtures: one database per run, built by the real migrations, with the demo loaded;
each test runs inside a transaction that is rolled back, so tests never see each other.
The seeded database is built once for the code as it stands and reused by later runs (see
`engine`).

The database is SQLite unless ASSURE_TEST_DATABASE_URL names another (the Makefile runs the
suite again on PostgreSQL).
"""

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sessionkit import ConnectionSlot
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from api import demo
from api.db import get_session, make_engine
from api.idempotency.store import store_session
from api.main import create_app
from api.models import ApiToken, Partnership, TokenKind, User
from api.models.base import utcnow
from api.security import new_token

ROOT = Path(__file__).resolve().parent.parent


# Passwords are hashed cheaply here: at argon2's production cost, hashing the demo's people
# and signing in would be much of the suite's time. Settings refuse this outside "test".
os.environ["ASSURE_ENVIRONMENT"] = "test"
os.environ["ASSURE_PASSWORD_HASHING"] = "cheap"

SEED_CACHE = ROOT / ".cache" / "test-db"


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


def seed_key() -> str:
    """What the seeded database is built from: the migrations and all of api/ (the demo
    is replayed through the services), and how passwords are hashed."""
    digest = hashlib.sha256(os.environ["ASSURE_PASSWORD_HASHING"].encode())
    for path in sorted([*(ROOT / "api").rglob("*"), *(ROOT / "migrations").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def build_seeded(url: str) -> None:
    """Migrate an empty database to head and load the demo into it."""
    engine = make_engine(url)
    try:
        reset_database(engine)
        with engine.begin() as connection:
            migrate(connection)
        with Session(engine) as session:
            demo.load(session)
            session.commit()
    finally:
        engine.dispose()


def seeded_sqlite(target: Path) -> None:
    """Copy the seeded database for this code, building it first if no run has yet."""
    SEED_CACHE.mkdir(parents=True, exist_ok=True)
    cached = SEED_CACHE / f"{seed_key()}.db"
    if not cached.exists():
        for stale in SEED_CACHE.glob("*.db*"):
            stale.unlink(missing_ok=True)
        building = SEED_CACHE / f"building-{os.getpid()}.tmp"
        build_seeded(f"sqlite:///{building}")  # closing its last connection ends the WAL
        os.replace(building, cached)  # whole or not at all, if two runs build at once
    shutil.copyfile(cached, target)


def seeded_postgres(url: str) -> None:
    """Recreate the test database from a seeded template beside it (`<name>_seed`), which
    carries its key as its comment and is rebuilt when the key changes."""
    target = make_url(url)
    template = f"{target.database}_seed"
    key = seed_key()
    server = create_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with server.connect() as c:
            comment = c.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                    " WHERE datname = :name"
                ),
                {"name": template},
            ).scalar()
            if comment != key:
                c.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                c.execute(text(f'CREATE DATABASE "{template}"'))
                build_seeded(target.set(database=template).render_as_string(hide_password=False))
                c.execute(text(f"COMMENT ON DATABASE \"{template}\" IS '{key}'"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"'))
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The migrated database with the demo loaded, built once for the code as it is and
    copied for each run (a run alters it only inside rolled-back transactions)."""
    url = database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        seeded_postgres(url)
    else:
        seeded_sqlite(Path(make_url(url).database or ""))
    engine = make_engine(url)
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
    """A fresh API app on the test's transaction (for tests that change the app)."""
    app = create_app()
    slot = ConnectionSlot(connection)
    app.dependency_overrides[get_session] = slot.session
    app.dependency_overrides[store_session] = slot.store_session
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
