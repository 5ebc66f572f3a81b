"""Challenge events through the API: planning them, their panels, invitations and the picker."""

from typing import Any

import pytest
from apikit import API, HOUSING, assert_problem
from sqlmodel import select

from api.models import AuditEvent
from api.models.base import utcnow
from api.models.challenge import ChallengeEvent, ChallengeSession, LineOfEnquiry


@pytest.fixture
def kit(client, auth, york, user_id, agency_id) -> dict[str, Any]:
    admin = auth("admin")
    p = f"{API}/partnerships/{york.id}"
    items = client.get(f"{p}/programmes", headers=admin, params={"limit": 100}).json()["items"]
    programme = next(x for x in items if x["title"] == "Section 11 self-assessment 2023")
    events = f"{p}/challenge-events"
    # The demo holds York's two challenge days: what each person saw before the test's own.
    demo = {
        who: {e["id"] for e in client.get(events, headers=auth(who)).json()["items"]}
        for who in ("admin", "executive", "panel", "editor", "approver")
    }
    return {
        "demo": demo,
        "p": p,
        "events": events,
        "admin": admin,
        "programme_id": programme["id"],
        "chair": user_id("scrutineer"),
        "panel": user_id("panel"),
        "housing": agency_id(HOUSING),
    }


def _create(client, kit, **changes) -> Any:
    body = {
        "programme_id": kit["programme_id"], "title": "Section 11 challenge day",
        "held_on": "2023-10-31", "place": "West Offices, York", "chair_user_id": kit["chair"],
        "panel_user_ids": [kit["panel"]], **changes,
    }  # fmt: skip
    return client.post(kit["events"], headers=kit["admin"], json=body)


@pytest.fixture
def event(client, kit) -> dict[str, Any]:
    r = _create(client, kit)
    assert r.status_code == 201, r.text
    return r.json()


def _invite(client, kit, event_id, agency_id, reason="Self-rated met everywhere") -> Any:
    return client.post(
        f"{kit['events']}/{event_id}/invitations",
        headers=kit["admin"],
        json={"agency_id": agency_id, "reason": reason},
    )


def _count(db, model) -> int:
    return len(db.exec(select(model)).all())


def test_create_read_and_list(client, kit, event, db, auth) -> None:
    assert event["chair"]["id"] == kit["chair"]
    assert {m["id"] for m in event["panel"]} == {kit["chair"], kit["panel"]}
    assert event["status"] == "planned" and event["sessions"] == []
    r = client.get(f"{kit['events']}/{event['id']}", headers=kit["admin"])
    assert r.status_code == 200 and r.headers["ETag"] == '"1"'
    listed = client.get(kit["events"], headers=kit["admin"]).json()
    assert listed["total"] == len(kit["demo"]["admin"]) + 1
    assert [e["id"] for e in listed["items"] if e["id"] not in kit["demo"]["admin"]] == [
        event["id"]
    ]
    row = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "challenge_event.create", AuditEvent.entity_id == event["id"]
        )
    ).one()  # the demo's two events were created through the same service
    assert row.entity_id == event["id"]
    assert row.after["panel_user_ids"] == sorted([kit["chair"], kit["panel"]])
    online = _create(client, kit, place="Online", panel_user_ids=[])
    assert online.status_code == 201 and online.json()["place"] == "Online"
    assert [m["id"] for m in online.json()["panel"]] == [kit["chair"]]  # the chair sits on it


