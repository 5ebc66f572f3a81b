"""Sign-in throttling per client address: one address failing across many emails (password
spraying) waits, told how long; X-Forwarded-For counts only from a trusted proxy."""

from collections.abc import Iterator

import pytest
from apikit import API, PASSWORD, PEOPLE, assert_problem
from fastapi import FastAPI
from sqlmodel import select

from api.models import SignInFailure
from api.settings import Settings, get_settings

TOKEN = f"{API}/auth/token"
PROXY = "testclient"  # the address the test client connects from


@pytest.fixture
def behind_a_proxy(api_app: FastAPI) -> Iterator[None]:
    trusting = get_settings().model_copy(update={"trusted_proxies": f"10.0.0.9, {PROXY}"})
    api_app.dependency_overrides[get_settings] = lambda: trusting
    yield
    del api_app.dependency_overrides[get_settings]


def _fail(client, email: str, **headers: str):
    return client.post(TOKEN, data={"username": email, "password": "wrong guess"}, headers=headers)


def test_one_address_failing_across_many_emails_is_throttled(client, db):
    limit = get_settings().sign_in_max_failures_per_address
    assert limit > get_settings().sign_in_max_failures  # spraying: fewer per email each
    for i in range(limit):
        assert_problem(_fail(client, f"sprayed{i}@york.example"), 401)
    r = _fail(client, "one.more@york.example")
    body = assert_problem(r, 429)
    assert "network address" in body["detail"]
    assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60 + 1
    # Even the right password waits: the address is throttled, not the guess.
    right = client.post(TOKEN, data={"username": PEOPLE["panel"], "password": PASSWORD})
    assert_problem(right, 429)
    addresses = {f.client_address for f in db.exec(select(SignInFailure))}
    assert addresses == {PROXY}


def test_failures_per_email_still_lock_the_email_with_retry_after(client):
    for _ in range(get_settings().sign_in_max_failures):
        assert_problem(_fail(client, PEOPLE["panel"]), 401)
    r = _fail(client, PEOPLE["panel"])
    assert "this email" in assert_problem(r, 429)["detail"]
    assert int(r.headers["Retry-After"]) >= 1


def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(client, db):
    assert Settings().trusted_proxy_addresses == frozenset()  # the default trusts nobody
    _fail(client, "a@york.example", **{"X-Forwarded-For": "203.0.113.7"})
    [failure] = db.exec(select(SignInFailure)).all()
    assert failure.client_address == PROXY


def test_behind_a_trusted_proxy_each_client_address_counts_apart(client, db, behind_a_proxy):
    limit = get_settings().sign_in_max_failures_per_address
    for i in range(limit):
        forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.9"}
        assert_problem(_fail(client, f"sprayed{i}@york.example", **forwarded), 401)
    stopped = _fail(client, "x@york.example", **{"X-Forwarded-For": "203.0.113.7"})
    assert_problem(stopped, 429)
    # Another client behind the same proxy is not held back, nor one that forges its own
    # address at the left of the header (only the hops our proxies added are believed).
    other = _fail(client, "x@york.example", **{"X-Forwarded-For": "203.0.113.8"})
    assert_problem(other, 401)
    forged = _fail(client, "y@york.example", **{"X-Forwarded-For": "203.0.113.8, 203.0.113.7"})
    assert_problem(forged, 429)
    seen = {f.client_address for f in db.exec(select(SignInFailure))}
    assert seen == {"203.0.113.7", "203.0.113.8"}


def test_the_web_in_the_same_process_passes_on_each_browsers_address(api_app, db):
    """The pages call the API in process under a peer name no socket can have; the API
    believes the browser address they pass on, so one browser's guesses hold back no other."""
    import asyncio

    import httpx

    from api.client_address import IN_PROCESS_WEB
    from web import client as web_client

    assert web_client.IN_PROCESS_WEB == IN_PROCESS_WEB  # the two sides agree

    async def fail(forwarded: str) -> int:
        transport = httpx.ASGITransport(app=api_app, client=(IN_PROCESS_WEB, 0))
        async with httpx.AsyncClient(transport=transport, base_url="http://assure-api") as c:
            r = await c.post(TOKEN, data={"username": "a@york.example", "password": "wrong"},
                             headers={"X-Forwarded-For": forwarded})  # fmt: skip
            return r.status_code

    assert asyncio.run(fail("192.0.2.44")) == 401
    [failure] = db.exec(select(SignInFailure)).all()
    assert failure.client_address == "192.0.2.44"
