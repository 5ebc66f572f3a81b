"""A return's whole journey in a real headless Chromium, through the pages alone: the editor
starts York's housing 2026 return from its accepted 2023 one, changes an answer and attaches
a file; the approver signs it off and submits it; the partnership admin returns it for more
information with a note; the editor answers the note; the approver resubmits and compares
the two versions; the admin moderates and accepts. Then the editor's part again with
JavaScript off, to show the forms work without it."""

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import Watcher, htmx_ready
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, col, select

from api.models import (
    Action,
    Attachment,
    EvidenceFile,
    ModeratedRating,
    Partnership,
    Requirement,
    Return,
    ReturnVersion,
    ReviewNote,
    Standard,
)

EDITOR = "editor@york.example"
APPROVER = "approver@york.example"
ADMIN = "admin@york.example"
PASSWORD = "assure-demo-2023"
HOUSING = "City of York Council Housing Services"
THIS_YEAR = "Section 11 self-assessment 2026"
LAST_YEAR = "Section 11 self-assessment 2023"
PDF = b"%PDF-1.4\n%%EOF\n"
FIRST_LOOK = " Checked again for 2026 by the housing safeguarding lead."
NOTE = "Please say when the scheme of delegation was last reviewed, and by whom."
ANSWERED = (
    " Checked again for 2026: the scheme of delegation was last reviewed on 14 October 2026"
    " by the Director of Housing."
)


def sign_in(page: Page, email: str, york: Partnership) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Assure")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}$"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def open_this_years_return(page: Page) -> None:
    """Returns → the housing agency's 2026 return, as agency staff find it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your returns")
    row = page.get_by_role("row").filter(has_text=THIS_YEAR)
    row.get_by_role("link", name=HOUSING).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(THIS_YEAR)


def answer_of(page: Page, code: str) -> Locator:
    """One requirement's answer on the return page: a region named by its heading."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(code)} "))


def status(scope: Page | Locator, text: str) -> Locator:
    """The live region that says `text` (a page has several: each answer's save state)."""
    return scope.get_by_role("status").filter(has_text=text)


def autosave_evidence(page: Page, code: str, text: str) -> None:
    """Type into a requirement's evidence and leave the field: htmx saves it on change."""
    answer = answer_of(page, code)
    evidence = answer.get_by_label(f"Evidence for {code}")
    evidence.fill(text)
    with page.expect_response(re.compile(r"/answers/\d+$")) as saved:
        evidence.blur()
    assert saved.value.status == 200
    assert saved.value.request.headers.get("hx-request") == "true"
    expect(status(answer, "Saved")).to_have_text("Saved")
    expect(answer.get_by_label(f"Evidence for {code}")).to_have_value(text)


def sign_off_and_submit(page: Page) -> None:
    page.get_by_label("Your name").fill("Pat Lee")
    page.get_by_label("Your role").fill("Head of Housing Services")
    page.get_by_label("I confirm that").check()
    page.get_by_role("button", name="Sign off and submit").click()


def submit_meeting_every_rule(page: Page) -> list[str]:
    """Sign off and submit; while the page lists unmet rules, follow the first link, do what
    it asks (a carried-forward rating that needs an action gets one) and submit again.
    Returns the messages that had to be met."""
    met: list[str] = []
    for _ in range(5):
        sign_off_and_submit(page)
        summary = page.locator(".error-summary")
        done = page.get_by_text("The return has been signed off and submitted.")
        expect(summary.or_(done)).to_be_visible()
        if done.is_visible():
            return met
        expect(summary.get_by_role("heading")).to_contain_text(
            "before this return can be submitted"
        )
        link = summary.get_by_role("link").first
        message = link.inner_text()
        found = re.fullmatch(r"Add an action for requirement (\S+), rated .+", message)
        assert found, f"an unmet rule this journey does not expect: {message}"
        code = found.group(1)
        link.click()
        answer = answer_of(page, code)
        expect(answer).to_be_in_viewport()
        htmx_ready(page)
        answer.get_by_text(f"Add an action for {code}").click()
        answer.get_by_label("What will be done").fill(
            "Audit 20 case files a quarter for the voice of the child, and report the"
            " findings to the housing management team."
        )
        answer.get_by_label("Owner").fill("Housing safeguarding lead")
        answer.get_by_label("Due date").fill("2027-06-30")
        answer.get_by_role("button", name="Add action").click()
        expect(answer.get_by_role("heading", name=f"Actions for {code}")).to_be_visible()
        expect(
            answer.get_by_role("listitem").filter(has_text="Audit 20 case files")
        ).to_be_visible()
        met.append(message)
    raise AssertionError("the return could not be submitted")


