"""Forgotten passwords: asking for a link (no email-existence leak, throttled per email and
per address), using it once (used, expired and forged links refused), and the real email."""

import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from apikit import API, PASSWORD, PEOPLE, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Channel, Membership, OutboxMessage, PasswordReset, User
from api.models.base import utcnow
from api.outbox.smtp import SmtpMailer
from api.outbox.worker import deliver
from api.security import token_digest
from api.settings import get_settings

sys.path.insert(0, str(Path(__file__).parents[1] / "outbox"))
from smtpinbox import smtp_inbox  # noqa: E402  (the real test SMTP server of tests/outbox)

ASK, CONFIRM, TOKEN = (
    f"{API}/auth/password-reset",
    f"{API}/auth/password-reset/confirm",
    f"{API}/auth/token",
)
NEW = "a fresh spring password"
LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_-]+)")


def _resets(db) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")))


def _link_token(db) -> str:
    [message] = _resets(db)
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(client, db):
    known = client.post(ASK, json={"email": PEOPLE["panel"]})
    unknown = client.post(ASK, json={"email": "nobody.here@york.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() and known.content == unknown.content
    assert set(known.headers) == set(unknown.headers)
    [message] = _resets(db)  # only the account's email is queued
    assert message.recipient == PEOPLE["panel"] and message.kind == "password_reset"
    assert message.subject == "Choose a new Assure password"
    rows = db.exec(select(PasswordReset).order_by(PasswordReset.id)).all()
    assert [r.email for r in rows] == [PEOPLE["panel"], "nobody.here@york.example"]
    assert rows[1].token_hash is None and rows[1].user_id is None
    # Only the token's hash is kept, and it is the link's.
    assert rows[0].token_hash == token_digest(_link_token(db))
    assert _link_token(db) not in str([r.model_dump() for r in rows])
    assert rows[0].expires_at - rows[0].requested_at == timedelta(minutes=60)


def test_a_link_sets_the_password_once_ends_sign_ins_and_is_recorded(client, db, auth, user_id):
    panel = auth("panel")
    client.post(ASK, json={"email": PEOPLE["panel"].upper()})
    token = _link_token(db)
    version = db.exec(select(User).where(User.email == PEOPLE["panel"])).one().version
    r = client.post(CONFIRM, json={"token": token, "new_password": NEW})
    assert r.status_code == 204, r.text
    assert_problem(client.get(f"{API}/me", headers=panel), 401)  # every sign-in ended
    assert client.post(TOKEN, data={"username": PEOPLE["panel"], "password": NEW}).is_success
    assert_problem(
        client.post(TOKEN, data={"username": PEOPLE["panel"], "password": PASSWORD}), 401
    )
    user = db.exec(select(User).where(User.email == PEOPLE["panel"])).one()
    db.refresh(user)
    assert user.version == version + 1
    held = {
        m.partnership_id for m in db.exec(select(Membership).where(Membership.user_id == user.id))
    }
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).all()
    assert {e.partnership_id for e in events} == held and held
    assert all(e.after["password_changed"] and "password_hash" not in e.after for e in events)
    assert all(NEW not in str(e.after) for e in events)
    # Twice: refused, saying it was used; the password stays the new one.
    again = client.post(CONFIRM, json={"token": token, "new_password": "yet another new password"})
    assert assert_problem(again, 400)["type"].endswith("reset-link-used")
    assert client.post(TOKEN, data={"username": PEOPLE["panel"], "password": NEW}).is_success


def test_an_expired_link_is_refused_saying_so(client, db):
    client.post(ASK, json={"email": PEOPLE["panel"]})
    token = _link_token(db)
    row = db.exec(select(PasswordReset)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.flush()
    r = client.post(CONFIRM, json={"token": token, "new_password": NEW})
    body = assert_problem(r, 400)
    assert body["type"].endswith("reset-link-expired") and "Ask for a new link" in body["detail"]
    assert client.post(TOKEN, data={"username": PEOPLE["panel"], "password": PASSWORD}).is_success


def test_a_forged_link_and_an_unknown_one_get_the_same_answer(client, db):
    client.post(ASK, json={"email": PEOPLE["panel"]})
    token = _link_token(db)
    forged = client.post(CONFIRM, json={"token": token[:-2] + "xy", "new_password": NEW})
    unknown = client.post(CONFIRM, json={"token": "made-up", "new_password": NEW})
    assert assert_problem(forged, 400) == {**assert_problem(unknown, 400)}
    assert forged.json()["type"].endswith("reset-link-invalid")
    events = count(db, AuditEvent)
    assert client.post(TOKEN, data={"username": PEOPLE["panel"], "password": PASSWORD}).is_success
    assert count(db, AuditEvent) == events


@pytest.mark.parametrize(
    ("password", "says"),
    [("too short", "at least 15"), ("passwordpassword", "too easy"), (PEOPLE["panel"], "email")],
)
def test_the_password_policy_holds_for_a_reset_and_the_link_still_works(client, db, password, says):
    client.post(ASK, json={"email": PEOPLE["panel"]})
    token = _link_token(db)
    r = client.post(CONFIRM, json={"token": token, "new_password": password})
    [error] = assert_problem(r, 422, field="new_password")["errors"]
    assert says in error["message"]
    assert client.post(CONFIRM, json={"token": token, "new_password": NEW}).status_code == 204


def test_asking_is_throttled_per_email_alike_with_retry_after(client, db):
    limit = get_settings().password_reset_max_per_email
    for email in (PEOPLE["panel"], "nobody.here@york.example"):
        for _ in range(limit):
            assert client.post(ASK, json={"email": email}).status_code == 202
        r = client.post(ASK, json={"email": email})
        body = assert_problem(r, 429)
        assert 1 <= int(r.headers["Retry-After"]) <= 3600 and "this email" in body["detail"]
    assert len(_resets(db)) == limit


def test_asking_is_throttled_per_client_address(client):
    limit = get_settings().password_reset_max_per_address
    for i in range(limit):
        assert client.post(ASK, json={"email": f"person{i}@york.example"}).status_code == 202
    r = client.post(ASK, json={"email": "one.more@york.example"})
    assert "network address" in assert_problem(r, 429)["detail"]
    assert int(r.headers["Retry-After"]) >= 1


def test_an_inactive_account_gets_no_link(client, db):
    user = db.exec(select(User).where(User.email == PEOPLE["panel"])).one()
    user.is_active = False
    db.add(user)
    db.flush()
    assert client.post(ASK, json={"email": PEOPLE["panel"]}).status_code == 202
    assert _resets(db) == []


def test_the_reset_email_arrives_over_smtp_and_its_link_works(client, db, connection):
    """Delivered by the worker's own code to a real SMTP server; the link from the mail."""
    assert client.post(ASK, json={"email": PEOPLE["panel"]}).status_code == 202
    with smtp_inbox() as inbox:
        settings = get_settings().model_copy(
            update={"smtp_host": inbox.host, "smtp_port": inbox.port, "smtp_security": "none"}
        )
        for other in db.exec(select(OutboxMessage).where(OutboxMessage.kind != "password_reset")):
            db.delete(other)  # the demo's notices: only the reset is to be delivered
        db.flush()
        tally = deliver(connection, {Channel.email: SmtpMailer(settings)})
        assert tally.delivered == 1
        [mail] = inbox.received
    assert mail["To"] == PEOPLE["panel"] and mail["Subject"] == "Choose a new Assure password"
    text = mail.get_content()
    match = LINK.search(text)
    assert match and text.count("/reset-password?token=") == 1
    assert f"{get_settings().public_url}/reset-password?token=" in text
    r = client.post(CONFIRM, json={"token": match.group(1), "new_password": NEW})
    assert r.status_code == 204, r.text
    assert client.post(TOKEN, data={"username": PEOPLE["panel"], "password": NEW}).is_success
