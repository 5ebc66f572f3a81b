"""`Idempotency-Key` on POST: a request sent again is answered as before, never done twice;
a key is its caller's alone, lives a day, and never keeps a secret shown once."""

from datetime import timedelta
from typing import Any

import pytest
from apikit import API, PASSWORD, PEOPLE, assert_problem, count
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sessionkit import ConnectionSlot
from sqlmodel import col, select

from api.db import get_session
from api.idempotency import rules, store
from api.idempotency.store import store_session
from api.main import API_PREFIX, create_app
from api.models import (
    Agency,
    ApiToken,
    Attachment,
    AuditEvent,
    IdempotencyKey,
    WebhookEndpoint,
)
from api.models.base import utcnow
from api.outbox import worker

KEY = "7c6f3c2e-5b1d-4d3a-9a57-0f7e1c2b9d10"
RECEIVER = "https://hooks.example.org/assure"
JSON = {"content-type": "application/json"}


def agencies(pid: int) -> str:
    return f"{API}/partnerships/{pid}/agencies"


def keyed(headers: dict[str, str], key: str = KEY) -> dict[str, str]:
    return {**headers, rules.HEADER: key}


def rows(db, key: str = KEY) -> list[IdempotencyKey]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.exec(select(IdempotencyKey).where(IdempotencyKey.key == key)).all())


