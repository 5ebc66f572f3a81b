"""Start the real server in its own process, on a database of its own, for tests that need
what only a real server has: concurrent requests on separate connections, real commits.

The database follows the suite's choice (ASSURE_TEST_DATABASE_URL, else SQLite): an SQLite
file in a temporary folder, or a schema of its own in the PostgreSQL test database, so that
what the server commits never meets the rolled-back tests sharing that database. Either is
built by the real migrations and holds the demo, as `make run` serves it.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session

from api import demo
from api.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "assure_live"  # on PostgreSQL: the live server's own schema (by default)
STARTUP_SECONDS = 60  # how long a slow, busy machine may take to start the server


def live_database_url(tmp_dir: Path, schema: str = SCHEMA) -> str:
    """Where a live server keeps its data, on the database the suite runs on."""
    url = os.environ.get("ASSURE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / f'{schema}.db'}"
    # libpq's `options` puts every connection of the server in the schema of its own.
    live = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return live.render_as_string(hide_password=False)


def prepare(url: str) -> Engine:
    """An empty database migrated to head with the demo loaded; the engine to inspect it."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        schema = make_url(url).query["options"].removeprefix("-csearch_path=")  # type: ignore[union-attr]
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            c.execute(text(f"CREATE SCHEMA {schema}"))
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with Session(engine) as session:
        demo.load(session)
        session.commit()
    return engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(url: str, log: Path, **settings: str) -> Iterator[str]:
    """`assure serve` on `url` (and ASSURE_ settings), until the block ends; its base URL.

    The server's output goes to `log`, which a failing test can show.
    """
    port = free_port()
    assure = shutil.which("assure", path=str(Path(sys.executable).parent)) or "assure"
    env = {
        **os.environ,
        "ASSURE_DATABASE_URL": url,
        "ASSURE_ENVIRONMENT": "test",
        **{f"ASSURE_{k.upper()}": v for k, v in settings.items()},
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            [assure, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, base, log)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start within {STARTUP_SECONDS}s:\n{log.read_text()}")
