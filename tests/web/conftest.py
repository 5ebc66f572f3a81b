"""Fixtures for the web front end: the app built exactly as production builds it (the web
pages mounted at / of the API app, reaching the API through the one httpx client over the
ASGI transport), once per run, but on each test's rolled-back transaction; and visitors
who sign in through the real /sign-in form.

No __init__.py here on purpose: with pytest's default import mode a package named `web`
under tests/ would shadow the product's own `web` package.
"""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sessionkit import ConnectionSlot
from sqlalchemy import Connection
from websupport import ADMIN, submit_sign_in

from api.db import get_session
from api.main import create_app as create_api_app
from web.app import create_app
from web.client import build
from web.settings import get_settings


@pytest.fixture(scope="session")
def _shared_site() -> Iterator[tuple[FastAPI, ConnectionSlot]]:
    """The combined app, as web.app.create_combined_app() builds it, built once per run:
    building it costs more than most tests, and it keeps no state between requests but
    the session override, which points at the current test's connection."""
    app = create_api_app()
    slot = ConnectionSlot()
    app.dependency_overrides[get_session] = slot.session
    api_client = build(get_settings(), app)
    app.mount("/", create_app(api_client))
    yield app, slot
    asyncio.run(api_client.http.aclose())


@pytest.fixture
def site_app(
    _shared_site: tuple[FastAPI, ConnectionSlot], connection: Connection
) -> Iterator[FastAPI]:
    """The combined app, on the test's rolled-back transaction."""
    app, slot = _shared_site
    with slot.on(connection):
        yield app


@pytest.fixture
def new_visitor(site_app: FastAPI) -> Iterator[Callable[[], TestClient]]:
    """Make a browser-like client with its own cookie jar; redirects are not followed."""
    with ExitStack() as stack:

        def make() -> TestClient:
            return stack.enter_context(
                TestClient(site_app, base_url="http://testserver", follow_redirects=False)
            )

        yield make


@pytest.fixture
def site(new_visitor: Callable[[], TestClient]) -> TestClient:
    """A signed-out visitor."""
    return new_visitor()


@pytest.fixture
def visitor_as(new_visitor: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    """A new visitor, signed in through the real form as the given demo person."""

    def sign_in(email: str) -> TestClient:
        client = new_visitor()
        response = submit_sign_in(client, email)
        assert response.status_code == 303, response.text
        return client

    return sign_in


@pytest.fixture
def admin(visitor_as: Callable[[str], TestClient]) -> TestClient:
    return visitor_as(ADMIN)
