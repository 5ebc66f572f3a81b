"""Fixtures for the API tests.

`api_app` and `client` are redefined here with the same meaning as in tests/conftest.py
(every request runs in the test's rolled-back transaction), but the app and its TestClient
are built once per run: building the app costs more than most tests, and nothing in it
holds state between requests except the session override, which points at the current
test's connection.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from apikit import API, HOUSING, PEOPLE
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sessionkit import ConnectionSlot
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from api.db import get_session
from api.idempotency.store import store_session
from api.main import create_app
from api.models import Agency, Membership, Partnership, PartnershipAgency, User
from api.permissions import SCOPES


class StatusRecorder:
    """Notes each (method, route, status) the API answers, to check them against OpenAPI."""

    seen: set[tuple[str, Any, int]] = set()

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, capture)
        route = scope.get("route")
        if route is not None and status:
            self.seen.add((scope["method"], getattr(route, "endpoint", None), status[0]))


@pytest.fixture(scope="session")
def _shared_app() -> Iterator[tuple[FastAPI, ConnectionSlot]]:
    app = create_app()
    app.add_middleware(StatusRecorder)
    slot = ConnectionSlot()
    app.dependency_overrides[get_session] = slot.session
    app.dependency_overrides[store_session] = slot.store_session
    yield app, slot
    _check_statuses_are_documented(app)


def _check_statuses_are_documented(app: FastAPI) -> None:
    """Every status the suite saw a route answer is in that route's OpenAPI responses.

    405 is left out: it is the protocol's answer for a method the route does not have.
    """
    documented = {  # (endpoint name, method) → its documented statuses
        (operation["operationId"].split("_api_v1_")[0], method.upper()): set(operation["responses"])
        for operations in app.openapi()["paths"].values()
        for method, operation in operations.items()
    }
    assert StatusRecorder.seen, "the recorder saw no request"
    missing = sorted(
        f"{method} {endpoint.__name__} → {status}"
        for method, endpoint, status in StatusRecorder.seen
        if status != 405
        and (endpoint.__name__, method) in documented
        and str(status) not in documented[endpoint.__name__, method]
    )
    assert not missing, "statuses the OpenAPI does not document:\n" + "\n".join(missing)


@pytest.fixture(scope="session")
def _shared_clients(
    _shared_app: tuple[FastAPI, ConnectionSlot],
) -> Iterator[tuple[TestClient, TestClient]]:
    app, _ = _shared_app
    with (
        TestClient(app, base_url="http://testserver") as strict,
        TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as lenient,
    ):
        yield strict, lenient


@pytest.fixture
def api_app(
    _shared_app: tuple[FastAPI, ConnectionSlot], connection: Connection
) -> Iterator[FastAPI]:
    app, slot = _shared_app
    with slot.on(connection):
        yield app


@pytest.fixture
def client(api_app: FastAPI, _shared_clients: tuple[TestClient, TestClient]) -> TestClient:
    strict, _ = _shared_clients
    strict.cookies.clear()
    return strict


@pytest.fixture
def lenient_client(api_app: FastAPI, _shared_clients: tuple[TestClient, TestClient]) -> TestClient:
    """A client that answers a server error with its 500 response instead of raising it."""
    _, lenient = _shared_clients
    lenient.cookies.clear()
    return lenient


@pytest.fixture
def auth(token_for: Callable[[str], dict[str, str]]) -> Callable[[str], dict[str, str]]:
    """Headers for a demo person by short name (`admin`, `editor`, `north_admin`, …)."""
    issued: dict[str, dict[str, str]] = {}

    def headers(who: str) -> dict[str, str]:
        if who not in issued:
            issued[who] = token_for(PEOPLE[who])
        return issued[who]

    return headers


@pytest.fixture
def service_token(
    client: TestClient, auth: Callable[[str], dict[str, str]], york: Partnership
) -> Callable[..., tuple[dict[str, str], dict[str, Any]]]:
    """Issue a service token through the API, as York's admin unless told otherwise."""

    def issue(
        scopes: list[str] | tuple[str, ...] = SCOPES,
        *,
        partnership_id: int | None = None,
        issuer: str = "admin",
        name: str = "test system",
    ) -> tuple[dict[str, str], dict[str, Any]]:
        pid = partnership_id or york.id
        r = client.post(
            f"{API}/partnerships/{pid}/service-tokens",
            json={"name": name, "scopes": list(scopes)},
            headers=auth(issuer),
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return {"Authorization": f"Bearer {body['token']}"}, body

    return issue


@pytest.fixture
def agency_id(db: Session) -> Callable[..., int]:
    """The id of an agency by name (York's housing service by default)."""

    def find(name: str = HOUSING) -> int:
        row = db.exec(select(Agency.id).where(Agency.name == name)).one()
        assert row is not None
        return row

    return find


@pytest.fixture
def user_id(db: Session) -> Callable[[str], int]:
    def find(who: str) -> int:
        row = db.exec(select(User.id).where(User.email == PEOPLE.get(who, who))).one()
        assert row is not None
        return row

    return find


@pytest.fixture
def membership_id(db: Session, user_id: Callable[[str], int]) -> Callable[..., int]:
    """The id of a demo person's (first) membership."""

    def find(who: str) -> int:
        query = select(Membership.id).where(Membership.user_id == user_id(who))
        row = db.exec(query.order_by(col(Membership.id))).first()
        assert row is not None
        return row

    return find


@pytest.fixture
def york_agency_ids(db: Session, york: Partnership) -> list[int]:
    return list(
        db.exec(
            select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == york.id)
        ).all()
    )


@pytest.fixture
def housing(client: TestClient, auth: Callable[[str], dict[str, str]], york: Any) -> dict:
    """The housing agency's return in the open 2026 programme, and its requirement ids."""
    editor = auth("editor")
    p = f"{API}/partnerships/{york.id}"
    items = client.get(f"{p}/returns", headers=editor, params={"limit": 100}).json()["items"]
    [ret] = [r for r in items if r["programme_title"] == "Section 11 self-assessment 2026"]
    ref = client.get(f"{p}/returns/{ret['id']}", headers=editor).json()["framework_version"]
    version = client.get(
        f"{p}/frameworks/{ref['framework_id']}/versions/{ref['number']}", headers=editor
    ).json()
    ids = [r["id"] for s in version["standards"] for r in s["requirements"]]
    return {"id": ret["id"], "requirements": ids}
