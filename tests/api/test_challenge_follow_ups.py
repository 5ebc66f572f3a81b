"""Follow-ups of challenge sessions through the API: who sees which, the list's filters,
tracking one to done with dated notes, and the events list's outcome filter."""

from datetime import timedelta
from typing import Any

import pytest
from apikit import API, HOUSING, assert_problem, count
from sqlmodel import Session, select
from test_queries import counting

from api.actions.service import today
from api.models import AuditEvent, FollowUp, FollowUpUpdate


@pytest.fixture
def day(client, auth, york, user_id, agency_id) -> dict[str, Any]:
    """A past challenge day inviting Housing and Cafcass, both closed with follow-ups:
    Housing's due yesterday (so overdue) and later (to the Executive), Cafcass's later."""
    admin, chair = auth("admin"), auth("scrutineer")
    p = f"{API}/partnerships/{york.id}"
    items = client.get(f"{p}/programmes", headers=admin, params={"limit": 100}).json()["items"]
    programme = next(x for x in items if x["title"] == "Section 11 self-assessment 2023")
    r = client.post(f"{p}/challenge-events", headers=admin, json={
        "programme_id": programme["id"], "title": "Follow-up day", "held_on": "2024-01-10",
        "place": "Online", "chair_user_id": user_id("scrutineer"),
        "panel_user_ids": [user_id("panel")],
    })  # fmt: skip
    assert r.status_code == 201, r.text
    event = r.json()["id"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    closes = {
        HOUSING: ("partially_assured", [
            {"description": "Send the audit", "owner": "Head of Housing", "due_on": yesterday},
            {"description": "Report to the Executive", "owner": "Director",
             "due_on": "2099-01-31", "to_executive": True},
        ]),
        "Cafcass": ("not_assured", [
            {"description": "Explain the gap", "owner": "Cafcass lead", "due_on": "2099-02-28"},
        ]),
    }  # fmt: skip
    made: dict[str, list[dict[str, Any]]] = {}
    for agency, (outcome, follow_ups) in closes.items():
        r = client.post(f"{p}/challenge-events/{event}/invitations", headers=admin,
                        json={"agency_id": agency_id(agency), "reason": "Why"})  # fmt: skip
        assert r.status_code == 201, r.text
        url = f"{p}/challenge-events/{event}/sessions/{r.json()['id']}"
        etag = client.get(url, headers=chair).headers["ETag"]
        r = client.post(f"{url}/close", headers={**chair, "If-Match": etag},
                        json={"outcome": outcome, "follow_ups": follow_ups})  # fmt: skip
        assert r.status_code == 200, r.text
        made[agency] = r.json()["follow_ups"]
    late, report = made[HOUSING]
    [gap] = made["Cafcass"]
    return {"p": p, "url": f"{p}/follow-ups", "event": event, "programme": programme["id"],
            "late": late["id"], "report": report["id"], "gap": gap["id"]}  # fmt: skip


def ids(client, headers, day, **params) -> list[int]:  # type: ignore[no-untyped-def]
    r = client.get(day["url"], headers=headers, params={"event_id": day["event"], **params})
    assert r.status_code == 200, r.text
    return [f["id"] for f in r.json()["items"]]


def test_the_list_and_its_filters(client, auth, day, agency_id) -> None:
    admin = auth("admin")
    every = [day["late"], day["report"], day["gap"]]  # by due date
    assert ids(client, admin, day) == every
    first = client.get(day["url"], headers=admin, params={"event_id": day["event"]}).json()
    late = first["items"][0]
    assert (late["agency_name"], late["overdue"], late["status"]) == (HOUSING, True, "planned")
    assert late["event_id"] == day["event"] and first["total"] == 3
    assert ids(client, admin, day, agency_id=agency_id("Cafcass")) == [day["gap"]]
    assert ids(client, admin, day, overdue=True) == [day["late"]]
    assert ids(client, admin, day, overdue=False) == [day["report"], day["gap"]]
    assert ids(client, admin, day, to_executive=True) == [day["report"]]
    assert ids(client, admin, day, to_executive=False) == [day["late"], day["gap"]]
    assert ids(client, admin, day, status="planned", programme_id=day["programme"]) == every
    assert ids(client, admin, day, status="done") == []
    # the demo's 2023 day has two follow-ups of its own, both done
    demo = client.get(day["url"], headers=admin, params={"status": "done"}).json()
    assert demo["total"] == 2 and all(f["event_id"] != day["event"] for f in demo["items"])
    assert_problem(client.get(day["url"], headers=admin, params={"status": "late"}), 422)


def test_each_sees_only_the_sessions_they_may(client, auth, day) -> None:
    assert ids(client, auth("executive"), day) == [day["late"], day["report"], day["gap"]]
    assert ids(client, auth("panel"), day) == [day["late"], day["report"], day["gap"]]
    assert ids(client, auth("panel_police"), day) == []  # not on this day's panel
    assert ids(client, auth("editor"), day) == [day["late"], day["report"]]  # Housing's own
    gap = f"{day['url']}/{day['gap']}"
    assert_problem(client.get(gap, headers=auth("editor")), 404)  # another agency's
    assert_problem(client.get(gap, headers=auth("panel_police")), 404)
    assert_problem(client.get(gap, headers=auth("north_admin")), 404)  # another partnership
    assert client.get(gap, headers=auth("panel")).status_code == 200


def test_the_agency_tracks_its_follow_up_to_done(client, auth, db: Session, day) -> None:
    editor = auth("editor")
    url = f"{day['url']}/{day['late']}"
    read = client.get(url, headers=editor)
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json()["may_change"] is True and read.json()["updates"] == []
    moving = client.patch(
        url, headers={**editor, "If-Match": '"1"'}, json={"status": "in_progress"}
    )
    assert moving.status_code == 200, moving.text
    assert moving.headers["ETag"] == '"2"' and moving.json()["status"] == "in_progress"
    note = client.post(f"{url}/updates", headers=editor, json={"note": "Audit half done"})
    assert note.status_code == 201, note.text
    assert note.json()["note"] == "Audit half done" and note.json()["at"]
    undone = client.patch(url, headers={**editor, "If-Match": '"2"'}, json={"status": "done"})
    assert_problem(undone, 422, field="completion_evidence")
    stale = client.patch(url, headers={**editor, "If-Match": '"1"'}, json={"status": "done"})
    assert_problem(stale, 412)
    evidence = {"status": "done", "completion_evidence": "Sent on the 3rd"}
    done = client.patch(url, headers={**editor, "If-Match": '"2"'}, json=evidence)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["overdue"], body["version"]) == ("done", False, 3)
    assert [u["note"] for u in body["updates"]] == ["Audit half done"]
    assert ids(client, editor, day, overdue=True) == []  # done is never overdue
    audit = db.exec(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "follow_up", AuditEvent.entity_id == day["late"]
        )
    ).all()
    assert sorted(audit) == ["follow_up.progress", "follow_up.update", "follow_up.update"]
    assert count(db, FollowUpUpdate, FollowUpUpdate.follow_up_id == day["late"]) == 1


