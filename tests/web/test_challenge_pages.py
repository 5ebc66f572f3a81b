"""Challenge events in the browser: the list, planning an event, the picker of agencies to
invite, a session's triangulation and scoring grid (a plain form, or each standard saved in
place with htmx), the chair's outcome and reopening, the printable report and the home
page's upcoming events. Uses the demo's held 2023 day and the planned 2026 one."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from test_pages import assert_accessible_page
from websupport import ADMIN, EDITOR, EXECUTIVE, HTMX, PANEL, SCRUTINEER, count, page_of

from api.models import (
    Agency,
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    PanelScore,
    Partnership,
    Programme,
    SessionStatus,
)
from web.routes.challenge_event import rating_summary

DAY_2023 = "Section 11 challenge day 2023"
DAY_2026 = "Section 11 challenge day 2026"
HOUSING = "City of York Council Housing Services"
API = "/api/v1"


def _event(db: Session, title: str) -> ChallengeEvent:
    return db.exec(select(ChallengeEvent).where(ChallengeEvent.title == title)).one()


def _session(db: Session, event: ChallengeEvent, agency: str) -> ChallengeSession:
    return db.exec(
        select(ChallengeSession)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(ChallengeSession.event_id == event.id, Agency.name == agency)
    ).one()


def _agency(db: Session, name: str) -> int:
    found = db.exec(select(Agency.id).where(Agency.name == name)).one()
    assert found is not None
    return found


def events_url(york: Partnership, tail: str = "") -> str:
    return f"/p/{york.id}/challenge-events{tail}"


def session_url(york: Partnership, s: ChallengeSession, tail: str = "") -> str:
    return f"/p/{york.id}/challenge-events/{s.event_id}/sessions/{s.id}{tail}"


def test_the_list_shows_the_events_each_viewer_may_see(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(events_url(york)))
    assert_accessible_page(page)
    assert page.one("a", href=events_url(york))["aria-current"] == "page"
    assert page.one("a", href=events_url(york, "/new")).text == "Create a challenge event"
    rows = {tr.find("a").text: tr for tr in page.find("tbody").find_all("tr")}
    assert set(rows) == {DAY_2023, DAY_2026}
    held = rows[DAY_2023].text
    assert "31 Oct 2023" in held and "West Offices, York" in held and "Held" in held
    assert "5 assured, 1 partially assured" in held
    ahead = rows[DAY_2026].text
    assert "10 Mar 2027" in ahead and "Online" in ahead and "Planned" in ahead
    cancelled = page_of(admin.get(events_url(york, "?status=cancelled")))
    assert "No challenge events to show." in cancelled.text
    for who in (PANEL, EXECUTIVE):
        seen = page_of(visitor_as(who).get(events_url(york)))
        assert seen.find("a", href=events_url(york, "/new")) is None
        assert DAY_2026 in seen.text
    editor = page_of(visitor_as(EDITOR).get(events_url(york)))  # Housing: invited in 2023 only
    assert DAY_2023 in editor.text and DAY_2026 not in editor.text


def test_an_event_is_created_through_the_form(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(events_url(york, "/new")))
    assert_accessible_page(page)
    chairs = {
        o.text: o["value"] for o in page.one("select", name="chair_user_id").find_all("option")
    }
    assert {"Mel Scrutineer", "Pat Panel", "Sam Reid", "Alex Shah"} <= set(chairs)
    assert "Ed Editor" not in chairs
    programme = db.exec(
        select(Programme).where(Programme.title == "Section 11 self-assessment 2026")
    ).one()
    action, data = page.pressing(page.one("form", action=events_url(york, "/new")).one("button"))
    data |= {"programme_id": str(programme.id), "title": "Extra challenge day",
             "held_on": "2027-05-04", "place": "Online",
             "chair_user_id": chairs["Pat Panel"]}  # fmt: skip
    panel = [chairs["Sam Reid"], chairs["Alex Shah"]]
    r = admin.post(action, data={**data, "panel_user_ids": panel})
    assert r.status_code == 303, r.text
    created = _event(db, "Extra challenge day")
    assert r.headers["location"] == events_url(york, f"/{created.id}?done=created")
    shown = page_of(admin.get(r.headers["location"]))
    assert "The event was created" in shown.text
    assert "Alex Shah, Pat Panel, Sam Reid" in shown.text and "4 May 2027" in shown.text


def test_a_form_with_errors_says_what_to_fix_and_creates_nothing(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(events_url(york, "/new")))
    before = count(db, ChallengeEvent)
    r = admin.post(events_url(york, "/new"), data={"csrf_token": page.csrf_token(), "title": ""})
    shown = page_of(r, status=422)
    assert shown.title.startswith("Error:")
    links = shown.summary_links()
    assert links["#field-title"] == "Enter title"
    assert links["#field-held_on"] == "Enter date"
    assert "#field-programme_id" in links and "#field-chair_user_id" in links
    assert shown.field_error("title") == "Enter title"
    assert shown.broken_references() == []
    assert count(db, ChallengeEvent) == before


@pytest.mark.parametrize("who", [PANEL, EDITOR, EXECUTIVE])
def test_only_those_who_run_events_plan_them(
    visitor_as: Callable[[str], TestClient], york: Partnership, who: str
) -> None:
    page = page_of(visitor_as(who).get(events_url(york, "/new")), status=403)
    assert "plan challenge events" in page.text


def test_the_event_page_changes_and_cancels_for_those_who_run_it(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    event = _event(db, DAY_2026)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(events_url(york, f"/{event.id}")))
    assert_accessible_page(page)
    table = page.one("div", **{"aria-label": "Sessions"})
    sessions = [tr.find("a").text for tr in table.find("tbody").find_all("tr")]
    assert sessions == ["Cafcass", "York College", "York Youth Justice Service"]
    form = page_of(admin.get(events_url(york, f"/{event.id}/change")))
    assert_accessible_page(form)
    change = form.one("form", action=events_url(york, f"/{event.id}/change"))
    action, data = form.pressing(change.one("button"))
    boxes = change.find_all("input", name="panel_user_ids")
    data["panel_user_ids"] = [b["value"] for b in boxes if b.get("checked") is not None]  # type: ignore[assignment]
    assert len(data["panel_user_ids"]) == 4
    r = admin.post(action, data={**data, "place": "West Offices, York"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=changed")
    db.refresh(event)
    assert event.place == "West Offices, York"
    stale = admin.post(action, data=data)  # the version it was made against has gone
    assert "Someone changed this event" in page_of(stale, status=409).text
    page = page_of(admin.get(events_url(york, f"/{event.id}")))
    cancel = page.one("form", action=events_url(york, f"/{event.id}/cancel"))
    action, data = page.pressing(cancel.one("button"))
    refused = page_of(admin.post(action, data=data), status=422)
    assert refused.summary_links() == {"#field-cancel_reason": "Enter why the event is cancelled"}
    r = admin.post(action, data={**data, "reason": "The panel could not meet."})
    assert r.status_code == 303
    done = page_of(admin.get(r.headers["location"]))
    assert "The panel could not meet." in done.text and "Cancelled" in done.text
    assert done.find("form", action=events_url(york, f"/{event.id}/cancel")) is None
    assert done.find("a", href=events_url(york, f"/{event.id}/change")) is None
    panel = page_of(visitor_as(PANEL).get(events_url(york, f"/{event.id}")))
    assert panel.find("section.candidate") is None


def test_agencies_are_invited_from_the_picker_with_a_reason(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    event = _event(db, DAY_2026)
    housing = _agency(db, HOUSING)
    scrutineer = visitor_as(SCRUTINEER)
    page = page_of(scrutineer.get(events_url(york, f"/{event.id}")))
    assert_accessible_page(page)
    picked = page.one("section.candidate", **{"aria-labelledby": f"candidate-{housing}"})
    assert picked.one("p.rating-summary").text == "Not self-rated; not moderated"
    assert picked.find("details") is None  # nothing rated yet: the summary says so
    cafcass = page.one(
        "section.candidate", **{"aria-labelledby": f"candidate-{_agency(db, 'Cafcass')}"}
    )
    assert "Self-rated met on 7, partially met on 1, not on 4" in cafcass.text
    assert len(cafcass.find("tbody").find_all("tr")) == 12  # Section 11's standards
    invite = picked.one("button")
    action, data = page.pressing(invite)
    refused = page_of(scrutineer.post(action, data=data), status=422)
    assert refused.summary_links() == {
        f"#field-reason-{housing}": "Enter why the panel wants to meet this agency"
    }
    assert count(db, ChallengeSession, ChallengeSession.event_id == event.id) == 3
    r = scrutineer.post(action, data={**data, "reason": "Repairs teams in family homes."})
    assert r.status_code == 303 and r.headers["location"].endswith("done=invited#picker")
    invited = _session(db, event, HOUSING)
    assert invited.reason == "Repairs teams in family homes."
    after = page_of(scrutineer.get(r.headers["location"]))
    again = after.one("section.candidate", **{"aria-labelledby": f"candidate-{housing}"})
    action, data = after.pressing(again.one("button"))
    assert action.endswith(f"/invitations/{invited.id}/withdraw")
    r = scrutineer.post(action, data=data)
    assert r.status_code == 303
    assert count(db, ChallengeSession, ChallengeSession.event_id == event.id) == 3


def test_an_invitation_the_panel_has_scored_cannot_be_withdrawn(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    held = _session(db, _event(db, DAY_2023), HOUSING)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(events_url(york, f"/{held.event_id}")))
    button = page.one("button", id=f"field-withdraw-{held.id}")
    action, data = page.pressing(button)
    refused = page_of(admin.post(action, data=data), status=409)
    assert "can no longer be withdrawn" in refused.field_error(f"withdraw-{held.id}")
    assert f"#field-withdraw-{held.id}" in refused.summary_links()


def test_the_pickers_summary_says_the_ratings_in_words() -> None:
    ratings = [("met", "met")] * 6 + [("met", "partially_met")] * 6
    candidate = {"standards": [{"self_rating": a, "moderated": b} for a, b in ratings]}
    assert rating_summary(candidate) == (
        "Self-rated met everywhere; moderated met on 6, partially met on 6"
    )
    candidate["standards"][0] |= {"self_rating": None, "moderated": None}
    assert rating_summary(candidate) == (
        "Self-rated met on 11, not on 1; moderated met on 5, partially met on 6, not on 1"
    )


def test_the_session_page_sets_the_ratings_side_by_side(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    held = _session(db, _event(db, DAY_2023), "North Yorkshire Police")
    for who in (ADMIN, PANEL, EXECUTIVE):
        page = page_of(visitor_as(who).get(session_url(york, held)))
        assert_accessible_page(page)
        rows = page.one("table", class_="triangulation").find("tbody").find_all("tr")
        assert len(rows) == 12
        six = next(r for r in rows if r.find("th").text.startswith("6."))
        cells = [c.text for c in six.children if not isinstance(c, str)]
        assert cells[3:] == ["Partially met", "Differ"]  # three of the four said so
        assert page.find("form", action=session_url(york, held, "/scores")) is None  # closed
        assert "Strong leadership" in page.text
    members = page_of(visitor_as(ADMIN).get(session_url(york, held))).find("details.members")
    assert members is not None and "Sam Reid" in members.text
    assert (
        page_of(visitor_as(EXECUTIVE).get(session_url(york, held))).find("details.members") is None
    )


def test_agency_staff_see_only_their_own_session_without_scores(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    held = _event(db, DAY_2023)
    own = _session(db, held, HOUSING)
    page = page_of(editor.get(session_url(york, own)))
    assert_accessible_page(page)
    assert page.find("table", class_="triangulation") is None
    assert "Update report to the Executive" in page.text
    link = next(a for a in page.find_all("a") if a.text == "The agency's return")
    assert link["href"].startswith(f"/p/{york.id}/returns/")
    other = _session(db, held, "North Yorkshire Police")
    page_of(editor.get(session_url(york, other)), status=404)
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    page_of(editor.get(session_url(york, cafcass)), status=404)
    for tail in ("", "/report", "/change"):  # an event that does not invite Housing
        page_of(editor.get(events_url(york, f"/{cafcass.event_id}{tail}")), status=404)
    event = page_of(editor.get(events_url(york, f"/{held.id}")))
    assert [a.text for a in event.one("div", **{"aria-label": "Sessions"}).find_all("a")] == [
        HOUSING
    ]
    assert event.find("section.candidate") is None and event.find("form", id="cancel") is None
    report = page_of(editor.get(events_url(york, f"/{held.id}/report")))
    assert [h.text for h in report.find_all("h2")] == [HOUSING]


def test_the_panel_scores_through_the_grid_without_javascript(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    panel = visitor_as(PANEL)
    page = page_of(panel.get(session_url(york, cafcass)))
    assert_accessible_page(page)
    grid = page.one("form", id="score-grid")
    blocks = grid.find_all("div.score")
    assert len(blocks) == 12
    first = blocks[0]["id"].removeprefix("score-")
    assert first.isdigit() and blocks[0].one("legend").text.startswith("Standard 1.")
    action, data = page.pressing(grid.one("button", type="submit"))
    assert action == session_url(york, cafcass, "/scores") and data[f"version-{first}"] == "0"
    r = panel.post(action, data={**data, f"level-{first}": "met", f"comment-{first}": "Clear"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=scored#scores")
    assert count(db, PanelScore, PanelScore.session_id == cafcass.id) == 1
    after = page_of(panel.get(r.headers["location"]))
    assert after.one("input", name=f"version-{first}")["value"] == "1"
    assert after.one("input", id=f"field-level-{first}").get("checked") is not None
    _, again = after.pressing(after.one("form", id="score-grid").one("button", type="submit"))
    unchanged = panel.post(action, data=again)
    assert unchanged.headers["location"].endswith("done=unchanged#scores")
    stale = panel.post(action, data={**data, f"level-{first}": "not_met"})  # still version 0
    shown = page_of(stale, status=409)
    assert "scored this standard elsewhere" in shown.text
    assert f"#field-level-{first}" in shown.summary_links() and shown.broken_references() == []
    assert shown.one("input", name=f"version-{first}")["value"] == "1"


def test_with_htmx_each_standard_is_saved_at_once(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    panel = visitor_as(PANEL)
    page = page_of(panel.get(session_url(york, cafcass)))
    block = page.find_all("div.score")[1]
    sid = block["id"].removeprefix("score-")
    assert block["hx-post"] == session_url(york, cafcass, f"/scores/{sid}")
    _, data = page.pressing(page.one("form", id="score-grid").one("button", type="submit"))
    r = panel.post(block["hx-post"], data={**data, f"level-{sid}": "partially_met"},
                   headers=HTMX)  # fmt: skip
    assert r.status_code == 200, r.text
    assert "<html" not in r.text and f'id="score-{sid}"' in r.text
    assert "Saved" in r.text
    assert 'Panel (combined): <span class="combined">Partially met</span>' in r.text
    assert f'<tr id="tri-{sid}" hx-swap-oob="true">' in r.text
    stale = panel.post(block["hx-post"], data={**data, f"level-{sid}": "met"}, headers=HTMX)
    assert stale.status_code == 409 and "scored this standard elsewhere" in stale.text
    bad = panel.post(block["hx-post"], data={**data, f"version-{sid}": "1", f"level-{sid}": "x"},
                     headers=HTMX)  # fmt: skip
    assert bad.status_code == 422 and "Choose a score for standard" in bad.text


def test_the_chair_closes_with_an_outcome_and_a_follow_up_then_reopens(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    college = _session(db, _event(db, DAY_2026), "York College")
    panel = page_of(visitor_as(PANEL).get(session_url(york, college)))
    assert panel.find("form", action=session_url(york, college, "/close")) is None
    chair = visitor_as(SCRUTINEER)
    page = page_of(chair.get(session_url(york, college)))
    close = page.one("form", action=session_url(york, college, "/close"))
    action, data = page.pressing(close.one("button"))
    early = {**data, "outcome": "partially_assured", "fu-0-description": "Send the training plan",
             "fu-0-owner": "Safeguarding lead", "fu-0-due_on": "2027-01-01"}  # fmt: skip
    refused = page_of(chair.post(action, data=early), status=422)
    assert "#field-fu-0-due_on" in refused.summary_links()
    assert "must be on or after the event" in refused.field_error("fu-0-due_on")
    assert refused.broken_references() == [] and refused.unlabelled_fields() == []
    assert refused.one("input", id="field-fu-0-owner")["value"] == "Safeguarding lead"
    missing = page_of(chair.post(action, data=data), status=422)
    assert missing.summary_links()["#field-outcome"] == "Choose the outcome of the session"
    good = {**early, "fu-0-due_on": "2027-06-30", "fu-0-to_executive": "yes",
            "summary": "The new lead has made a good start."}  # fmt: skip
    r = chair.post(action, data=good)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=closed")
    db.refresh(college)
    assert college.status == SessionStatus.closed
    made = db.exec(select(FollowUp).where(FollowUp.session_id == college.id)).all()
    assert [(f.description, f.to_executive) for f in made] == [("Send the training plan", True)]
    closed = page_of(chair.get(r.headers["location"]))
    assert "Partially assured (more information requested)" in closed.text
    assert "Send the training plan" in closed.text and "Reported to the Executive" in closed.text
    reopen = closed.one("form", action=session_url(york, college, "/reopen"))
    action, data = closed.pressing(reopen.one("button"))
    blank = page_of(chair.post(action, data=data), status=422)
    assert blank.field_error("reopen_reason") == "Enter why the session is opened again"
    r = chair.post(action, data={**data, "reason": "The college sent more evidence."})
    assert r.status_code == 303
    db.refresh(college)
    assert college.status == SessionStatus.open


def test_the_printable_report_lists_the_sessions_without_navigation(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    held = _event(db, DAY_2023)
    page = page_of(visitor_as(ADMIN).get(events_url(york, f"/{held.id}/report")))
    assert page.find("nav") is None and page.find("header") is None
    assert page.h1 == DAY_2023
    names = [h.text for h in page.find_all("h2")]
    assert HOUSING in names and len(names) == 6
    housing = page.one(
        "section.report-session", **{"aria-labelledby": f"session-{_session(db, held, HOUSING).id}"}
    )
    assert "Update report to the Executive" in housing.text and "Assured" in housing.text
    asked = housing.one("ol.enquiries").find_all("li")  # the published enquiries, answered
    assert asked and all("Answered by" in li.text for li in asked)
    rows = housing.one("table").find("tbody").find_all("tr")
    assert len(rows) == 12
    assert [c.text for c in rows[2].children if not isinstance(c, str)] == [
        "3. Listening to children and families",
        "Partially met",
        "None",
        "Met",
        "Differ",
    ]  # the disagreement said in words, not by colour alone
    assert page.broken_references() == []


def test_home_shows_upcoming_events_and_an_agencys_invitation(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    db: Session,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> None:
    event = _event(db, DAY_2026)
    panel = page_of(visitor_as(PANEL).get(f"/p/{york.id}"))
    upcoming = panel.one("ul", class_="card-list upcoming")
    assert DAY_2026 in upcoming.text and "10 Mar 2027, Online" in upcoming.text
    assert DAY_2023 not in upcoming.text
    editor = visitor_as(EDITOR)
    assert "No challenge events are planned." in page_of(editor.get(f"/p/{york.id}")).text
    invited = client.post(
        f"{API}/partnerships/{york.id}/challenge-events/{event.id}/invitations",
        headers=token_for(ADMIN),
        json={"agency_id": _agency(db, HOUSING), "reason": "Repairs teams in family homes."},
    )
    assert invited.status_code == 201, invited.text
    home = page_of(editor.get(f"/p/{york.id}"))
    shown = home.one("ul", class_="card-list upcoming").text
    assert f"{HOUSING} is invited: Repairs teams in family homes." in shown
    assert home.one("a", href=session_url(york, _session(db, event, HOUSING))).text.startswith(
        "Your session"
    )


def test_the_panel_finds_the_agencys_return_from_the_session(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")  # its 2026 return is open
    panel = page_of(visitor_as(PANEL).get(session_url(york, cafcass)))
    links = [a for a in panel.find_all("a") if a.text == "The agency's return"]
    assert len(links) == 1
    ret = page_of(visitor_as(PANEL).get(links[0]["href"]))  # read-only, but there to read
    assert "Cafcass" in ret.text and not [
        f for f in ret.find_all("form") if "/answers/" in (f.get("action") or "")
    ]
    executive = page_of(visitor_as(EXECUTIVE).get(session_url(york, cafcass)))
    assert not [a for a in executive.find_all("a") if a.text == "The agency's return"]
