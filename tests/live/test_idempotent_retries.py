"""The same POST with the same Idempotency-Key, sent many times at once to the real server:
exactly one does the work; every other is answered with its answer or told it is in flight
(409, Retry-After), never a 5xx; and asking again afterwards gives the answer."""

import uuid

import httpx
from conftest import Live
from sqlalchemy import func
from sqlmodel import Session, select
from test_concurrency import API, WRITERS, bearer, clients, race

from api.models import Agency, IdempotencyKey

__all__ = ["clients"]  # the fixture, shared with the other races
RACES = 5
REPLAYED = "Idempotent-Replayed"


def agencies_named(live: Live, name: str) -> int:
    with Session(live.engine) as s:
        return s.exec(select(func.count()).select_from(Agency).where(Agency.name == name)).one()


def test_many_retries_at_once_do_the_work_once(live: Live, clients: list[httpx.Client]) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    path = f"{API}/partnerships/{york}/agencies"
    for n in range(RACES):
        key, name = str(uuid.uuid4()), f"Retried agency {n}"
        headers = {**admin, "Idempotency-Key": key}
        body = {"name": name, "sector": "other"}
        send = lambda h, b=body, k=headers: h.post(path, json=b, headers=k)  # noqa: E731
        replies = race(clients, [send] * WRITERS)
        assert all(r.status_code < 500 for r in replies), [r.text for r in replies]
        done = [r for r in replies if r.status_code == 201 and REPLAYED not in r.headers]
        assert len(done) == 1, [(r.status_code, r.headers.get(REPLAYED)) for r in replies]
        [first] = done
        for r in replies:
            if r.status_code == 409:
                assert r.json()["type"] == "urn:assure:problem:idempotency-key-in-flight"
                assert int(r.headers["Retry-After"]) >= 1
            elif r is not first:
                assert r.status_code == 201 and r.headers[REPLAYED] == "true", r.text
                assert (r.content, r.headers["ETag"]) == (first.content, first.headers["ETag"])
        assert agencies_named(live, name) == 1
        again = c.post(path, json=body, headers=headers)
        assert again.status_code == 201 and again.headers[REPLAYED] == "true"
        assert again.content == first.content
        with Session(live.engine) as s:
            [row] = s.exec(select(IdempotencyKey).where(IdempotencyKey.key == key)).all()
            assert row.status == 201


def test_one_key_sent_with_different_bodies_at_once_does_one(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    path = f"{API}/partnerships/{york}/agencies"
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    names = [f"Contested agency {w}" for w in range(WRITERS)]
    replies = race(
        clients,
        [lambda h, n=n: h.post(path, json={"name": n, "sector": "other"}, headers=headers)
         for n in names],
    )  # fmt: skip
    assert all(r.status_code < 500 for r in replies), [r.text for r in replies]
    statuses = sorted(r.status_code for r in replies)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409, 422}, statuses
    assert sum(agencies_named(live, n) for n in names) == 1
