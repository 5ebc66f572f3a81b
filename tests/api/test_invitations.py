"""Invitations by email through the API: inviting, the list, sending again, revoking, and
accepting, by a new person and by one with an account in another partnership."""

from datetime import timedelta

import pytest
from apikit import API, HOUSING, PASSWORD, PEOPLE, assert_problem, count
from invitekit import emails_to, latest_token
from sqlmodel import select

from api.models import AuditEvent, Invitation, Membership, User
from api.models.base import utcnow
from api.security import token_digest

NEW = "new.person@example.org"


def many(pid: int) -> str:
    return f"{API}/partnerships/{pid}/invitations"


@pytest.fixture
def invite(client, auth, york, agency_id):  # type: ignore[no-untyped-def]
    def make(email: str = NEW, *, who: str = "admin", status: int = 201, **body):  # type: ignore[no-untyped-def]
        payload = {
            "email": email,
            "name": "Nia New",
            "roles": [{"role": "agency_editor", "agency_id": agency_id(HOUSING)}],
            **body,
        }
        r = client.post(many(york.id), headers=auth(who), json=payload)
        assert r.status_code == status, r.text
        return r.json()

    return make


def accept(client, token: str, headers=None, **body):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/invitations/accept", json={"token": token, **body}, headers=headers or {}
    )


def test_inviting_queues_an_email_with_a_link_and_keeps_only_its_hash(  # type: ignore[no-untyped-def]
    client, db, auth, york, invite
):
    made = invite(email="  New.Person@Example.org ")
    assert made["email"] == NEW and made["state"] == "pending"
    assert made["roles"] == [
        {
            "role": "agency_editor",
            "role_label": "Agency editor",
            "agency_id": made["roles"][0]["agency_id"],
            "agency_name": HOUSING,
        }
    ]
    assert made["invited_by"] == "Bev Business-Unit"
    assert (
        timedelta(days=6, hours=23)
        < (_dt(made["expires_at"]) - _dt(made["created_at"]))
        <= timedelta(days=7, seconds=5)
    )
    [email] = emails_to(db, NEW)
    token = latest_token(db, NEW)
    assert email.subject == f"Bev Business-Unit invited you to {york.name} on Assure"
    assert york.name in email.body and "Agency editor at " + HOUSING in email.body
    assert f"/invitation?token={token}" in email.body
    row = db.get(Invitation, made["id"])
    assert row is not None and row.token_hash == token_digest(token)
    assert token not in str(made)
    one = client.get(f"{many(york.id)}/{made['id']}", headers=auth("admin"))
    assert one.status_code == 200 and one.json() == made
    events = db.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "invitation")).all()
    assert list(events) == ["invitation.create"]


def _dt(text: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_list_shows_pending_first_then_newest_and_filters_by_state(  # type: ignore[no-untyped-def]
    client, auth, york, invite
):
    first = invite(email="first@example.org")
    second = invite(email="second@example.org")
    third = invite(email="third@example.org")
    r = client.delete(f"{many(york.id)}/{second['id']}", headers=auth("admin"))
    assert r.status_code == 204
    listed = client.get(many(york.id), headers=auth("admin")).json()
    assert [i["id"] for i in listed["items"]] == [third["id"], first["id"], second["id"]]
    assert [i["state"] for i in listed["items"]] == ["pending", "pending", "revoked"]
    revoked = client.get(many(york.id), headers=auth("admin"), params={"state": "revoked"})
    assert [i["id"] for i in revoked.json()["items"]] == [second["id"]]
    assert revoked.json()["total"] == 1


def test_sending_again_makes_the_old_link_stop_working(client, db, auth, york, invite):  # type: ignore[no-untyped-def]
    made = invite()
    old = latest_token(db, NEW)
    r = client.post(f"{many(york.id)}/{made['id']}/resend", headers=auth("admin"))
    assert r.status_code == 200, r.text
    assert len(emails_to(db, NEW)) == 2
    new = latest_token(db, NEW)
    assert new != old
    gone = client.post(f"{API}/invitations/lookup", json={"token": old})
    assert assert_problem(gone, 404)["type"].endswith("invitation-invalid")
    assert client.post(f"{API}/invitations/lookup", json={"token": new}).status_code == 200
    assert r.json()["last_sent_at"] >= made["last_sent_at"]
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "invitation")).all()
    assert list(actions) == ["invitation.create", "invitation.resend"]