@pytest.mark.browser
def test_a_return_is_submitted_returned_resubmitted_and_accepted(
    new_context: Callable[..., Any], live_server: Any, db: Session, york: Partnership
) -> None:
    page = new_context().new_page()
    watcher = Watcher(page)
    return_id = walk_a_return_through_review(page, york)
    page.wait_for_load_state("load")
    with live_server.db_lock:
        check_what_was_stored(db, return_id)
    assert watcher.errors == []


def walk_a_return_through_review(page: Page, york: Partnership) -> int:
    """The whole journey, as the people take it; the return's id."""
    # The editor starts from last year's accepted return
    sign_in(page, EDITOR, york)
    open_this_years_return(page)
    return_url = page.url
    return_id = int(return_url.rsplit("/", 1)[1])
    expect(page.locator("main strong.tag").first).to_have_text("Not started")
    page.get_by_role("button", name=f"Copy answers from {LAST_YEAR}").click()
    expect(status(page, "copied")).to_have_text(
        re.compile(r"37 answers and 1 evidence file were copied from your last accepted return")
    )
    expect(page.locator("main strong.tag").first).to_have_text("In progress")
    carried_forward = page.get_by_text("Carried forward: confirm it or change it", exact=True)
    expect(carried_forward).to_have_count(3)  # the answers of standard 1

    # ...reads 1.1 again and adds to its evidence: saved as soon as the field is left
    htmx_ready(page)
    carried = answer_of(page, "1.1").get_by_label("Evidence for 1.1").input_value()
    autosave_evidence(page, "1.1", carried + FIRST_LOOK)
    expect(carried_forward).to_have_count(2)

    # ...and attaches the training log to 9.1
    page.get_by_role("link", name="9. Training, supervision and support").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Standard 9\."))).to_be_visible()
    htmx_ready(page)
    training = answer_of(page, "9.1")
    training.get_by_label("Add an evidence file for 9.1").set_input_files(
        {"name": "training-log.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    training.get_by_role("button", name="Add file for 9.1").click()
    expect(status(training, "was added")).to_have_text("training-log.pdf was added.")
    files = training.get_by_role("list", name="Evidence files for 9.1")
    expect(files.get_by_role("link", name="training-log.pdf")).to_be_visible()
    expect(files).to_contain_text("PDF document")

    # ...and confirms what still holds, standard by standard: a copied answer counts as
    # unrated until someone does
    for n in range(1, 13):
        page.goto(f"{return_url}?standard={n}")
        confirm = page.get_by_role(
            "button", name=re.compile(rf"^Confirm all \d+ .* {n} unchanged$")
        )
        if confirm.count():
            confirm.click()
            expect(status(page, "confirmed")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ to review$"))).to_have_count(0)
    expect(page.get_by_text("37 of 37 requirements")).to_be_visible()
    sign_out(page)

    # The approver signs off and submits, meeting whatever the page says is missing
    sign_in(page, APPROVER, york)
    open_this_years_return(page)
    met = submit_meeting_every_rule(page)
    assert met == ["Add an action for requirement 3.1, rated partially met"]
    expect(page.locator("main strong.tag").first).to_have_text("Submitted")
    sign_out(page)

    # The admin reviews it and returns it with a note on 1.1
    sign_in(page, ADMIN, york)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    htmx_ready(page)
    page.get_by_label("Status").select_option(label="Submitted")
    expect(page).to_have_url(re.compile(r"/returns\?status=submitted"))
    mine = page.get_by_role("row").filter(has_text=HOUSING).filter(has_text=THIS_YEAR)
    mine.get_by_role("link", name=HOUSING).click()
    expect(page).to_have_url(return_url)
    page.get_by_role("link", name="Review this return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^Review: {HOUSING}"))
    page.get_by_label("More information needed on 1.1 (optional)").fill(NOTE)
    page.get_by_role("button", name="Check and return for more information").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return for more information")
    expect(page.get_by_role("textbox", name=re.compile(r"^1\.1 "))).to_have_value(NOTE)
    page.get_by_role("button", name="Return to the agency").click()
    expect(status(page, "The return has gone back to the agency")).to_be_visible()
    expect(page.locator("main strong.tag").first).to_have_text("Returned for more information")
    sign_out(page)

    # The editor sees the note beside 1.1 and answers it
    sign_in(page, EDITOR, york)
    open_this_years_return(page)
    expect(page.locator("main strong.tag").first).to_have_text("Returned for more information")
    asked = page.get_by_role("note", name="More information asked for 1.1")
    expect(asked).to_contain_text("The partnership asks for more information")
    expect(asked).to_contain_text(NOTE)
    expect(answer_of(page, "1.1").get_by_role("note")).to_contain_text(NOTE)
    htmx_ready(page)
    autosave_evidence(page, "1.1", carried + ANSWERED)
    sign_out(page)

    # The approver resubmits, then compares the two versions
    sign_in(page, APPROVER, york)
    open_this_years_return(page)
    assert submit_meeting_every_rule(page) == []
    versions = page.get_by_role("region", name="Submitted versions")
    expect(versions.get_by_role("link", name=re.compile(r"^Version \d$"))).to_have_text(
        ["Version 1", "Version 2"]
    )
    expect(versions.get_by_label("Compare version")).to_have_value("1")
    expect(versions.get_by_label("with version")).to_have_value("2")
    versions.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("what changed from version 1 to 2")
    change = page.get_by_role("region", name=re.compile(r"^1\.1 "))
    expect(change.locator("ins").first).to_be_visible()
    expect(change.locator("del").first).to_be_visible()
    added = " ".join(change.locator("ins").all_inner_texts())
    removed = " ".join(change.locator("del").all_inner_texts())
    assert "14" in added and "Director" in added and "Director" not in removed
    assert "lead." in removed and "lead." not in added
    expect(page.get_by_role("region", name=re.compile(r"^3\.1 "))).to_have_count(0)
    sign_out(page)

    # The admin moderates 1.1 and standard 1, then accepts
    sign_in(page, ADMIN, york)
    page.goto(return_url)
    page.get_by_role("link", name="Review this return").click()
    htmx_ready(page)
    asked_before = page.get_by_role("note", name="More information asked for 1.1")
    expect(asked_before).to_contain_text(NOTE)
    for subject, rating, reason in (
        ("1.1", "Partially met", "The review date is given; the review itself is not minuted."),
        ("standard 1", "Met", "Leadership and accountability are clear."),
    ):
        ratings = page.get_by_role(
            "group", name=f"The partnership's rating for {subject}", exact=True
        )
        ratings.get_by_label(rating, exact=True).check()
        page.get_by_label(f"Reason for the partnership’s rating of {subject} (optional)").fill(
            reason
        )
        with page.expect_response(re.compile(r"/review/(requirements|standards)/\d+$")) as sent:
            page.get_by_role("button", name=f"Save the rating for {subject}").click()
        assert sent.value.request.headers.get("hx-request") == "true"
        block = page.locator("div.moderate").filter(has=ratings)
        expect(status(block, "Saved")).to_have_text("Saved")
    page.get_by_role("button", name="Accept the return").click()
    expect(status(page, "accepted")).to_have_text("The return has been accepted.")
    expect(page.locator("main strong.tag").first).to_have_text("Accepted")
    page.get_by_role("link", name="Back to the return").click()
    expect(page.locator("main strong.tag").first).to_have_text("Accepted")
    ratings_table = page.get_by_role("table", name=re.compile("partnership's rating of each"))
    expect(ratings_table).to_contain_text("Leadership and accountability are clear.")
    return return_id


def check_what_was_stored(db: Session, return_id: int) -> None:
    """What the journey must have left in the database, read there, not from the pages."""
    ret = db.get(Return, return_id)
    assert ret is not None
    db.refresh(ret)
    versions_stored = db.exec(
        select(ReturnVersion).where(ReturnVersion.return_id == return_id)
    ).all()
    notes = db.exec(select(ReviewNote).where(ReviewNote.return_id == return_id)).all()
    moderated = db.exec(select(ModeratedRating).where(ModeratedRating.return_id == return_id)).all()
    attached = db.exec(
        select(Attachment).where(
            Attachment.return_id == return_id, Attachment.filename == "training-log.pdf"
        )
    ).one()
    stored = db.get(EvidenceFile, attached.sha256)
    requirements = {
        r.id: r.code
        for r in db.exec(
            select(Requirement).where(
                col(Requirement.id).in_(
                    [n.requirement_id for n in notes]
                    + [m.requirement_id for m in moderated]
                    + [attached.requirement_id]
                )
            )
        )
    }
    standards = {
        s.id: s.code
        for s in db.exec(
            select(Standard).where(col(Standard.id).in_([m.standard_id for m in moderated]))
        )
    }
    planned = db.exec(select(Action).where(Action.return_id == return_id)).all()

    assert str(ret.status) == "accepted"
    assert sorted(v.number for v in versions_stored) == [1, 2]
    assert [(n.version_number, requirements[n.requirement_id], n.note) for n in notes] == [
        (1, "1.1", NOTE)
    ]
    by_subject = {
        requirements[m.requirement_id]
        if m.requirement_id
        else f"standard {standards[m.standard_id]}": (m.rating, m.note)
        for m in moderated
    }
    assert by_subject == {
        "1.1": ("partially_met", "The review date is given; the review itself is not minuted."),
        "standard 1": ("met", "Leadership and accountability are clear."),
    }
    assert requirements[attached.requirement_id] == "9.1"
    assert attached.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attached.media_type, attached.size) == ("application/pdf", len(PDF))
    assert stored is not None and stored.content == PDF
    assert any("Audit 20 case files" in a.description for a in planned)


@pytest.mark.browser
def test_the_editor_answers_and_attaches_without_javascript(
    new_context: Callable[..., Any], live_server: Any, guard: Any, db: Session, york: Partnership
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, EDITOR, york)
    open_this_years_return(page)
    return_id = int(page.url.rsplit("/", 1)[1])

    answer = answer_of(page, "1.1")
    answer.get_by_label("Met", exact=True).check()
    answer.get_by_label("Evidence for 1.1").fill("Scheme of delegation, page 4.")
    answer.get_by_role("button", name="Save 1.1").click()
    expect(page).to_have_url(re.compile(rf"/returns/{return_id}\?standard=1&saved=\d+#answer-\d+$"))
    expect(status(page, "saved")).to_have_text("Your answer was saved.")
    expect(page.locator("main strong.tag").first).to_have_text("In progress")
    expect(answer.get_by_label("Met", exact=True)).to_be_checked()
    expect(answer.get_by_label("Evidence for 1.1")).to_have_value("Scheme of delegation, page 4.")

    answer.get_by_label("Add an evidence file for 1.1").set_input_files(
        {"name": "scheme-of-delegation.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    answer.get_by_role("button", name="Add file for 1.1").click()
    expect(page).to_have_url(re.compile(rf"/returns/{return_id}\?standard=1#answer-\d+$"))
    files = answer.get_by_role("list", name="Evidence files for 1.1")
    expect(files.get_by_role("link", name="scheme-of-delegation.pdf")).to_be_visible()
    assert guard.served_htmx == 0  # with scripts off, the browser never fetched htmx

    page.wait_for_load_state("load")
    with live_server.db_lock:
        attached = db.exec(select(Attachment).where(Attachment.return_id == return_id)).one()
    assert attached.filename == "scheme-of-delegation.pdf"
    assert attached.sha256 == hashlib.sha256(PDF).hexdigest()