def test_only_those_who_run_events_move_its_owner_or_due_date(client, auth, db, day) -> None:
    url = f"{day['url']}/{day['report']}"
    editor, admin = auth("editor"), auth("admin")
    assert_problem(
        client.patch(url, headers={**editor, "If-Match": '"1"'}, json={"owner": "Me"}), 403
    )
    early = client.patch(url, headers={**admin, "If-Match": '"1"'}, json={"due_on": "2024-01-09"})
    assert_problem(early, 422, field="due_on")
    moved = client.patch(url, headers={**auth("scrutineer"), "If-Match": '"1"'},
                         json={"owner": "Chief Executive", "due_on": "2024-01-10"})  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert (moved.json()["owner"], moved.json()["due_on"]) == ("Chief Executive", "2024-01-10")
    assert moved.json()["overdue"] is True
    same = client.patch(
        url, headers={**admin, "If-Match": '"2"'}, json={"owner": "Chief Executive"}
    )
    assert same.status_code == 200 and same.headers["ETag"] == '"2"'  # nothing changed
    stored = db.get(FollowUp, day["report"])
    db.refresh(stored)
    assert stored.owner == "Chief Executive"


def test_an_executive_reads_but_does_not_change(client, auth, db, day) -> None:
    executive = auth("executive")
    url = f"{day['url']}/{day['late']}"
    read = client.get(url, headers=executive)
    assert read.status_code == 200 and read.json()["may_change"] is False
    change = client.patch(url, headers={**executive, "If-Match": '"1"'}, json={"status": "done"})
    assert_problem(change, 403)
    assert_problem(client.post(f"{url}/updates", headers=executive, json={"note": "Hm"}), 403)
    ours = (AuditEvent.entity_type == "follow_up", AuditEvent.entity_id == day["late"])
    assert count(db, AuditEvent, *ours) == 0


