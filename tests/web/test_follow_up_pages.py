"""Follow-ups in the browser: the list and its filters (without JavaScript), one follow-up
tracked to done with evidence and notes of progress, the home page's open follow-ups, and
the agency's return saying it is invited to a challenge event. Uses the demo's 2023 day,
whose Housing follow-up "Update report to the Executive" is done and due to the Executive."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from test_challenge_pages import DAY_2023, HOUSING, _event, _session, session_url
from test_pages import assert_accessible_page
from websupport import ADMIN, EDITOR, EXECUTIVE, HTMX, SCRUTINEER, page_of

from api.models import ActionStatus, FollowUp, Partnership

REPORT = "Update report to the Executive"
AUDIT = "Send the results of the supervision audit to the business unit."


def _follow_up(db: Session, description: str) -> FollowUp:
    return db.exec(select(FollowUp).where(FollowUp.description == description)).one()


def _url(york: Partnership, tail: str = "") -> str:
    return f"/p/{york.id}/follow-ups{tail}"


def _reopen(admin: TestClient, york: Partnership, f: FollowUp) -> None:
    """Put the follow-up back in progress through its page (it is long past due)."""
    page = page_of(admin.get(_url(york, f"/{f.id}")))
    action, data = page.pressing(page.one("form", action=_url(york, f"/{f.id}")).one("button"))
    r = admin.post(action, data={**data, "status": "in_progress"})
    assert r.status_code == 303 and r.headers["location"].endswith("?saved=1")


def test_the_list_filters_without_javascript(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(_url(york)))
    assert_accessible_page(page)
    assert page.one("a", href=_url(york))["aria-current"] == "page"
    rows = page.one("table", class_="follow-up-list").find("tbody").find_all("tr")
    texts = {r.find("a").text: r.text for r in rows}
    assert set(texts) == {REPORT, AUDIT}
    assert DAY_2023 in texts[REPORT] and HOUSING in texts[REPORT] and "Done" in texts[REPORT]
    assert "20 Mar 2024" in texts[REPORT] and texts[REPORT].endswith("Yes")
    to_exec = page_of(admin.get(_url(york, "?to_executive=yes")))
    assert to_exec.h1 == "Follow-ups due to the Executive"
    assert [r.find("a").text for r in to_exec.find("tbody").find_all("tr")] == [REPORT]
    assert to_exec.one("input", id="field-to_executive").get("checked") is not None
    fragment = admin.get(_url(york, "?to_executive=yes"), headers=HTMX)
    assert "<html" not in fragment.text and REPORT in fragment.text and AUDIT not in fragment.text
    none = page_of(admin.get(_url(york, "?status=planned&overdue=yes")))
    assert "No follow-ups match these filters." in none.text
    event = _event(db, DAY_2023)
    by_event = page_of(admin.get(_url(york, f"?event={event.id}")))
    assert len(by_event.find("tbody").find_all("tr")) == 2
    _reopen(admin, york, _follow_up(db, REPORT))
    overdue = page_of(admin.get(_url(york, "?overdue=yes")))
    row = overdue.find("tbody").find_all("tr")
    assert len(row) == 1 and "Overdue" in row[0].text and "In progress" in row[0].text
    editor = page_of(visitor_as(EDITOR).get(_url(york)))  # Housing's own only
    assert [r.find("a").text for r in editor.find("tbody").find_all("tr")] == [REPORT]


def test_done_needs_evidence_and_a_note_is_added(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    f = _follow_up(db, REPORT)
    admin = visitor_as(ADMIN)
    _reopen(admin, york, f)
    page = page_of(admin.get(_url(york, f"/{f.id}")))
    assert_accessible_page(page)
    assert "Reported to the Executive" in page.text and "Head of Housing Services" in page.text
    form = page.one("form", action=_url(york, f"/{f.id}"))
    assert form.find("input", name="owner") is not None and form.find("input", name="due_on")
    action, data = page.pressing(form.one("button"))
    bare = {**data, "status": "done", "completion_evidence": ""}
    refused = page_of(admin.post(action, data=bare), status=422)
    assert refused.title.startswith("Error:")
    assert "#field-completion_evidence" in refused.summary_links()
    assert refused.field_error("completion_evidence")
    assert refused.broken_references() == []
    db.refresh(f)
    assert f.status == ActionStatus.in_progress
    done = {**bare, "completion_evidence": "Minuted on 20 March 2024."}
    r = admin.post(action, data=done)
    assert r.status_code == 303
    db.refresh(f)
    assert f.status == ActionStatus.done and f.completion_evidence == "Minuted on 20 March 2024."
    again = {**done, "status": "in_progress"}
    stale = page_of(admin.post(action, data=again), status=409)  # its etag is the one before
    assert "Someone else changed this follow-up" in stale.text
    assert stale.one("select", name="status").one("option", selected=True)["value"] == "in_progress"
    assert "Minuted on 20 March 2024." in stale.one("dl", class_="summary").text
    page = page_of(admin.get(r.headers["location"]))
    note = page.one("form", action=_url(york, f"/{f.id}/updates"))
    action, data = page.pressing(note.one("button"))
    assert page_of(admin.post(action, data=data), status=422).field_error("note")
    r = admin.post(action, data={**data, "note": "The Executive noted the report."})
    assert r.status_code == 303 and r.headers["location"].endswith("?noted=1#updates")
    shown = page_of(admin.get(r.headers["location"]))
    assert (
        "The Executive noted the report." in shown.one("ol", class_="card-list progress-notes").text
    )


def test_agency_staff_track_but_the_executive_only_reads(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    f = _follow_up(db, REPORT)
    editor = page_of(visitor_as(EDITOR).get(_url(york, f"/{f.id}")))
    form = editor.one("form", action=_url(york, f"/{f.id}"))
    assert form.find("input", name="owner") is None and form.find("input", name="due_on") is None
    executive = page_of(visitor_as(EXECUTIVE).get(_url(york, f"/{f.id}")))
    assert_accessible_page(executive)
    assert executive.find("form", action=_url(york, f"/{f.id}")) is None
    assert executive.find("textarea") is None
    other = _follow_up(db, AUDIT)  # North Yorkshire Police's
    page_of(visitor_as(EDITOR).get(_url(york, f"/{other.id}")), status=404)
    session = page_of(visitor_as(ADMIN).get(session_url(york, _session(db, _event(db, DAY_2023),
                                                                        HOUSING))))  # fmt: skip
    assert session.one("a", href=_url(york, f"/{f.id}")).text == REPORT


def test_home_lists_open_follow_ups_and_those_due_to_the_executive(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    executive = page_of(visitor_as(EXECUTIVE).get(f"/p/{york.id}"))
    assert "No follow-ups are open that are due to the Executive." in executive.text
    assert executive.one("a", href=_url(york, "?to_executive=yes")).text == (
        "All follow-ups due to the Executive"
    )
    admin = visitor_as(ADMIN)
    assert "No follow-ups are open." in page_of(admin.get(f"/p/{york.id}")).text
    f = _follow_up(db, REPORT)
    _reopen(admin, york, f)
    for who in (ADMIN, EDITOR, EXECUTIVE, SCRUTINEER):
        home = page_of(visitor_as(who).get(f"/p/{york.id}"))
        listed = home.one("ul", class_="card-list open-follow-ups")
        assert REPORT in listed.text and "Overdue" in listed.text, who
    links = page_of(admin.get(f"/p/{york.id}")).find_all("a", href=_url(york))
    assert [a.text for a in links] == ["Follow-ups", "All follow-ups"]


def test_the_return_says_the_agency_is_invited_to_a_challenge_event(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    held = _session(db, _event(db, DAY_2023), HOUSING)
    editor = visitor_as(EDITOR)
    session = page_of(editor.get(session_url(york, held)))
    back = next(a for a in session.find_all("a") if a.text == "The agency's return")
    page = page_of(editor.get(back["href"]))
    notice = page.one("div", class_="notice invitation")
    assert notice.text.startswith(f"Invited to {DAY_2023} on 31 Oct 2023, West Offices, York.")
    assert f"Why: {held.reason}" in notice.text
    assert notice.one("a")["href"] == session_url(york, held)