def test_an_accepted_invitation_is_neither_sent_again_nor_revoked(  # type: ignore[no-untyped-def]
    client, db, auth, york, invite
):
    made = invite()
    assert accept(client, latest_token(db, NEW), password="a long password").status_code == 201
    url = f"{many(york.id)}/{made['id']}"
    assert_problem(client.post(url + "/resend", headers=auth("admin")), 409)
    assert_problem(client.delete(url, headers=auth("admin")), 409)
    assert len(emails_to(db, NEW)) == 1
    # the person now belongs here: a new invitation for them is refused
    assert invite(status=409)["type"].endswith("already-member")


def test_an_expired_invitation_can_be_sent_again(client, db, auth, york, invite):  # type: ignore[no-untyped-def]
    made = invite()
    row = db.get(Invitation, made["id"])
    assert row is not None
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.flush()
    token = latest_token(db, NEW)
    closed = assert_problem(client.post(f"{API}/invitations/lookup", json={"token": token}), 409)
    assert "expired" in closed["detail"]
    assert assert_problem(accept(client, token, password="a long password"), 409)
    one = client.get(f"{many(york.id)}/{made['id']}", headers=auth("admin")).json()
    assert one["state"] == "expired"
    r = client.post(f"{many(york.id)}/{made['id']}/resend", headers=auth("admin"))
    assert r.json()["state"] == "pending"
    assert accept(client, latest_token(db, NEW), password="a long password").status_code == 201


def test_revoking_stops_the_link(client, db, auth, york, invite):  # type: ignore[no-untyped-def]
    made = invite()
    token = latest_token(db, NEW)
    assert client.delete(f"{many(york.id)}/{made['id']}", headers=auth("admin")).status_code == 204
    body = assert_problem(accept(client, token, password="a long password"), 409)
    assert "withdrawn" in body["detail"]
    assert count(db, User, User.email == NEW) == 0
    r = client.post(f"{many(york.id)}/{made['id']}/resend", headers=auth("admin"))
    assert_problem(r, 409)
    actions = db.exec(
        select(AuditEvent.action).where(
            AuditEvent.entity_id == made["id"], AuditEvent.entity_type == "invitation"
        )
    ).all()
    assert list(actions) == ["invitation.create", "invitation.revoke"]


def test_a_new_person_accepts_gets_an_account_and_is_signed_in(  # type: ignore[no-untyped-def]
    client, db, auth, york, invite, agency_id
):
    made = invite()
    token = latest_token(db, NEW)
    offer = client.post(f"{API}/invitations/lookup", json={"token": token})
    assert offer.status_code == 200, offer.text
    assert offer.json() | {"expires_at": None} == {
        "partnership_id": york.id, "partnership_name": york.name,
        "invited_by": made["invited_by"], "email": NEW, "name": "Nia New",
        "roles": made["roles"], "expires_at": None, "needs_sign_in": False,
    }  # fmt: skip
    short = accept(client, token, password="short")
    assert_problem(short, 422, field="password")
    assert_problem(accept(client, token), 422, field="password")
    r = accept(client, token, name="Nia Newton", password="a long password")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["partnership_id"] == york.id and body["token_type"] == "bearer"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["name"] == "Nia Newton" and me.json()["email"] == NEW
    assert [(m["role"], m["agency_id"]) for m in me.json()["memberships"]] == [
        ("agency_editor", agency_id(HOUSING))
    ]
    one = client.get(f"{many(york.id)}/{made['id']}", headers=auth("admin")).json()
    assert one["state"] == "accepted" and one["accepted_at"]
    again = assert_problem(accept(client, token, password="a long password"), 409)
    assert "already accepted" in again["detail"]
    assert_problem(client.post(f"{API}/invitations/lookup", json={"token": token}), 409)
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.partnership_id == york.id)
                      .order_by(AuditEvent.id)).all()  # fmt: skip
    assert list(actions)[-4:] == [
        "invitation.create", "user.create", "membership.create", "invitation.accept"
    ]  # fmt: skip