def test_the_events_list_finds_outcomes_the_viewer_may_see(client, auth, day) -> None:
    events = f"{day['p']}/challenge-events"

    def found(who: str, outcome: str) -> bool:
        r = client.get(events, headers=auth(who), params={"outcome": outcome, "limit": 100})
        assert r.status_code == 200, r.text
        return day["event"] in {e["id"] for e in r.json()["items"]}

    assert found("admin", "not_assured") and found("admin", "partially_assured")
    assert not found("admin", "assured")
    assert found("editor", "partially_assured")  # Housing's own session
    assert not found("editor", "not_assured")  # Cafcass's, which Housing does not see
    assert found("panel", "not_assured")
    assert_problem(client.get(events, headers=auth("admin"), params={"outcome": "fine"}), 422)


def test_the_list_takes_the_same_statements_for_few_rows_and_many(
    client, auth, db: Session, engine, day
) -> None:
    headers = auth("editor")

    def fetch() -> tuple[int, list[str]]:
        with counting(engine) as statements:
            r = client.get(day["url"], headers=headers, params={"limit": 100})
        assert r.status_code == 200, r.text
        return len(r.json()["items"]), statements

    fetch()  # warm up
    few_rows, few = fetch()
    housing = db.get(FollowUp, day["late"])
    assert housing is not None
    for i in range(20):
        db.add(FollowUp(session_id=housing.session_id, description=f"More {i}", owner="Someone",
                        due_on=housing.due_on))  # fmt: skip
    db.commit()
    many_rows, many = fetch()
    assert many_rows == few_rows + 20
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 7, "\n".join(many)  # sign-in, the count and the page


def test_a_system_answering_returns_tracks_but_does_not_reassign(
    client, service_token, day
) -> None:
    """A token with returns:write tracks a follow-up as it updates actions; moving its owner
    or due date needs challenge:write."""
    headers = service_token(["read", "returns:write"], name="case system")[0]
    url = f"{day['url']}/{day['gap']}"
    moved = client.patch(url, headers={**headers, "If-Match": '"1"'}, json={"owner": "Bot"})
    assert_problem(moved, 403)
    assert 'scope="challenge:write"' in moved.headers["WWW-Authenticate"]
    r = client.patch(url, headers={**headers, "If-Match": '"1"'}, json={"status": "cancelled"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["overdue"] is False
    manager = service_token(["challenge:write"], name="planner")[0]
    r = client.patch(url, headers={**manager, "If-Match": '"2"'}, json={"due_on": "2099-03-31"})
    assert r.status_code == 200 and r.json()["due_on"] == "2099-03-31"


def test_the_list_finds_those_still_to_do(client, auth, day) -> None:
    listed = client.get(day["url"], headers=auth("admin"), params={"open": "true", "limit": 100})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert items and {f["status"] for f in items} <= {"planned", "in_progress"}
    done = client.get(day["url"], headers=auth("admin"), params={"open": "false", "limit": 100})
    assert {f["status"] for f in done.json()["items"]} <= {"done", "cancelled"}
    everything = client.get(day["url"], headers=auth("admin"), params={"limit": 100}).json()
    assert everything["total"] == listed.json()["total"] + done.json()["total"]
