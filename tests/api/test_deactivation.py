"""Deactivating a person in one partnership: their access there stops at once, their roles
are kept for reactivation, their other partnerships are untouched, and no notice reaches them."""

from datetime import date, timedelta

import pytest
from apikit import API, PEOPLE, assert_problem, count
from sqlmodel import select
from test_reminders import HOUSING_STAFF, on
from test_reminders import outbox as outbox  # the fixture

from api.models import AuditEvent, Deactivation, Membership, Role, User
from api.notices import recipients, reminders
from api.people import activation
from api.people.activation import CannotDeactivate


def people_url(pid: int, uid: int, action: str = "") -> str:
    return f"{API}/partnerships/{pid}/users/{uid}" + (f"/{action}" if action else "")


@pytest.fixture
def in_both(db, york, north, user_id):  # type: ignore[no-untyped-def]
    """York's executive, who is also an executive in North Yorkshire."""
    db.add(Membership(user_id=user_id("executive"), partnership_id=north.id, role=Role.executive))
    db.commit()
    return user_id("executive")


def test_deactivation_stops_access_here_at_once_and_nowhere_else(
    client, db, auth, york, north, in_both
):
    executive = auth("executive")  # a token issued before the deactivation
    assert client.get(f"{API}/partnerships/{york.id}", headers=executive).status_code == 200

    r = client.post(people_url(york.id, in_both, "deactivate"), headers=auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["active_here"] is False and body["deactivated_at"]
    assert [x["role"] for x in body["roles"]] == ["executive"]  # kept

    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=executive), 404)
    assert_problem(client.get(f"{API}/partnerships/{york.id}/programmes", headers=executive), 404)
    assert client.get(f"{API}/partnerships/{north.id}", headers=executive).status_code == 200
    me = client.get(f"{API}/me", headers=executive).json()
    assert [p["id"] for p in me["partnerships"]] == [north.id]
    assert {m["partnership_id"] for m in me["memberships"]} == {north.id}

    # North Yorkshire still shows them active; York's list filters by it.
    north_read = client.get(people_url(north.id, in_both), headers=auth("north_admin")).json()
    assert north_read["active_here"] is True
    users = f"{API}/partnerships/{york.id}/users"
    off = client.get(users, headers=auth("admin"), params={"active": "false"}).json()
    assert [u["id"] for u in off["items"]] == [in_both]
    on_ = client.get(users, headers=auth("admin"), params={"active": "true"}).json()
    assert in_both not in [u["id"] for u in on_["items"]] and on_["total"] == off["total"] + 6

    events = db.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).all()
    assert [(e.partnership_id, e.entity_id) for e in events] == [(york.id, in_both)]


def test_reactivation_restores_the_roles(client, db, auth, york, user_id, agency_id):
    editor = auth("editor")
    uid = user_id("editor")
    before = client.get(people_url(york.id, uid), headers=auth("admin")).json()["roles"]
    assert client.post(people_url(york.id, uid, "deactivate"), headers=auth("admin")).is_success
    assert_problem(client.get(f"{API}/partnerships/{york.id}/returns", headers=editor), 404)

    r = client.post(people_url(york.id, uid, "reactivate"), headers=auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["active_here"] is True and r.json()["deactivated_at"] is None
    assert r.json()["roles"] == before
    assert client.get(f"{API}/partnerships/{york.id}/returns", headers=editor).status_code == 200
    assert count(db, Deactivation) == 0
    assert count(db, AuditEvent, AuditEvent.action == "user.reactivate") == 1


def test_deactivating_twice_or_reactivating_an_active_person_changes_nothing(
    client, db, auth, york, user_id
):
    uid, admin = user_id("panel"), auth("admin")
    for _ in range(2):
        r = client.post(people_url(york.id, uid, "deactivate"), headers=admin)
        assert r.status_code == 200 and r.json()["active_here"] is False
    assert count(db, AuditEvent, AuditEvent.action == "user.deactivate") == 1
    for _ in range(2):
        r = client.post(people_url(york.id, uid, "reactivate"), headers=admin)
        assert r.status_code == 200 and r.json()["active_here"] is True
    assert count(db, AuditEvent, AuditEvent.action == "user.reactivate") == 1


def test_nobody_deactivates_themselves(client, db, auth, york, user_id):
    r = client.post(people_url(york.id, user_id("admin"), "deactivate"), headers=auth("admin"))
    body = assert_problem(r, 409)
    assert "cannot deactivate yourself" in body["detail"]
    assert count(db, Deactivation) == 0


def test_an_admin_deactivated_by_another_no_longer_counts_as_an_admin(
    client, db, auth, york, user_id
):
    second = user_id("scrutineer")
    r = client.post(
        people_url(york.id, second, "roles"),
        headers=auth("admin"),
        json={"role": "partnership_admin"},
    )
    assert r.status_code == 201, r.text
    scrutineer, admin_id = auth("scrutineer"), user_id("admin")
    r = client.post(people_url(york.id, admin_id, "deactivate"), headers=scrutineer)
    assert r.status_code == 200, r.text
    assert_problem(client.get(f"{API}/partnerships/{york.id}/users", headers=auth("admin")), 404)
    # The scrutineer is now the last active admin: taking their admin role is refused,
    # though the deactivated admin still holds theirs.
    held = client.get(people_url(york.id, second), headers=scrutineer).json()["roles"]
    mid = next(x["membership_id"] for x in held if x["role"] == "partnership_admin")
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{mid}", headers=scrutineer)
    assert "at least one active partnership admin" in assert_problem(r, 409)["detail"]
    r = client.post(people_url(york.id, second, "deactivate"), headers=scrutineer)
    assert "cannot deactivate yourself" in assert_problem(r, 409)["detail"]


def test_the_last_active_admin_is_never_deactivated(db, york, user_id):
    """No route reaches this today (an admin acting is an active admin, and no token may
    unseat an admin), so the rule is asked of the service itself, by someone holding the
    power to manage people but not counted among the admins."""
    from api.security import Grant, Principal

    acting = Principal(
        label="Someone",
        token_id=None,
        user_id=user_id("executive"),
        grants={york.id: frozenset({Grant(Role.partnership_admin, None)})},
    )
    admin = db.get(User, user_id("admin"))
    with pytest.raises(CannotDeactivate, match="last active partnership admin"):
        activation.deactivate(db, principal=acting, partnership_id=york.id, user=admin)
    assert count(db, Deactivation) == 0


def test_a_service_token_deactivates_only_whom_it_could_appoint(
    client, db, auth, york, user_id, service_token
):
    svc, _ = service_token(["people:write"])
    r = client.post(people_url(york.id, user_id("approver"), "deactivate"), headers=svc)
    assert "Agency approver" in assert_problem(r, 403)["detail"]
    r = client.post(people_url(york.id, user_id("editor"), "deactivate"), headers=svc)
    assert "returns:write" in assert_problem(r, 403)["detail"]
    r = client.post(people_url(york.id, user_id("executive"), "deactivate"), headers=svc)
    assert r.status_code == 200, r.text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).one()
    assert event.actor_label.startswith("service token")