def test_the_same_request_again_is_answered_as_before_and_done_once(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    agencies_before, events_before = count(db, Agency), count(db, AuditEvent)
    body = {"name": "York Mind", "sector": "voluntary"}
    first = client.post(agencies(york.id), headers=admin, json=body)
    assert first.status_code == 201, first.text
    assert rules.REPLAYED not in first.headers
    again = client.post(agencies(york.id), headers=admin, json=body)
    assert again.status_code == 201
    assert again.headers[rules.REPLAYED] == "true"
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"] == '"1"'
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["x-content-type-options"] == "nosniff"  # security headers, still
    assert count(db, Agency) == agencies_before + 1
    assert count(db, AuditEvent) == events_before + 1
    [row] = rows(db)
    assert row.status == 201 and row.body == first.content


def test_a_refusal_is_answered_again_too(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    body = {"name": "", "sector": "voluntary"}
    first = client.post(agencies(york.id), headers=admin, json=body)
    assert_problem(first, 422)
    again = client.post(agencies(york.id), headers=admin, json=body)
    assert_problem(again, 422)
    assert again.headers[rules.REPLAYED] == "true" and again.json() == first.json()


def test_the_same_key_with_another_body_is_refused(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    first = client.post(agencies(york.id), headers=admin, json={"name": "A", "sector": "other"})
    assert first.status_code == 201, first.text
    before = count(db, Agency)
    other = client.post(agencies(york.id), headers=admin, json={"name": "B", "sector": "other"})
    problem = assert_problem(other, 422)
    assert problem["type"] == "urn:assure:problem:idempotency-key-reused"
    assert count(db, Agency) == before


def test_the_same_key_on_another_route_is_refused(client, db, auth, york, north):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    body = {"name": "A", "sector": "other"}
    assert client.post(agencies(york.id), headers=admin, json=body).status_code == 201
    before = count(db, Agency)
    elsewhere = client.post(agencies(north.id), headers=admin, json=body)
    problem = assert_problem(elsewhere, 422)
    assert problem["type"] == "urn:assure:problem:idempotency-key-reused"
    query = client.post(agencies(york.id) + "?x=1", headers=admin, json=body)
    assert assert_problem(query, 422)["type"].endswith("idempotency-key-reused")
    assert count(db, Agency) == before


def test_without_a_key_each_request_is_done(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = auth("admin")
    body = {"name": "York Mind", "sector": "voluntary"}
    assert client.post(agencies(york.id), headers=admin, json=body).status_code == 201
    second = client.post(agencies(york.id), headers=admin, json=body)
    assert_problem(second, 409)  # done again: the name is taken now
    assert rules.REPLAYED not in second.headers
    assert count(db, IdempotencyKey) == 0


def test_another_caller_with_the_same_key_is_a_request_of_its_own(  # type: ignore[no-untyped-def]
    client, db, auth, york, service_token
):
    admin = keyed(auth("admin"))
    system, _ = service_token()
    first = client.post(agencies(york.id), headers=admin, json={"name": "A", "sector": "other"})
    assert first.status_code == 201, first.text
    own = client.post(
        agencies(york.id), headers=keyed(system), json={"name": "B", "sector": "other"}
    )
    assert own.status_code == 201 and rules.REPLAYED not in own.headers
    assert own.json()["name"] == "B"
    # North Yorkshire's admin sends York's request with York's key: never York's answer.
    stranger = client.post(
        agencies(york.id), headers=keyed(auth("north_admin")), json={"name": "A", "sector": "other"}
    )
    assert stranger.status_code in (403, 404) and rules.REPLAYED not in stranger.headers
    assert len(db.exec(select(Agency).where(Agency.name == "A")).all()) == 1
    assert len(rows(db)) == 3


def test_an_expired_key_may_be_used_afresh(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    assert client.post(agencies(york.id), headers=admin, json={"name": "A", "sector": "other"})
    [row] = rows(db)
    row.created_at = utcnow() - rules.LIFETIME - timedelta(minutes=1)
    db.add(row)
    db.commit()
    fresh = client.post(agencies(york.id), headers=admin, json={"name": "B", "sector": "other"})
    assert fresh.status_code == 201 and rules.REPLAYED not in fresh.headers
    [row] = rows(db)
    assert row.status == 201 and row.created_at > utcnow() - timedelta(minutes=1)


def _claimed_elsewhere(db, headers: dict[str, str], path: str, body: bytes, age: timedelta) -> None:  # type: ignore[no-untyped-def]
    """A claim as another request makes it before its work, `age` ago."""
    db.add(
        IdempotencyKey(
            caller=rules.caller(headers["Authorization"]),
            key=KEY,
            fingerprint=rules.fingerprint("POST", path, b"", body),
            created_at=utcnow() - age,
        )
    )
    db.commit()


def test_while_the_first_is_worked_on_a_second_is_told_to_wait(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = auth("admin")
    body = b'{"name": "A", "sector": "other"}'
    _claimed_elsewhere(db, admin, agencies(york.id), body, timedelta(seconds=1))
    before = count(db, Agency)
    waiting = client.post(agencies(york.id), headers={**keyed(admin), **JSON}, content=body)
    problem = assert_problem(waiting, 409)
    assert problem["type"] == "urn:assure:problem:idempotency-key-in-flight"
    assert waiting.headers["Retry-After"] == str(rules.RETRY_AFTER_SECONDS)
    assert count(db, Agency) == before


def test_a_claim_whose_request_never_ended_is_taken_over(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = auth("admin")
    body = b'{"name": "A", "sector": "other"}'
    _claimed_elsewhere(db, admin, agencies(york.id), body, store.ABANDONED_AFTER)
    taken = client.post(agencies(york.id), headers={**keyed(admin), **JSON}, content=body)
    assert taken.status_code == 201, taken.text
    [row] = rows(db)
    assert row.status == 201


@pytest.mark.parametrize(
    "key",
    [b"", b"x" * 256, b"caf\xe9", b"tab\there", b"del\x7f"],
    ids=["empty", "too long", "not ascii", "control", "delete"],
)
def test_a_key_that_is_not_printable_ascii_of_1_to_255_is_refused(client, db, auth, york, key):  # type: ignore[no-untyped-def]
    before = count(db, Agency)
    r = client.post(
        agencies(york.id),
        headers={**auth("admin"), rules.HEADER: key},  # type: ignore[dict-item]
        json={"name": "A", "sector": "other"},
    )
    assert_problem(r, 422, field=rules.HEADER)
    assert count(db, Agency) == before and count(db, IdempotencyKey) == 0


def test_the_longest_key_is_accepted(client, auth, york):  # type: ignore[no-untyped-def]
    r = client.post(
        agencies(york.id),
        headers=keyed(auth("admin"), "~ " * 127 + "!"),
        json={"name": "A", "sector": "other"},
    )
    assert r.status_code == 201, r.text


def test_an_upload_sent_again_byte_for_byte_is_attached_once(client, db, auth, york, housing):  # type: ignore[no-untyped-def]
    editor = keyed(auth("editor"))
    path = f"{API}/partnerships/{york.id}/returns/{housing['id']}/responses/"
    path += f"{housing['requirements'][0]}/attachments"
    request = client.build_request(
        "POST", path, headers=editor, files={"file": ("notes.txt", b"Training notes\n")}
    )
    raw, media_type = request.read(), request.headers["content-type"]
    before = count(db, Attachment)
    first = client.post(path, headers={**editor, "content-type": media_type}, content=raw)
    assert first.status_code == 201, first.text
    again = client.post(path, headers={**editor, "content-type": media_type}, content=raw)
    assert again.status_code == 201 and again.headers[rules.REPLAYED] == "true"
    assert again.json() == first.json()
    assert count(db, Attachment) == before + 1


# ---------------------------------------------------------------------------------------
# Secrets shown once are never kept


def _not_kept(response: Any, status: int) -> dict[str, Any]:
    problem = assert_problem(response, 409)
    assert problem["type"] == "urn:assure:problem:idempotency-answer-not-kept"
    assert f"answered with {status}" in problem["detail"]
    assert response.headers[rules.REPLAYED] == "true"
    return problem


def test_a_service_token_is_issued_once_and_never_kept(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    path = f"{API}/partnerships/{york.id}/service-tokens"
    body = {"name": "warehouse", "scopes": ["read"]}
    first = client.post(path, headers=admin, json=body)
    assert first.status_code == 201, first.text
    token = first.json()["token"]
    _not_kept(client.post(path, headers=admin, json=body), 201)
    named = db.exec(select(ApiToken).where(ApiToken.name == "warehouse")).all()
    assert len(named) == 1
    [row] = rows(db)
    assert row.status == 201 and row.body is None and token not in str(row.headers)


def test_a_webhook_is_registered_once_and_its_secret_never_kept(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    path = f"{API}/partnerships/{york.id}/webhooks"
    body = {"url": RECEIVER, "events": ["return.submit"]}
    first = client.post(path, headers=admin, json=body)
    assert first.status_code == 201, first.text
    again = client.post(path, headers=admin, json=body)
    problem = _not_kept(again, 201)
    location = first.headers["Location"]
    assert again.headers["Location"] == location and location in problem["detail"]
    assert count(db, WebhookEndpoint) == 1
    [row] = rows(db)
    assert row.body is None and first.json()["secret"] not in str(row.headers)


def test_a_rotated_secret_is_never_kept(client, db, auth, york):  # type: ignore[no-untyped-def]
    admin = auth("admin")
    made = client.post(
        f"{API}/partnerships/{york.id}/webhooks",
        headers=admin,
        json={"url": RECEIVER, "events": ["return.submit"]},
    ).json()
    path = f"{API}/partnerships/{york.id}/webhooks/{made['id']}/rotate-secret"
    first = client.post(path, headers=keyed(admin))
    assert first.status_code == 200, first.text
    _not_kept(client.post(path, headers=keyed(admin)), 200)
    db.expire_all()
    assert db.get(WebhookEndpoint, made["id"]).secret == first.json()["secret"]  # not rotated twice
    [row] = rows(db)
    assert row.body is None


def test_a_refusal_on_a_secret_route_is_answered_again(client, auth, york):  # type: ignore[no-untyped-def]
    admin = keyed(auth("admin"))
    path = f"{API}/partnerships/{york.id}/service-tokens"
    first = client.post(path, headers=admin, json={"name": "x", "scopes": ["no-such-scope"]})
    assert_problem(first, 422)
    again = client.post(path, headers=admin, json={"name": "x", "scopes": ["no-such-scope"]})
    assert again.json() == first.json() and again.headers[rules.REPLAYED] == "true"


def test_a_sign_in_is_done_once_and_no_answer_is_kept_for_anyone(client, db):  # type: ignore[no-untyped-def]
    path = f"{API}/auth/token"
    tokens = count(db, ApiToken)
    editor = {"username": PEOPLE["editor"], "password": PASSWORD}
    first = client.post(path, headers={rules.HEADER: KEY}, data=editor)
    assert first.status_code == 200, first.text
    _not_kept(client.post(path, headers={rules.HEADER: KEY}, data=editor), 200)
    assert count(db, ApiToken) == tokens + 1
    # Someone else, without credentials, who happens to send the same key: nothing to see.
    other = {"username": PEOPLE["admin"], "password": PASSWORD}
    refused = client.post(path, headers={rules.HEADER: KEY}, data=other)
    assert assert_problem(refused, 422)["type"].endswith("idempotency-key-reused")
    [row] = rows(db)
    assert row.caller == rules.ANONYMOUS and row.body is None


def test_anonymous_answers_are_never_kept(client, db):  # type: ignore[no-untyped-def]
    path = f"{API}/partnerships"
    first = client.post(path, headers={rules.HEADER: KEY}, json={"slug": "x", "name": "X"})
    assert_problem(first, 401)
    _not_kept(client.post(path, headers={rules.HEADER: KEY}, json={"slug": "x", "name": "X"}), 401)
    [row] = rows(db)
    assert row.body is None


# ---------------------------------------------------------------------------------------
# Server errors settle nothing


@pytest.fixture
def failing(connection) -> tuple[TestClient, list[str]]:  # type: ignore[no-untyped-def]
    """The real app with one more route, which fails unexpectedly the first time it is
    called and answers 503 the second (as a route would whose database went away)."""
    app: FastAPI = create_app()
    slot = ConnectionSlot(connection)
    app.dependency_overrides[get_session] = slot.session
    app.dependency_overrides[store_session] = slot.store_session
    calls: list[str] = []

    @app.post(f"{API_PREFIX}/test-failing")
    def fails() -> Any:
        calls.append("called")
        if len(calls) == 1:
            raise RuntimeError("broken")
        if len(calls) == 2:
            from fastapi.responses import JSONResponse

            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"ok": True}

    return TestClient(app, raise_server_exceptions=False), calls


def test_a_server_error_is_not_kept_and_the_key_may_be_sent_again(db, auth, failing):  # type: ignore[no-untyped-def]
    client, calls = failing
    admin = keyed(auth("admin"))
    broken = client.post(f"{API}/test-failing", headers=admin, json={})
    assert_problem(broken, 500)
    assert rows(db) == []
    unavailable = client.post(f"{API}/test-failing", headers=admin, json={})
    assert unavailable.status_code == 503 and rows(db) == []
    done = client.post(f"{API}/test-failing", headers=admin, json={})
    assert done.status_code == 200 and done.json() == {"ok": True}
    replayed = client.post(f"{API}/test-failing", headers=admin, json={})
    assert replayed.headers[rules.REPLAYED] == "true" and replayed.json() == {"ok": True}
    assert calls == ["called"] * 3


# ---------------------------------------------------------------------------------------
# Pruning


def test_expired_keys_and_abandoned_claims_are_pruned(db):  # type: ignore[no-untyped-def]
    now = utcnow()
    ages = {
        "fresh": (timedelta(hours=23), 201),
        "expired": (rules.LIFETIME + timedelta(seconds=1), 201),
        "working": (timedelta(minutes=1), None),
        "abandoned": (store.ABANDONED_AFTER + timedelta(seconds=1), None),
    }
    for key, (age, status) in ages.items():
        db.add(
            IdempotencyKey(
                caller="c", key=key, fingerprint="f", status=status, created_at=now - age
            )
        )
    db.commit()
    assert store.prune(db, now=now) == 2
    left = db.exec(select(IdempotencyKey.key).order_by(col(IdempotencyKey.key))).all()
    assert list(left) == ["fresh", "working"]


def test_the_worker_prunes_expired_keys(connection, db):  # type: ignore[no-untyped-def]
    now = utcnow()
    for key, age in (("old", rules.LIFETIME), ("new", timedelta(hours=1))):
        row = IdempotencyKey(caller="c", key=key, fingerprint="f", status=200, created_at=now - age)
        db.add(row)
    db.commit()
    assert worker.prune_idempotency_keys(connection, now=now) == 1
    db.expire_all()
    assert list(db.exec(select(IdempotencyKey.key)).all()) == ["new"]
