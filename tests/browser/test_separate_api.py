"""The return's whole journey once more, with the web pages and the API in two processes.

The API is `assure serve` in a process of its own, on a database of its own; the web app
runs alone in this one, built as a deployment on another machine would build it (nothing
of `api` imported, ASSURE_API_BASE_URL pointing at the API), and reaches the API only over
HTTP. What the journey stored is then read from the API process's database.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import LiveServer, Watcher, served
from liveserver import live_database_url, prepare, serve
from sqlmodel import Session, select
from test_return_journey import check_what_was_stored, walk_a_return_through_review

from api.models import Partnership
from web.app import create_web_app
from web.settings import get_settings


@pytest.fixture(scope="module")
def separate_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """`assure serve` in its own process on a fresh demo database; its URL and engine."""
    folder: Path = tmp_path_factory.mktemp("separate-api")
    url = live_database_url(folder, schema="assure_separate_api")
    engine = prepare(url)
    with serve(url, folder / "api.log") as base:
        yield base, engine
    engine.dispose()


@pytest.fixture
def live_server(
    separate_api: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    """The web app alone, as `create_web_app` builds it for a machine of its own, served on
    127.0.0.1 and calling the API process over HTTP.

    It takes the place of conftest.py's combined in-process server for this module, so the
    browser (new_context) reaches this web app and nothing else.
    """
    api_url, _ = separate_api
    monkeypatch.setenv("ASSURE_API_BASE_URL", api_url)
    get_settings.cache_clear()
    try:
        with served(create_web_app(), lifespan="on") as url:
            yield LiveServer(url=url)
    finally:
        monkeypatch.delenv("ASSURE_API_BASE_URL")
        get_settings.cache_clear()


@pytest.mark.browser
def test_the_journey_runs_with_the_api_in_another_process(
    new_context: Callable[..., Any], separate_api: tuple[str, Any]
) -> None:
    _, engine = separate_api
    with Session(engine) as db:
        york = db.exec(select(Partnership).where(Partnership.slug == "york")).one()
    page = new_context().new_page()
    watcher = Watcher(page)
    return_id = walk_a_return_through_review(page, york)
    page.wait_for_load_state("load")
    with Session(engine) as db:
        check_what_was_stored(db, return_id)
    assert watcher.errors == []
