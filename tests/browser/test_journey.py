"""A partnership admin's journey in a real headless Chromium: sign in with the keyboard,
browse the Section 11 framework, create a programme (with htmx, then without JavaScript)
and open it. The pages load the pinned htmx; the test serves the cached copy in place of
the CDN and the browser checks it against the page's Subresource Integrity hash."""

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browserkit import Watcher, htmx_ready
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from api.models import Partnership, Programme, ProgrammeAgency
from web.settings import get_settings

ADMIN = "admin@york.example"
PASSWORD = "assure-demo-2023"
SCREENSHOT = Path("/tmp/assure-journey.png")


def test_the_cached_htmx_is_the_file_the_pages_pin(htmx_path: Path) -> None:
    """The SRI hash in the settings is the sha384 of the file the browser tests serve."""
    settings = get_settings()
    digest = hashlib.sha384(htmx_path.read_bytes()).digest()
    assert settings.htmx_integrity == "sha384-" + base64.b64encode(digest).decode()
    version = re.search(r"htmx-(\d+\.\d+\.\d+)\.min\.js$", htmx_path.name)
    assert version and f"@{version.group(1)}/" in settings.htmx_url


def mark_document(page: Page) -> None:
    """Leave a mark on the current document; a full page load would wipe it."""
    page.evaluate("() => { window.__sameDocument = true }")


def same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def sign_in_with_the_keyboard(page: Page, york: Partnership) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Assure")
    page.get_by_label("Email address").focus()
    page.keyboard.type(ADMIN)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"/p/{york.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "City of York Safeguarding Children Partnership"
    )


