"""The partnership's outbox as its admins see it: every email, its state, and sending a
failed one again."""

from datetime import timedelta

import pytest
from apikit import API, assert_problem
from sqlmodel import select

from api.models import AuditEvent, OutboxMessage
from api.models.base import utcnow


@pytest.fixture
def messages(db, york, north):  # type: ignore[no-untyped-def]
    now = utcnow()
    made = {
        "waiting": OutboxMessage(key="t-waiting", partnership_id=york.id, kind="deadline_near",
                                 recipient="a@example.org", subject="Due soon", body="Soon.",
                                 attempts=2, last_error="451 Try again later",
                                 next_attempt_at=now + timedelta(minutes=1)),
        "delivered": OutboxMessage(key="t-delivered", partnership_id=york.id,
                                   kind="return_accepted", recipient="b@example.org",
                                   subject="Accepted", body="Well done.", attempts=1,
                                   delivered_at=now),
        "failed": OutboxMessage(key="t-failed", partnership_id=york.id, kind="return_returned",
                                recipient="c@example.org", subject="Returned", body="Why.",
                                attempts=8, last_error="550 No such user", failed_at=now),
        "north": OutboxMessage(key="t-north", partnership_id=north.id, kind="return_returned",
                               recipient="d@example.org", subject="North's", body="Theirs.",
                               attempts=8, failed_at=now),
    }  # fmt: skip
    db.add_all(made.values())
    db.flush()
    return made


def test_the_outbox_lists_each_email_with_its_state(client, auth, york, messages):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/partnerships/{york.id}/outbox", headers=auth("admin"))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["mail_server"] is False  # the suite sets no SMTP host
    mine = {m["subject"]: m for m in page["items"] if m["recipient"].endswith("@example.org")}
    assert set(mine) == {"Due soon", "Accepted", "Returned"}  # not North Yorkshire's
    assert mine["Due soon"]["state"] == "waiting"
    assert mine["Due soon"]["next_attempt_at"] is not None
    assert mine["Due soon"]["last_error"] == "451 Try again later"
    assert mine["Accepted"]["state"] == "delivered"
    assert mine["Accepted"]["next_attempt_at"] is None
    assert mine["Returned"]["state"] == "failed"
    assert mine["Returned"]["kind_label"] == "Your return was returned for more information"

    failed = client.get(
        f"{API}/partnerships/{york.id}/outbox", headers=auth("admin"), params={"state": "failed"}
    ).json()
    assert [m["subject"] for m in failed["items"]] == ["Returned"]
    assert failed["total"] == 1


def test_a_failed_email_is_sent_again_from_its_first_attempt(client, db, auth, york, messages):  # type: ignore[no-untyped-def]
    failed = messages["failed"]
    url = f"{API}/partnerships/{york.id}/outbox/{failed.id}/retry"
    r = client.post(url, headers=auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "waiting" and body["attempts"] == 0
    assert body["last_error"] == "550 No such user"  # kept until an attempt succeeds
    event = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "outbox_message.retry", AuditEvent.entity_id == failed.id
        )
    ).one()
    assert event.after == {"recipient": "c@example.org", "subject": "Returned"}
    # Once waiting, it cannot be sent again by hand: nor can a delivered one.
    assert_problem(client.post(url, headers=auth("admin")), 409)
    delivered = f"{API}/partnerships/{york.id}/outbox/{messages['delivered'].id}/retry"
    assert_problem(client.post(delivered, headers=auth("admin")), 409)


def test_another_partnerships_email_is_not_found(client, auth, york, north, messages):  # type: ignore[no-untyped-def]
    theirs = messages["north"].id
    url = f"{API}/partnerships/{york.id}/outbox/{theirs}/retry"
    assert_problem(client.post(url, headers=auth("admin")), 404)
    r = client.post(f"{API}/partnerships/{north.id}/outbox/{theirs}/retry",
                    headers=auth("north_admin"))  # fmt: skip
    assert r.status_code == 200, r.text
