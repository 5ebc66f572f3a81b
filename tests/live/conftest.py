"""One real server for the live tests, on the database the suite runs on (see liveserver)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from liveserver import live_database_url, prepare, serve
from sqlalchemy import Engine

# Sign-in throttling as in production, small enough for a test to reach it.
MAX_FAILURES = 5


@dataclass(frozen=True)
class Live:
    base: str  # the server's base URL
    engine: Engine  # the server's database, to check what it committed


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("live")
    url = live_database_url(folder)
    engine = prepare(url)
    with serve(url, folder / "server.log", sign_in_max_failures=str(MAX_FAILURES)) as base:
        yield Live(base=base, engine=engine)
    engine.dispose()