@pytest.mark.browser
def test_an_admin_creates_and_opens_a_programme(
    new_context: Callable[..., Any],
    live_server: Any,
    guard: Any,
    db: Session,
    york: Partnership,
) -> None:
    page = new_context().new_page()
    watcher = Watcher(page)
    base = live_server.url

    sign_in_with_the_keyboard(page, york)
    # htmx really loaded: the browser fetched it (from our copy) and accepted its SRI hash
    htmx_ready(page)
    assert page.evaluate("() => typeof htmx") == "object"
    assert guard.served_htmx >= 1
    nav = page.get_by_role("navigation", name="Main")

    # The agencies list filters as you type, through htmx, without a page load
    nav.get_by_role("link", name="Agencies").click()
    expect(page).to_have_url(f"{base}/p/{york.id}/agencies")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(17)
    htmx_ready(page)
    mark_document(page)
    with page.expect_response(re.compile(r"/agencies\?q=police(&|$)")) as filtered:
        page.get_by_label("Name contains").press_sequentially("police")
    assert filtered.value.request.headers.get("hx-request") == "true"
    expect(rows).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("North Yorkshire Police")
    expect(page.locator("#results")).to_contain_text("British Transport Police")
    expect(page).to_have_url(re.compile(rf"^{base}/p/{york.id}/agencies\?q=police(&|$)"))
    assert same_document(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies")

    # Frameworks → Section 11 → standard 12 and a requirement's guidance
    nav.get_by_role("link", name="Frameworks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frameworks")
    page.get_by_role("link", name="Section 11 self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Section 11 self-assessment")
    standard = page.get_by_role(
        "heading", level=3, name="12. Working with the partnership and learning from reviews"
    )
    expect(standard).to_be_visible()
    details = page.locator("#standard-12 details").first
    guidance = details.locator("p").first
    expect(guidance).to_be_hidden()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(guidance).to_be_visible()

    # Programmes → Create a programme, with the deadline before the opening date
    nav.get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    page.get_by_role("link", name="Create a programme").click()
    form_url = f"{base}/p/{york.id}/programmes/new"
    expect(page).to_have_url(form_url)
    htmx_ready(page)
    page.get_by_label("Title").fill("Section 11 self-assessment 2027")
    page.get_by_label("Opening date").fill("2027-06-30")
    deadline = page.get_by_label("Deadline for returns")
    deadline.fill("2027-04-01")
    mark_document(page)
    with page.expect_response(re.compile(r"/programmes/new$")) as refused:
        page.get_by_role("button", name="Create draft programme").click()
    assert refused.value.status == 422
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Deadline must be on or after the opening date")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#field-deadline")
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-deadline")).to_contain_text("Deadline must be on or after")
    expect(page.get_by_label("Opening date")).not_to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(form_url)
    assert same_document(page)  # swapped in by htmx, not a new page
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a programme")
    expect(page.get_by_label("Title")).to_have_value("Section 11 self-assessment 2027")

    # Fix it and create the draft
    deadline.fill("2027-07-31")
    page.get_by_role("button", name="Create draft programme").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}/programmes/\d+\?created=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Section 11 self-assessment 2027")
    expect(page.get_by_role("status")).to_contain_text("created as a draft")
    expect(page.locator("main strong.tag")).to_have_text("Draft")

    # Open it
    page.get_by_role("button", name="Open programme").click()
    expect(page.locator("main strong.tag")).to_have_text("Open")
    expect(page.get_by_role("button", name="Close programme")).to_be_visible()
    page.wait_for_load_state("load")

    programme_id = int(re.search(r"/programmes/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    with live_server.db_lock:
        programme = db.exec(select(Programme).where(Programme.id == programme_id)).one()
        db.refresh(programme)
        asked = db.exec(
            select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme_id)
        ).all()
    assert programme.title == "Section 11 self-assessment 2027"
    assert str(programme.status) == "open"
    assert str(programme.deadline) == "2027-07-31"
    assert len(asked) == 17

    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert watcher.errors == []


@pytest.mark.browser
def test_the_create_form_works_without_javascript(
    new_context: Callable[..., Any], live_server: Any, guard: Any, york: Partnership
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/sign-in?next=/p/{york.id}/programmes/new")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    form_url = f"{live_server.url}/p/{york.id}/programmes/new"
    expect(page).to_have_url(form_url)

    page.get_by_label("Title").fill("Made without JavaScript")
    page.get_by_label("Opening date").fill("2027-06-30")
    page.get_by_label("Deadline for returns").fill("2027-04-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create draft programme").click()
    response = navigation.value
    assert response is not None and response.status == 422
    # a whole page: title, heading, summary and the field marked
    expect(page).to_have_title("Error: Create a programme – Assure")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a programme")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Deadline must be on or after the opening date")
    expect(page.get_by_label("Deadline for returns")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title")).to_have_value("Made without JavaScript")
    expect(page).to_have_url(form_url)

    page.get_by_label("Deadline for returns").fill("2027-07-31")
    page.get_by_role("button", name="Create draft programme").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}/programmes/\d+\?created=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Made without JavaScript")
    expect(page.get_by_role("status")).to_contain_text("created as a draft")
    assert guard.served_htmx == 0  # with scripts off, the browser never fetched htmx


@pytest.mark.browser
def test_back_after_filtering_restores_the_whole_page(
    new_context: Callable[..., Any], york: Partnership
) -> None:
    page = new_context().new_page()
    sign_in_with_the_keyboard(page, york)
    page.goto(f"/p/{york.id}/agencies")
    htmx_ready(page)
    page.get_by_label("Name contains").press_sequentially("police")
    expect(page).to_have_url(re.compile(r"\?q=police(&|$)"))
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.evaluate(
        """() => { window.__restored = new Promise(
            done => document.addEventListener('htmx:historyRestore', () => done(true),
                                              {once: true})) }"""
    )
    page.go_back()
    assert page.evaluate("() => window.__restored") is True
    expect(page).to_have_url(re.compile(rf"/p/{york.id}/agencies$"))
    assert page.locator("h1").count() == 1
    assert page.get_by_role("navigation", name="Main").count() == 1


@pytest.mark.browser
def test_the_browser_can_reach_nothing_but_the_live_server(
    new_context: Callable[..., Any], guard: Any
) -> None:
    from playwright.sync_api import Error

    page = new_context().new_page()
    for url in ("https://example.com/", "http://localhost:9/", "http://10.0.0.1/"):
        with pytest.raises(Error):
            page.goto(url)
    assert guard.blocked == ["https://example.com/", "http://localhost:9/", "http://10.0.0.1/"]
    guard.blocked.clear()  # seen and refused, as intended