def test_no_notice_reaches_a_deactivated_person(
    client, db, auth, york, user_id, agency_id, housing, outbox
):
    assert client.post(
        people_url(york.id, user_id("editor"), "deactivate"), headers=auth("admin")
    ).is_success
    staff = recipients.agency_staff(db, partnership_id=york.id, agency_id=agency_id())
    assert [u.email for u in staff] == [PEOPLE["approver"]]
    deadline = date(2027, 1, 29)
    reminders.write_due(db, now=on(deadline - timedelta(days=7)))
    assert [m.recipient for m in outbox("deadline_near", to=HOUSING_STAFF)] == [PEOPLE["approver"]]


def test_the_business_unit_digest_skips_a_deactivated_admin(
    client, db, auth, york, user_id, outbox
):
    other = user_id("scrutineer")
    client.post(
        people_url(york.id, other, "roles"),
        headers=auth("admin"),
        json={"role": "partnership_admin"},
    )
    assert {u.email for u in recipients.business_unit(db, partnership_id=york.id)} == {
        PEOPLE["admin"],
        PEOPLE["scrutineer"],
    }
    assert client.post(people_url(york.id, other, "deactivate"), headers=auth("admin")).is_success
    reminders.write_due(db, now=on(date(2027, 2, 1)))
    digests = [m for m in outbox("weekly_digest") if m.partnership_id == york.id]
    assert [m.recipient for m in digests] == [PEOPLE["admin"]]


def test_a_person_of_another_partnership_is_not_found(client, db, auth, york, north, user_id):
    nid = user_id("north_admin")
    for action in ("deactivate", "reactivate"):
        assert_problem(client.post(people_url(york.id, nid, action), headers=auth("admin")), 404)
    assert count(db, Deactivation) == 0


def test_a_deactivated_panel_member_cannot_sit_on_a_new_challenge_panel(
    client, db, auth, york, user_id
):
    admin = auth("admin")
    r = client.post(people_url(york.id, user_id("panel"), "deactivate"), headers=admin)
    assert r.status_code == 200, r.text
    programmes = client.get(f"{API}/partnerships/{york.id}/programmes", headers=admin,
                            params={"status": "open"}).json()["items"]  # fmt: skip
    day = {"programme_id": programmes[0]["id"], "title": "Day", "held_on": "2027-11-01",
           "place": "Online"}  # fmt: skip
    as_chair = client.post(f"{API}/partnerships/{york.id}/challenge-events", headers=admin,
                           json={**day, "chair_user_id": user_id("panel")})  # fmt: skip
    assert_problem(as_chair, 422, field="chair_user_id")
    on_panel = client.post(f"{API}/partnerships/{york.id}/challenge-events", headers=admin,
                           json={**day, "chair_user_id": user_id("scrutineer"),
                                 "panel_user_ids": [user_id("panel")]})  # fmt: skip
    assert_problem(on_panel, 422, field="panel_user_ids")