def test_list_filters(client, kit, event, agency_id) -> None:
    other = _create(client, kit, title="Another").json()
    assert _invite(client, kit, event["id"], kit["housing"]).status_code == 201
    get = lambda **params: [  # noqa: E731  (the test's own events, not the demo's)
        e["id"]
        for e in client.get(kit["events"], headers=kit["admin"], params=params).json()["items"]
        if e["id"] not in kit["demo"]["admin"]
    ]
    assert set(get()) == {event["id"], other["id"]}
    assert get(agency_id=kit["housing"]) == [event["id"]]
    assert get(agency_id=agency_id("Cafcass")) == []
    assert set(get(programme_id=kit["programme_id"])) == {event["id"], other["id"]}
    assert get(status="cancelled") == []
    page = client.get(kit["events"], headers=kit["admin"], params={"limit": 1}).json()
    assert page["total"] == len(kit["demo"]["admin"]) + 2 and len(page["items"]) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"chair_user_id": "executive"}, "chair_user_id"),
        ({"panel_user_ids": ["editor"]}, "panel_user_ids"),
        ({"panel_user_ids": ["north_admin"]}, "panel_user_ids"),
        ({"programme_id": "north"}, "programme_id"),
        ({"held_on": 1698710400}, "held_on"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_events_are_refused_with_nothing_changed(
    client, kit, db, user_id, north, auth, changes, field
) -> None:
    resolved: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "programme_id":  # a programme of North Yorkshire's
            body = {"title": "N", "framework_version_id": _s11(client, auth, north.id),
                    "opens_on": "2027-01-01", "deadline": "2027-02-01"}  # fmt: skip
            r = client.post(f"{API}/partnerships/{north.id}/programmes",
                            headers=auth("north_admin"), json=body)  # fmt: skip
            assert r.status_code == 201, r.text
            resolved[key] = r.json()["id"]
        elif key == "chair_user_id":
            resolved[key] = user_id(value)
        elif key == "panel_user_ids":
            resolved[key] = [user_id(v) for v in value]
        else:
            resolved[key] = value
    before = (_count(db, ChallengeEvent), _count(db, AuditEvent))
    assert_problem(_create(client, kit, **resolved), 422, field=field)
    assert (_count(db, ChallengeEvent), _count(db, AuditEvent)) == before


def _s11(client, auth, pid) -> int:
    items = client.get(f"{API}/partnerships/{pid}/frameworks", headers=auth("north_admin")).json()
    return next(f for f in items["items"] if f["key"] == "section-11")["latest_version"]["id"]


def test_reschedule_and_change_the_panel(client, kit, event, db, user_id) -> None:
    url = f"{kit['events']}/{event['id']}"
    assert_problem(client.patch(url, headers=kit["admin"], json={"place": "Online"}), 428)
    stale = {**kit["admin"], "If-Match": '"7"'}
    assert_problem(client.patch(url, headers=stale, json={"place": "Online"}), 412)
    fresh = {**kit["admin"], "If-Match": '"1"'}
    r = client.patch(url, headers=fresh, json={"held_on": "2023-11-07", "panel_user_ids": []})
    assert r.status_code == 200, r.text
    assert r.json()["held_on"] == "2023-11-07" and r.headers["ETag"] == '"2"'
    assert [m["id"] for m in r.json()["panel"]] == [kit["chair"]]
    row = db.exec(select(AuditEvent).where(AuditEvent.action == "challenge_event.reschedule")).one()
    assert row.before["held_on"] == "2023-10-31" and row.after["held_on"] == "2023-11-07"
    assert row.before["panel_user_ids"] == sorted([kit["chair"], kit["panel"]])
    assert row.after["panel_user_ids"] == [kit["chair"]]
    bad = {**kit["admin"], "If-Match": '"2"'}
    refused = client.patch(url, headers=bad, json={"chair_user_id": user_id("approver")})
    assert_problem(refused, 422, field="chair_user_id")
    assert client.get(url, headers=kit["admin"]).json()["chair"]["id"] == kit["chair"]


def test_cancel_then_nothing_changes(client, kit, event, db) -> None:
    url = f"{kit['events']}/{event['id']}"
    headers = {**kit["admin"], "If-Match": '"1"'}
    assert client.get(url, headers=kit["admin"]).json()["allowed"] == ["change", "cancel", "invite"]
    r = client.post(f"{url}/cancel", headers=headers, json={"reason": "No quorum"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["cancelled_reason"] == "No quorum"
    assert r.json()["allowed"] == []  # a cancelled event changes no more
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "challenge_event.cancel")).one()
    again = {**kit["admin"], "If-Match": '"2"'}
    assert_problem(client.patch(url, headers=again, json={"place": "Online"}), 409)
    assert_problem(client.post(f"{url}/cancel", headers=again, json={"reason": "x"}), 409)
    assert_problem(_invite(client, kit, event["id"], kit["housing"]), 409)
    assert client.get(url, headers=kit["admin"]).json()["place"] == "West Offices, York"


def test_invite_and_withdraw(client, kit, event, db, agency_id, york) -> None:
    r = _invite(client, kit, event["id"], kit["housing"])
    assert r.status_code == 201, r.text
    session = r.json()
    assert session["agency_name"] == HOUSING and session["reason"] == "Self-rated met everywhere"
    assert session["status"] == "open" and session["outcome"] is None
    invites = (
        AuditEvent.action == "challenge_session.invite",
        AuditEvent.entity_id == session["id"],
    )
    assert db.exec(select(AuditEvent).where(*invites)).one()
    before = _count(db, ChallengeSession)
    assert_problem(_invite(client, kit, event["id"], kit["housing"]), 409)
    body = {"name": "Not asked in 2023", "sector": "other"}
    new = client.post(f"{kit['p']}/agencies", headers=kit["admin"], json=body).json()["id"]
    assert_problem(_invite(client, kit, event["id"], new), 422, field="agency_id")
    assert _count(db, ChallengeSession) == before
    url = f"{kit['events']}/{event['id']}/invitations/{session['id']}"
    # once an enquiry is published to the agency, the invitation stays
    enquiry = LineOfEnquiry(
        session_id=session["id"], question="How?", author_label="Pat", published_at=utcnow()
    )
    db.add(enquiry)
    db.flush()
    assert_problem(client.delete(url, headers=kit["admin"]), 409)
    db.delete(enquiry)
    db.flush()
    assert client.delete(url, headers=kit["admin"]).status_code == 204
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "challenge_session.withdraw")
    ).one()
    assert (
        client.get(f"{kit['events']}/{event['id']}", headers=kit["admin"]).json()["sessions"] == []
    )
    assert_problem(client.delete(url, headers=kit["admin"]), 404)


