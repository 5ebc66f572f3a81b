"""Fixtures for the browser journeys: the combined app (API at /api/v1, pages at /) served by
a real uvicorn on 127.0.0.1, on the test's rolled-back transaction, and a headless Chromium
that can reach nothing but that server and a local copy of the pinned htmx.

All requests share the test's one database connection, so a lock serialises them: each
API request holds it for as long as its session lives.

No __init__.py here, as in tests/web: a package there would be imported as a top-level
`browser`/`web` and could shadow the product's own modules.
"""

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browserkit import LOCAL_HOST, LiveServer, served
from fastapi import FastAPI

from api.db import get_session
from web.app import create_app
from web.client import build
from web.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HTMX_FILE = ROOT / ".cache" / "htmx" / "htmx-2.0.11.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: even the browser's own predictors (DNS prefetch, preconnect to the
    # CDN named in the <script>) cannot resolve any host but ours.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOCAL_HOST}",
]


def chromium_path() -> str:
    path = (
        os.environ.get("ASSURE_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.skip("no Chromium: `make test` installs Debian's chromium")
    return path


def htmx_file() -> Path:
    path = Path(os.environ.get("ASSURE_HTMX_FILE") or DEFAULT_HTMX_FILE)
    if not path.is_file():
        pytest.skip(f"no cached htmx at {path}: `make htmx` fetches it")
    return path


@pytest.fixture(scope="session")
def htmx_path() -> Path:
    return htmx_file()


@pytest.fixture
def live_server(api_app: FastAPI) -> Iterator[LiveServer]:
    """The combined app, as web.app.create_combined_app() builds it, served on 127.0.0.1."""
    lock = threading.Lock()
    session_in_test_transaction = api_app.dependency_overrides[get_session]

    def one_request_at_a_time() -> Iterator[Any]:
        with lock:
            yield from session_in_test_transaction()

    api_app.dependency_overrides[get_session] = one_request_at_a_time
    api_client = build(get_settings(), api_app)
    api_app.mount("/", create_app(api_client))
    with served(api_app, on_stop=api_client.http.aclose) as url:
        yield LiveServer(url=url, db_lock=lock)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per module (Debian's, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Guard:
    """What the pages tried to fetch from anywhere but the live server."""

    blocked: list[str] = field(default_factory=list)
    served_htmx: int = 0


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def new_context(
    chromium: Any, live_server: LiveServer, htmx_path: Path, guard: Guard
) -> Iterator[Callable[..., Any]]:
    """Make a fresh browser context whose only ways out are the live server and the local
    htmx (served in place of the CDN URL; its SRI hash is checked by the browser)."""
    htmx_url = get_settings().htmx_url
    contexts: list[Any] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if url == htmx_url:
            guard.served_htmx += 1
            route.fulfill(
                path=str(htmx_path),
                content_type="application/javascript",
                headers={"Access-Control-Allow-Origin": "*"},
            )
        elif urlsplit(url).hostname == LOCAL_HOST and url.startswith(live_server.url):
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort()

    def make(**options: Any) -> Any:
        context = chromium.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(10_000)
        context.route("**/*", handle)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert guard.blocked == [], f"pages tried to leave 127.0.0.1: {guard.blocked}"
