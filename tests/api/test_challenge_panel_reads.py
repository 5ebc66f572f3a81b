"""A panel member reads, and never changes, what the panel will question: the invited
agency's return in the event's programme (with its moderation and versions) and its action
plan; no other agency's, no other year's, and nothing once the event is cancelled."""

from apikit import API, HOUSING, assert_problem
from sqlmodel import Session, col, select

from api.models import Agency, ChallengeEvent, Return

PLANNED = "Section 11 challenge day 2026"
HELD = "Section 11 challenge day 2023"


def _return(db: Session, event_title: str, agency: str) -> int:
    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title == event_title)).one()
    found = db.exec(
        select(Return.id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .where(Return.programme_id == event.programme_id, Agency.name == agency)
    ).one()
    assert found is not None
    return found


def _url(york, return_id: int) -> str:
    return f"{API}/partnerships/{york.id}/returns/{return_id}"


def test_the_panel_reads_an_invited_agencys_return_and_changes_nothing(
    client, auth, db: Session, york
) -> None:
    url = _url(york, _return(db, PLANNED, "Cafcass"))
    r = client.get(url, headers=auth("panel"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agency_name"] == "Cafcass" and "moderation" in body
    assert body["allowed"] == [] and body["may_answer"] is False
    assert client.get(f"{url}/versions", headers=auth("panel")).status_code == 200
    listed = client.get(f"{API}/partnerships/{york.id}/actions", headers=auth("panel"),
                        params={"plan_of": body["id"]})  # fmt: skip
    assert listed.status_code == 200, listed.text
    answered = body["responses"][0]
    refused = client.put(
        f"{url}/responses/{answered['requirement_id']}",
        headers={**auth("panel"), "If-Match": f'"{answered["version"]}"'},
        json={"rating": "met", "comment": "The panel must not answer"},
    )  # fmt: skip
    assert_problem(refused, 403)
    assert client.get(url, headers=auth("panel")).json()["version"] == body["version"]


def test_only_the_invited_agencies_in_the_events_programme(client, auth, db: Session, york) -> None:
    invited = _url(york, _return(db, PLANNED, "Cafcass"))
    not_invited = _url(york, _return(db, PLANNED, "North Yorkshire Police"))
    other_year = _url(york, _return(db, PLANNED, HOUSING))  # invited in 2023, not in 2026
    held = _url(york, _return(db, HELD, HOUSING))
    assert client.get(invited, headers=auth("panel")).status_code == 200
    assert client.get(held, headers=auth("panel")).status_code == 200
    assert_problem(client.get(not_invited, headers=auth("panel")), 404)
    assert_problem(client.get(other_year, headers=auth("panel")), 404)
    assert_problem(client.get(invited, headers=auth("executive")), 404)  # sits on no panel
    listed = client.get(f"{API}/partnerships/{york.id}/returns", headers=auth("panel"),
                        params={"limit": 100}).json()  # fmt: skip
    names = {(r["programme_title"], r["agency_name"]) for r in listed["items"]}
    assert all(agency != "North Yorkshire Police" for title, agency in names if "2026" in title)
    assert len(names) == listed["total"] == 3 + 6  # the 2026 day's three, the 2023 day's six


def test_a_cancelled_event_shows_its_panel_nothing(client, auth, db: Session, york) -> None:
    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title == PLANNED)).one()
    url = _url(york, _return(db, PLANNED, "Cafcass"))
    events = f"{API}/partnerships/{york.id}/challenge-events/{event.id}"
    etag = client.get(events, headers=auth("admin")).headers["ETag"]
    cancelled = client.post(f"{events}/cancel", headers={**auth("admin"), "If-Match": etag},
                            json={"reason": "The panel could not meet"})  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    assert_problem(client.get(url, headers=auth("panel")), 404)