def test_an_account_elsewhere_is_invited_alike_and_accepts_signed_in(  # type: ignore[no-untyped-def]
    client, db, auth, york, north, invite, token_for
):
    """North Yorkshire's admin is invited to York: York learns nothing before acceptance."""
    fresh = invite(email="nobody.yet@example.org", roles=[{"role": "executive"}])
    known = invite(email=PEOPLE["north_admin"], roles=[{"role": "executive"}])
    assert set(known) == set(fresh)
    same = {"id", "email", "created_at", "last_sent_at", "expires_at"}
    assert {k: v for k, v in known.items() if k not in same} == {
        k: v for k, v in fresh.items() if k not in same
    }
    token = latest_token(db, PEOPLE["north_admin"])
    offer = client.post(f"{API}/invitations/lookup", json={"token": token}).json()
    assert offer["needs_sign_in"] is True and offer["email"] == PEOPLE["north_admin"]
    assert offer["partnership_name"] == york.name
    # Without signing in, or signed in as someone else: refused, nothing changes.
    assert "sign in as" in assert_problem(accept(client, token), 401)["detail"]
    assert_problem(accept(client, token, headers=auth("editor")), 403)
    r = accept(client, token, password="a long password", headers=auth("editor"))
    assert_problem(r, 403)
    assert (
        client.get(f"{many(york.id)}/{known['id']}", headers=auth("admin")).json()["state"]
        == "pending"
    )
    r = accept(client, token, headers=auth("north_admin"))
    assert r.status_code == 200, r.text
    assert r.json()["access_token"] is None and r.json()["partnership_id"] == york.id
    north_admin = db.exec(select(User).where(User.email == PEOPLE["north_admin"])).one()
    roles = db.exec(select(Membership.partnership_id, Membership.role)
                    .where(Membership.user_id == north_admin.id)).all()  # fmt: skip
    assert (york.id, "executive") in {(p, str(r)) for p, r in roles}
    assert (north.id, "partnership_admin") in {(p, str(r)) for p, r in roles}
    users = client.get(f"{API}/partnerships/{york.id}/users", headers=auth("admin"),
                       params={"q": "northyorkshire"}).json()  # fmt: skip
    assert [u["email"] for u in users["items"]] == [PEOPLE["north_admin"]]
    assert_problem(accept(client, token, headers=auth("north_admin")), 409)


def test_forged_and_unknown_tokens_get_one_answer(client, invite):  # type: ignore[no-untyped-def]
    invite()
    answers = []
    for token in ("forged-" + "x" * 40, "a", "!" * 200):
        for path in ("lookup", "accept"):
            body = (
                {"token": token, "password": "a long password"}
                if path == "accept"
                else {"token": token}
            )
            r = client.post(f"{API}/invitations/{path}", json=body)
            answers.append({k: v for k, v in assert_problem(r, 404).items() if k != "instance"})
    assert all(a == answers[0] for a in answers)
    assert answers[0]["type"] == "urn:assure:problem:invitation-invalid"


def test_someone_already_here_is_refused(client, auth, invite):  # type: ignore[no-untyped-def]
    body = invite(email=PEOPLE["panel"].upper(), status=409)
    assert body["type"].endswith("already-member")


def test_a_second_pending_invitation_for_an_email_is_refused(client, auth, york, invite):  # type: ignore[no-untyped-def]
    first = invite()
    second = invite(email=NEW.upper(), status=409)
    assert second["type"].endswith("already-invited")
    client.delete(f"{many(york.id)}/{first['id']}", headers=auth("admin"))
    invite()  # once revoked, a new invitation may be made


def test_a_role_the_inviter_may_not_give_is_refused(client, db, york, service_token):  # type: ignore[no-untyped-def]
    headers, _ = service_token(["read", "people:write"])
    r = client.post(
        many(york.id),
        headers=headers,
        json={"email": NEW, "name": "N", "roles": [{"role": "partnership_admin"}]},
    )
    assert_problem(r, 403)
    assert count(db, Invitation) == 0 and emails_to(db, NEW) == []


def test_an_agency_of_another_partnership_is_refused(client, db, auth, york, agency_id):  # type: ignore[no-untyped-def]
    r = client.post(
        many(york.id), headers=auth("admin"),
        json={"email": NEW, "name": "N", "roles": [
            {"role": "executive"},
            {"role": "agency_editor", "agency_id": agency_id("North Yorkshire Council")},
        ]},
    )  # fmt: skip
    assert_problem(r, 422, field="roles.1.agency_id")
    assert count(db, Invitation) == 0


def test_only_people_managers_see_invitations(client, auth, york, north, invite):  # type: ignore[no-untyped-def]
    made = invite()
    assert_problem(client.get(many(york.id), headers=auth("editor")), 403)
    assert_problem(client.get(many(york.id), headers=auth("north_admin")), 404)
    url = f"{many(north.id)}/{made['id']}"
    assert_problem(client.get(url, headers=auth("north_admin")), 404)
    assert_problem(client.post(url + "/resend", headers=auth("north_admin")), 404)
    assert_problem(client.delete(url, headers=auth("north_admin")), 404)
    assert client.get(many(north.id), headers=auth("north_admin")).json()["total"] == 0


def test_a_password_is_not_needed_for_an_existing_account(client, db, invite, auth):  # type: ignore[no-untyped-def]
    invite(email=PEOPLE["north_admin"], roles=[{"role": "executive"}])
    token = latest_token(db, PEOPLE["north_admin"])
    r = accept(client, token, password=PASSWORD, headers=auth("north_admin"))
    assert r.status_code == 200, r.text
