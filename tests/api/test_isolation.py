"""Each test's writes stay in its own transaction, even when the API commits."""

from apikit import API
from sqlalchemy import Engine, text


def test_a_committed_write_is_invisible_outside_the_test_transaction(
    client, auth, york, engine: Engine
):
    r = client.post(
        f"{API}/partnerships/{york.id}/agencies",
        headers=auth("admin"),
        json={"name": "Isolation Check", "sector": "other"},
    )
    assert r.status_code == 201
    with engine.connect() as other:
        seen = other.execute(text("SELECT count(*) FROM agency WHERE name = 'Isolation Check'"))
        assert seen.scalar_one() == 0
