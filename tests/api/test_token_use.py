"""When each token was last used: written on first use, then at most once per
TOKEN_USE_GRANULARITY, so that reading with a token does not write on every request."""

from datetime import timedelta

from apikit import API, assert_problem
from sqlmodel import select

from api.models import ApiToken
from api.models.base import utcnow
from api.security import TOKEN_USE_GRANULARITY


def last_used(db, token_id: int):  # type: ignore[no-untyped-def]
    query = select(ApiToken).where(ApiToken.id == token_id)
    return db.exec(query.execution_options(populate_existing=True)).one().last_used_at


def set_last_used(db, token_id: int, when) -> None:  # type: ignore[no-untyped-def]
    row = db.get(ApiToken, token_id)
    row.last_used_at = when
    db.add(row)
    db.commit()


def test_a_service_tokens_use_is_recorded_then_throttled(client, db, auth, york, service_token):
    svc, issued = service_token(["read"])
    assert issued["last_used_at"] is None
    assert last_used(db, issued["id"]) is None
    before = utcnow()
    assert client.get(f"{API}/partnerships/{york.id}", headers=svc).status_code == 200
    first = last_used(db, issued["id"])
    assert first is not None and before <= first <= utcnow()

    # Used again at once: not written again.
    for _ in range(3):
        assert client.get(f"{API}/partnerships/{york.id}/agencies", headers=svc).is_success
    assert last_used(db, issued["id"]) == first

    # The list and the token's own read show it.
    tokens = f"{API}/partnerships/{york.id}/service-tokens"
    listed = client.get(tokens, headers=auth("admin")).json()["items"]
    shown = next(t for t in listed if t["id"] == issued["id"])["last_used_at"]
    read = client.get(f"{tokens}/{issued['id']}", headers=auth("admin")).json()
    assert shown == read["last_used_at"] is not None

    # Once the last use is older than the granularity, the next use is written.
    long_ago = utcnow() - TOKEN_USE_GRANULARITY - timedelta(seconds=1)
    set_last_used(db, issued["id"], long_ago)
    assert client.get(f"{API}/partnerships/{york.id}", headers=svc).status_code == 200
    assert last_used(db, issued["id"]) > long_ago + TOKEN_USE_GRANULARITY


def test_a_use_just_inside_the_granularity_is_not_written(client, db, york, service_token):
    svc, issued = service_token(["read"])
    recent = utcnow() - TOKEN_USE_GRANULARITY + timedelta(seconds=30)
    set_last_used(db, issued["id"], recent)
    assert client.get(f"{API}/partnerships/{york.id}", headers=svc).status_code == 200
    assert last_used(db, issued["id"]) == recent


def test_a_sign_in_tokens_use_is_recorded_too(client, db, auth):
    headers = auth("editor")
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    row = db.exec(
        select(ApiToken).where(ApiToken.name == "test").order_by(ApiToken.id.desc())  # type: ignore[union-attr]
    ).first()
    assert row is not None and last_used(db, row.id) is not None


def test_a_revoked_token_is_not_recorded_as_used(client, db, auth, york, service_token):
    svc, issued = service_token(["read"])
    tokens = f"{API}/partnerships/{york.id}/service-tokens"
    assert client.delete(f"{tokens}/{issued['id']}", headers=auth("admin")).status_code == 204
    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=svc), 401)
    assert last_used(db, issued["id"]) is None
    read = client.get(f"{tokens}/{issued['id']}", headers=auth("admin")).json()
    assert read["revoked_at"] is not None and read["last_used_at"] is None


def test_another_partnerships_token_is_not_found(client, auth, north, service_token):
    _, issued = service_token(["read"])
    r = client.get(
        f"{API}/partnerships/{north.id}/service-tokens/{issued['id']}", headers=auth("north_admin")
    )
    assert_problem(r, 404)