def test_who_sees_which_events_and_sessions(client, kit, event, auth, agency_id) -> None:
    assert _invite(client, kit, event["id"], kit["housing"]).status_code == 201
    assert _invite(client, kit, event["id"], agency_id("Cafcass")).status_code == 201
    unseen = _create(client, kit, title="Panel not on it", panel_user_ids=[]).json()
    url = f"{kit['events']}/{event['id']}"

    def seen(who: str) -> tuple[set[int], set[str]]:
        items = client.get(kit["events"], headers=auth(who)).json()["items"]
        r = client.get(url, headers=auth(who))
        names = {s["agency_name"] for s in r.json()["sessions"]} if r.is_success else set()
        return {e["id"] for e in items} - kit["demo"][who], names

    both = {HOUSING, "Cafcass"}
    assert seen("executive") == ({event["id"], unseen["id"]}, both)
    assert seen("panel") == ({event["id"]}, both)
    assert seen("editor") == ({event["id"]}, {HOUSING})  # never another agency's session
    assert seen("approver") == ({event["id"]}, {HOUSING})
    assert client.get(url, headers=auth("executive")).json()["allowed"] == []  # reads only
    assert client.get(f"{kit['events']}/{unseen['id']}", headers=auth("editor")).status_code == 404
    # agency staff cannot learn, by filtering, whom else an event invited
    cafcass = {"agency_id": agency_id("Cafcass")}
    assert client.get(kit["events"], headers=auth("editor"), params=cafcass).json()["total"] == 0
    panel_sees = client.get(kit["events"], headers=auth("panel"), params=cafcass).json()["items"]
    assert {e["id"] for e in panel_sees} - kit["demo"]["panel"] == {event["id"]}


def test_candidates(client, kit, event, db) -> None:
    assert _invite(client, kit, event["id"], kit["housing"]).status_code == 201
    r = client.get(f"{kit['events']}/{event['id']}/candidates", headers=kit["admin"])
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 17
    housing = next(c for c in items if c["agency_id"] == kit["housing"])
    assert housing["invited"] and housing["session_id"] and housing["return_id"]
    assert housing["return_status"] == "accepted"
    assert len(housing["standards"]) == 12
    assert all(s["self_rating"] for s in housing["standards"])
    assert sum(not c["invited"] for c in items) == 16


def test_a_token_reads_events_with_read_and_manages_with_challenge_write(
    client, kit, event, service_token
) -> None:
    reader, _ = service_token(["read"])
    writer, _ = service_token(["challenge:write"])
    url = f"{kit['events']}/{event['id']}"
    assert client.get(url, headers=reader).status_code == 200
    assert_problem(client.patch(url, headers={**reader, "If-Match": '"1"'}, json={}), 403)
    assert client.patch(
        url, headers={**writer, "If-Match": '"1"'}, json={"place": "Online"}
    ).is_success
    # the picker shows self and moderated ratings, which are returns: returns:read as well
    assert_problem(client.get(f"{url}/candidates", headers=writer), 403)
    both, _ = service_token(["challenge:write", "returns:read"])
    assert client.get(f"{url}/candidates", headers=both).status_code == 200
