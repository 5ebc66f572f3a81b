"""A challenge event's whole journey in a real headless Chromium, through the pages alone,
as the seed report tells York's day: Housing's editor rates a requirement of its 2026
return; the partnership admin plans an event for the 2026 programme (a first try without a
title is refused) and invites six agencies from the picker, Housing first, having read its
ratings; a panel member drafts a line of enquiry to Housing and scores standards on the grid,
each saved in place with htmx; the chair publishes the enquiry; Housing's editor answers it,
saved as they type; the chair records "assured" with the update report to the Executive as
a follow-up, which closes the session; the report prints it all; Housing's editor reads the
outcome and later marks the follow-up done. Then the agency's, the panel's and the chair's
parts again with JavaScript off, on the demo's 2026 day."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import Watcher, htmx_ready
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, col, select
from test_journey import mark_document, same_document
from test_return_journey import (
    HOUSING,
    THIS_YEAR,
    answer_of,
    open_this_years_return,
    sign_in,
    sign_out,
    status,
)

from api.demo_challenge import INVITED_2023
from api.models import (
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    LineOfEnquiry,
    PanelScore,
    Partnership,
    Standard,
    User,
)

ADMIN = "admin@york.example"
CHAIR = "scrutineer@york.example"
PANEL = "panel@york.example"
EDITOR = "editor@york.example"
TITLE = "Section 11 spring challenge 2027"
DEMO_DAY = "Section 11 challenge day 2026"
REASON = "Repairs and lettings teams visit family homes every day."
SUMMARY = "Leadership is clear and staff know how to raise a concern; the panel is reassured."
FOLLOW_UP = "Update report to the Executive"
OUTCOME = "Assured"
QUESTION = "How do repairs staff who visit family homes raise a concern about a child?"
ANSWER = "Every operative carries the referral card and calls the housing safeguarding lead."
EVIDENCE = "The update report went to the Executive on 30 July 2027."
OTHERS = [i.agency for i in INVITED_2023 if i.agency != HOUSING]  # the day's other five


def open_from_navigation(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenge events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Challenge events")


def open_event(page: Page, title: str) -> None:
    open_from_navigation(page)
    page.get_by_role("table", name="Challenge events, latest first").get_by_role(
        "link", name=title
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def sessions_table(page: Page) -> Locator:
    return page.get_by_role("table", name="The agencies invited and their sessions")


def open_session(page: Page, title: str, agency: str) -> None:
    open_event(page, title)
    sessions_table(page).get_by_role("link", name=agency).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{agency} at {title}")


def standard(page: Page, code: str) -> Locator:
    """One standard on the scoring grid: the group its legend names."""
    return page.get_by_role("group", name=re.compile(rf"^Standard {code}\. "))


def triangulation_row(page: Page, code: str) -> Locator:
    table = page.get_by_role("table", name="Ratings by standard")
    return table.get_by_role("row", name=re.compile(rf"^{code}\. "))


def score_in_place(page: Page, code: str, level: str) -> None:
    """Choose a level for a standard: htmx saves it at once and says so."""
    group = standard(page, code)
    with page.expect_response(re.compile(r"/sessions/\d+/scores/\d+$")) as saved:
        group.get_by_label(level, exact=True).check()
    assert saved.value.status == 200
    assert saved.value.request.headers.get("hx-request") == "true"
    block = page.locator("div.score").filter(has=group)
    expect(status(block, "Saved")).to_have_text("Saved")
    expect(standard(page, code).get_by_label(level, exact=True)).to_be_checked()


@pytest.mark.browser
def test_an_event_is_planned_scored_closed_and_read_by_the_agency(
    new_context: Callable[..., Any], live_server: Any, db: Session, york: Partnership
) -> None:
    page = new_context().new_page()
    watcher = Watcher(page)
    walk_an_event_through(page, york)
    page.wait_for_load_state("load")
    with live_server.db_lock:
        check_what_was_stored(db)
    assert watcher.errors == []


def walk_an_event_through(page: Page, york: Partnership) -> None:
    """The whole journey, as the people take it."""
    # Housing's editor rates 1.1 of this year's return: the picker will show it
    sign_in(page, EDITOR, york)
    open_this_years_return(page)
    htmx_ready(page)
    answer = answer_of(page, "1.1")
    with page.expect_response(re.compile(r"/answers/\d+$")) as saved:
        answer.get_by_label("Met", exact=True).check()
    assert saved.value.status == 200
    expect(status(answer, "Saved")).to_have_text("Saved")
    sign_out(page)

    # The admin plans an event; a first try without a title is refused
    sign_in(page, ADMIN, york)
    open_from_navigation(page)
    page.get_by_role("link", name="Create a challenge event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a challenge event")
    htmx_ready(page)
    page.get_by_label("Programme").select_option(label=THIS_YEAR)
    page.get_by_label("Date").fill("2027-04-21")
    page.get_by_label("Place").fill("Online")
    page.get_by_label("Chair").select_option(label="Mel Scrutineer")
    panel = page.get_by_role("group", name="Panel members")
    panel.get_by_label("Pat Panel", exact=True).check()
    panel.get_by_label("Sam Reid", exact=True).check()
    mark_document(page)
    with page.expect_response(re.compile(r"/challenge-events/new$")) as refused:
        page.get_by_role("button", name="Create the event").click()
    assert refused.value.status == 422
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(["Enter title"])
    assert same_document(page)  # swapped in by htmx, not a new page
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Place")).to_have_value("Online")
    expect(page.get_by_label("Chair").locator("option:checked")).to_have_text("Mel Scrutineer")
    expect(panel.get_by_label("Pat Panel", exact=True)).to_be_checked()
    summary.get_by_role("link", name="Enter title").click()
    expect(title).to_be_focused()
    title.fill(TITLE)
    page.get_by_role("button", name="Create the event").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}/challenge-events/\d+\?done=created$"))
    event_url = page.url.split("?")[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(status(page, "created")).to_have_text("The event was created. Invite agencies below.")
    facts = page.locator("main dl.summary")
    expect(facts).to_contain_text("21 Apr 2027")
    expect(facts).to_contain_text("Online")
    expect(facts).to_contain_text("Mel Scrutineer")
    expect(facts).to_contain_text("Mel Scrutineer, Pat Panel, Sam Reid")
    expect(sessions_table(page)).to_contain_text("No agencies are invited yet.")

    # ...reads Housing's ratings in the picker and invites it with a reason
    housing = page.get_by_role("region", name=HOUSING, exact=True)
    expect(housing.get_by_text("Self-rated met on 1, not on 11; not moderated")).to_be_visible()
    housing.get_by_text(f"Ratings by standard for {HOUSING}").click()
    ratings = housing.get_by_role("table", name=f"{HOUSING}: ratings by standard")
    expect(ratings.get_by_role("row", name=re.compile(r"^1 "))).to_have_text(
        re.compile(r"^1\s*Met\s*None$")
    )
    housing.get_by_label(f"Why the panel wants to meet {HOUSING}").fill(REASON)
    housing.get_by_role("button", name=f"Invite {HOUSING}").click()
    expect(page).to_have_url(f"{event_url}?done=invited#picker")
    expect(status(page, "invited")).to_have_text("The agency was invited.")
    row = sessions_table(page).get_by_role("row").filter(has_text=HOUSING)
    expect(row.get_by_role("cell")).to_have_text([HOUSING, REASON, "Open", "Not recorded yet"])
    expect(page.get_by_role("heading", level=3, name=f"{HOUSING} Invited")).to_be_visible()
    for agency in OTHERS:  # the day's other five, each with its reason
        picked = page.get_by_role("region", name=agency, exact=True)
        picked.get_by_label(f"Why the panel wants to meet {agency}").fill(f"{agency}: {REASON}")
        picked.get_by_role("button", name=f"Invite {agency}").click()
        expect(status(page, "invited")).to_have_text("The agency was invited.")
    expect(sessions_table(page).locator("tbody tr")).to_have_count(6)
    sign_out(page)

    # The panel member drafts a line of enquiry to Housing about standard 2...
    sign_in(page, PANEL, york)
    open_session(page, TITLE, HOUSING)
    drafting = page.locator("form").filter(has=page.get_by_role("button", name="Save as a draft"))
    drafting.get_by_label("Question", exact=True).fill(QUESTION)
    drafting.get_by_role("group", name="Standards it is about (optional)").get_by_label(
        re.compile(r"^2\. ")
    ).check()
    drafting.get_by_role("button", name="Save as a draft").click()
    expect(status(page, "saved as a draft")).to_have_text(
        "Your line of enquiry was saved as a draft."
    )
    drafted = page.locator("li.enquiry").filter(has_text=QUESTION)
    expect(drafted).to_contain_text("Draft")
    expect(drafted).to_contain_text("Standards 2.")

    # ...and scores three standards, each saved as it is chosen
    expect(page.get_by_role("heading", level=2, name="Your scores")).to_be_visible()
    htmx_ready(page)
    mark_document(page)
    expect(triangulation_row(page, "1").get_by_role("cell")).to_have_text(
        ["Met", "None", "None", "No"]
    )
    score_in_place(page, "1", "Partially met")
    score_in_place(page, "2", "Met")
    score_in_place(page, "3", "Not met")
    expect(standard(page, "1")).to_contain_text("Panel (combined): Partially met Ratings differ")
    expect(triangulation_row(page, "1").get_by_role("cell")).to_have_text(
        ["Met", "None", "Partially met", "Differ"]
    )
    expect(triangulation_row(page, "2").get_by_role("cell")).to_have_text(
        ["None", "None", "Met", "No"]
    )
    expect(triangulation_row(page, "3").get_by_role("cell")).to_have_text(
        ["None", "None", "Not met", "No"]
    )
    assert same_document(page)  # no page load: the row and the table were swapped in
    page.reload()
    expect(standard(page, "1").get_by_label("Partially met", exact=True)).to_be_checked()
    expect(standard(page, "3").get_by_label("Not met", exact=True)).to_be_checked()
    sign_out(page)

    # The chair publishes the enquiry to Housing
    sign_in(page, CHAIR, york)
    open_session(page, TITLE, HOUSING)
    page.locator("li.enquiry").filter(has_text=QUESTION).get_by_role(
        "button", name=re.compile(r"^Publish the draft")
    ).click()
    expect(status(page, "published")).to_have_text(
        "Published: the agency can now read and answer it."
    )
    expect(page.locator("li.enquiry").filter(has_text=QUESTION)).to_contain_text("Published")
    sign_out(page)

    # Housing's editor answers it from the invitation on the home page, saved as they type
    sign_in(page, EDITOR, york)
    page.get_by_role("list").filter(has_text=TITLE).get_by_role(
        "link", name=f"Your session at {TITLE}"
    ).click()
    htmx_ready(page)
    mark_document(page)
    asked = page.locator("li.enquiry").filter(has_text=QUESTION)
    with page.expect_response(re.compile(r"/enquiries/\d+/answer$")) as answered:
        asked.get_by_label(re.compile(r"^Your answer to: ")).press_sequentially(ANSWER)
    assert answered.value.status == 200
    assert answered.value.request.headers.get("hx-request") == "true"
    expect(status(page.locator("li.enquiry").filter(has_text=QUESTION), "Saved")).to_have_text(
        "Saved"
    )
    with page.expect_response(re.compile(r"/enquiries/\d+/answer$")) as left:
        page.keyboard.press("Tab")  # leaving the field saves it too (the same answer)
    assert left.value.status == 200
    assert same_document(page)
    sign_out(page)

    # The chair records the outcome with a follow-up, which closes the session
    sign_in(page, CHAIR, york)
    open_session(page, TITLE, HOUSING)
    page.get_by_role("group", name="Outcome").get_by_label(OUTCOME, exact=True).check()
    page.get_by_label("Summary").fill(SUMMARY)
    expect(page.locator("li.enquiry").filter(has_text=QUESTION)).to_contain_text(ANSWER)
    first = page.get_by_role("group", name="Follow-up 1")
    first.get_by_label("What is to be done (follow-up 1)").fill(FOLLOW_UP)
    first.get_by_label("Owner (follow-up 1)").fill("Housing safeguarding lead")
    first.get_by_label("Due date (follow-up 1)").fill("2027-07-30")
    first.get_by_label("Report to the Executive").check()
    page.get_by_role("button", name="Record the outcome and close the session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+\?done=closed$"))
    expect(status(page, "closed")).to_have_text("The outcome was recorded and the session closed.")
    facts = page.locator("main dl.summary")
    expect(facts).to_contain_text(OUTCOME)
    expect(facts).to_contain_text(SUMMARY)
    expect(facts).to_contain_text("Closed")
    follow_up = page.get_by_role("listitem").filter(has_text=FOLLOW_UP)
    expect(follow_up).to_contain_text("Owner: Housing safeguarding lead. Due 30 Jul 2027.")
    expect(follow_up).to_contain_text("Reported to the Executive.")
    # the scores are locked: no grid, no outcome form; the chair may reopen
    expect(page.get_by_role("heading", name="Your scores")).to_have_count(0)
    expect(page.get_by_role("button", name="Save your scores")).to_have_count(0)
    expect(standard(page, "1")).to_have_count(0)
    expect(page.get_by_role("heading", name="Record the outcome")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen the session")).to_be_visible()
    expect(triangulation_row(page, "1").get_by_role("cell")).to_have_text(
        ["Met", "None", "Partially met", "Differ"]
    )

    # ...and prints the event's report: no navigation, the session in it
    page.get_by_role("link", name=f"Back to {TITLE}").click()
    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    reported = page.get_by_role("region", name=HOUSING, exact=True)
    expect(reported.get_by_role("heading", level=2)).to_have_text(HOUSING)
    expect(reported).to_contain_text(REASON)
    expect(reported).to_contain_text(OUTCOME)
    expect(reported).to_contain_text(SUMMARY)
    expect(reported).to_contain_text(QUESTION)
    expect(reported).to_contain_text(ANSWER)
    expect(reported.get_by_role("listitem").filter(has_text=FOLLOW_UP)).to_be_visible()
    expect(
        reported.get_by_role("table", name=f"{HOUSING}: ratings by standard")
        .get_by_role("row", name=re.compile(r"^1\. "))
        .get_by_role("cell")
    ).to_have_text(["Met", "None", "Partially met", "Differ"])
    page.go_back()
    sign_out(page)

    # Housing's editor finds the invitation at home and reads the outcome, not the scores
    sign_in(page, EDITOR, york)
    upcoming = page.get_by_role("list").filter(has_text=TITLE)
    expect(upcoming).to_contain_text(f"{HOUSING} is invited: {REASON}")
    upcoming.get_by_role("link", name=f"Your session at {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOUSING} at {TITLE}")
    facts = page.locator("main dl.summary")
    expect(facts).to_contain_text(OUTCOME)
    expect(facts).to_contain_text(SUMMARY)
    expect(page.get_by_role("listitem").filter(has_text=FOLLOW_UP)).to_contain_text(
        "Reported to the Executive."
    )
    expect(page.get_by_role("table", name="Ratings by standard")).to_have_count(0)
    expect(page.get_by_role("table", name="Each panel member's scores")).to_have_count(0)
    expect(page.get_by_role("heading", name="Ratings side by side")).to_have_count(0)
    expect(page.get_by_text("Partially met")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen the session")).to_have_count(0)

    # ...and later records the follow-up done, with its evidence
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name=FOLLOW_UP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FOLLOW_UP)
    page.get_by_label("Status").select_option(label="Done")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").get_by_role("link")).to_contain_text(
        ["Evidence of completion"]
    )  # done needs its evidence: refused, nothing changed
    page.get_by_label("Evidence of completion").fill(EVIDENCE)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main dl.summary")).to_contain_text("Done")


def check_what_was_stored(db: Session) -> None:
    """What the journey must have left in the database, read there, not from the pages."""
    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title == TITLE)).one()
    invited = db.exec(select(ChallengeSession).where(ChallengeSession.event_id == event.id)).all()
    assert len(invited) == 6
    (held,) = [s for s in invited if s.reason == REASON]
    db.refresh(held)
    (asked,) = db.exec(select(LineOfEnquiry).where(LineOfEnquiry.session_id == held.id)).all()
    assert (asked.question, asked.answer, asked.answer_version) == (QUESTION, ANSWER, 1)
    assert asked.published_at is not None
    scored = db.exec(
        select(User.email, Standard.code, PanelScore.level)
        .join(User, col(User.id) == PanelScore.member_user_id)
        .join(Standard, col(Standard.id) == PanelScore.standard_id)
        .where(PanelScore.session_id == held.id)
    ).all()
    (follow_up,) = db.exec(select(FollowUp).where(FollowUp.session_id == held.id)).all()

    assert (str(event.place), str(event.held_on)) == ("Online", "2027-04-21")
    assert held.reason == REASON
    assert (str(held.status), str(held.outcome), held.summary) == (
        "closed",
        "assured",
        SUMMARY,
    )
    assert sorted(scored) == [
        (PANEL, "1", "partially_met"),
        (PANEL, "2", "met"),
        (PANEL, "3", "not_met"),
    ]
    assert (follow_up.description, follow_up.owner, str(follow_up.due_on)) == (
        FOLLOW_UP,
        "Housing safeguarding lead",
        "2027-07-30",
    )
    assert follow_up.to_executive is True
    assert (str(follow_up.status), follow_up.completion_evidence) == ("done", EVIDENCE)


@pytest.mark.browser
def test_a_panel_member_scores_through_the_grid_without_javascript(
    new_context: Callable[..., Any], live_server: Any, guard: Any, db: Session, york: Partnership
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, PANEL, york)
    open_session(page, DEMO_DAY, "Cafcass")
    standard(page, "1").get_by_label("Met", exact=True).check()
    page.get_by_label("Your comment on standard 1 (optional)").fill("A clear scheme of delegation.")
    standard(page, "4").get_by_label("Partially met", exact=True).check()
    page.get_by_role("button", name="Save your scores").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+\?done=scored#scores$"))
    expect(status(page, "saved")).to_have_text("Your scores were saved.")
    expect(standard(page, "1").get_by_label("Met", exact=True)).to_be_checked()
    expect(page.get_by_label("Your comment on standard 1 (optional)")).to_have_value(
        "A clear scheme of delegation."
    )
    expect(standard(page, "4").get_by_label("Partially met", exact=True)).to_be_checked()
    expect(standard(page, "2").get_by_role("radio", checked=True)).to_have_count(0)
    expect(triangulation_row(page, "4").get_by_role("cell").nth(2)).to_have_text("Partially met")
    assert guard.served_htmx == 0  # with scripts off, the browser never fetched htmx

    session_id = int(re.search(r"/sessions/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.wait_for_load_state("load")
    with live_server.db_lock:
        scored = db.exec(
            select(User.email, Standard.code, PanelScore.level, PanelScore.comment)
            .join(User, col(User.id) == PanelScore.member_user_id)
            .join(Standard, col(Standard.id) == PanelScore.standard_id)
            .where(PanelScore.session_id == session_id)
        ).all()
    assert sorted(scored) == [
        (PANEL, "1", "met", "A clear scheme of delegation."),
        (PANEL, "4", "partially_met", ""),
    ]


@pytest.mark.browser
def test_invited_questioned_and_answered_without_javascript(
    new_context: Callable[..., Any], live_server: Any, guard: Any, db: Session, york: Partnership
) -> None:
    """The agency's, the panel's and the chair's parts with scripts off, on the demo's day:
    the admin invites Housing, a panel member drafts a question, the chair publishes it, and
    Housing's editor answers with the Save button."""
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, ADMIN, york)
    open_event(page, DEMO_DAY)
    picked = page.get_by_role("region", name=HOUSING, exact=True)
    picked.get_by_label(f"Why the panel wants to meet {HOUSING}").fill(REASON)
    picked.get_by_role("button", name=f"Invite {HOUSING}").click()
    expect(status(page, "invited")).to_have_text("The agency was invited.")
    sign_out(page)

    sign_in(page, PANEL, york)
    open_session(page, DEMO_DAY, HOUSING)
    drafting = page.locator("form").filter(has=page.get_by_role("button", name="Save as a draft"))
    drafting.get_by_role("button", name="Save as a draft").click()  # nothing asked: refused
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(1)
    drafting.get_by_label("Question", exact=True).fill(QUESTION)
    drafting.get_by_role("button", name="Save as a draft").click()
    expect(status(page, "saved as a draft")).to_be_visible()
    sign_out(page)

    sign_in(page, CHAIR, york)
    open_session(page, DEMO_DAY, HOUSING)
    page.get_by_role("button", name=re.compile(r"^Publish all drafts")).click()
    expect(status(page, "Published")).to_be_visible()
    sign_out(page)

    sign_in(page, EDITOR, york)
    open_session(page, DEMO_DAY, HOUSING)
    asked = page.locator("li.enquiry").filter(has_text=QUESTION)
    asked.get_by_label(re.compile(r"^Your answer to: ")).fill(ANSWER)
    asked.get_by_role("button", name=re.compile(r"^Save your answer")).click()
    expect(status(page, "Your answer was saved.")).to_be_visible()
    expect(
        page.locator("li.enquiry")
        .filter(has_text=QUESTION)
        .get_by_label(re.compile(r"^Your answer to: "))
    ).to_have_value(ANSWER)
    assert guard.served_htmx == 0

    page.wait_for_load_state("load")
    with live_server.db_lock:
        stored = db.exec(
            select(LineOfEnquiry.answer, LineOfEnquiry.answer_version).where(
                LineOfEnquiry.question == QUESTION
            )
        ).all()
    assert stored == [(ANSWER, 1)]
