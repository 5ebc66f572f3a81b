"""Every kind of page on a 390 px wide phone, in a real Chromium: the page never scrolls
sideways; a table that is wider than the screen scrolls inside its own region, which is
named and can be reached with the keyboard; the focused "Sign out" button can be seen."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from api.models import Action, Agency, Framework, Partnership, Programme, Return

PASSWORD = "assure-demo-2023"
HOUSING = "City of York Council Housing Services"
PHONE = {"width": 390, "height": 844}

# Each page kind, and who sees it at its fullest: the business unit, or the agency's editor
# for the return they answer.
PAGES = {
    "admin@york.example": [
        "/p/{p}",
        "/p/{p}/agencies",
        "/p/{p}/agencies/{agency}",
        "/p/{p}/agencies/{agency}/actions",
        "/p/{p}/frameworks",
        "/p/{p}/frameworks/{framework}",
        "/p/{p}/frameworks/{framework}/versions/1",
        "/p/{p}/programmes",
        "/p/{p}/programmes/new",
        "/p/{p}/programmes/{programme}",
        "/p/{p}/programmes/{last_programme}",
        "/p/{p}/programmes/{programme}/actions",
        "/p/{p}/returns",
        "/p/{p}/returns/{last_return}",
        "/p/{p}/returns/{last_return}/versions/1",
        "/p/{p}/returns/{last_return}/review",
        "/p/{p}/returns/{last_return}/review/return",
        "/p/{p}/actions",
        "/p/{p}/actions/{action}",
        "/p/{p}/people",
        "/p/{p}/audit",
        "/p/{p}/webhooks",
        "/p/{p}/webhooks/new",
        "/p/{p}/outbox",
        "/p/{p}/programmes/{programme}/edit",
        "/account/notices",
    ],
    "editor@york.example": [
        "/p/{p}/returns",
        "/p/{p}/returns/{this_return}",
        "/p/{p}/actions",
    ],
}

# How far the page itself can scroll sideways, and every table that is not inside a named,
# focusable region (or whose region is not what makes it scroll).
MEASURE = """() => {
  const doc = document.documentElement;
  const loose = [...document.querySelectorAll('table')].filter(t => {
    const region = t.closest('[role=region]');
    return !region || !region.getAttribute('aria-label') || region.tabIndex !== 0
      || getComputedStyle(region).overflowX !== 'auto';
  }).map(t => t.querySelector('caption')?.textContent || 'a table');
  return {overflow: doc.scrollWidth - doc.clientWidth, loose};
}"""


@pytest.fixture
def ids(db: Session, york: Partnership, live_server: Any) -> dict[str, int]:
    """The York demo's records the pages are about."""
    with live_server.db_lock:

        def programme(title: str) -> Programme:
            return db.exec(
                select(Programme).where(
                    Programme.partnership_id == york.id, Programme.title == title
                )
            ).one()

        def housing_return(of: Programme) -> Return:
            return db.exec(
                select(Return)
                .join(Agency, col(Agency.id) == Return.agency_id)
                .where(Return.programme_id == of.id, Agency.name == HOUSING)
            ).one()

        this_year = programme("Section 11 self-assessment 2026")
        last_year = programme("Section 11 self-assessment 2023")
        last_return = housing_return(last_year)
        action = db.exec(select(Action).where(Action.partnership_id == york.id)).first()
        framework = db.exec(select(Framework).where(Framework.key == "section-11")).one()
        assert action is not None
        return {
            "p": york.id or 0,
            "agency": last_return.agency_id,
            "framework": framework.id or 0,
            "programme": this_year.id or 0,
            "last_programme": last_year.id or 0,
            "this_return": housing_return(this_year).id or 0,
            "last_return": last_return.id or 0,
            "action": action.id or 0,
        }


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/\d+$"))


@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_phone(
    new_context: Callable[..., Any], ids: dict[str, int]
) -> None:
    wide: dict[str, int] = {}
    loose: dict[str, list[str]] = {}
    seen = 0
    for email, paths in PAGES.items():
        page = new_context(viewport=PHONE).new_page()
        sign_in(page, email)
        page.goto("/sign-in")  # signed in already: the sign-in page still has to fit
        for path in paths:
            url = path.format(**ids)
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            measured = page.evaluate(MEASURE)
            seen += 1
            if measured["overflow"] > 0:
                wide[url] = measured["overflow"]
            if measured["loose"]:
                loose[url] = measured["loose"]
        page.close()
    assert seen == sum(len(paths) for paths in PAGES.values())
    assert wide == {}, f"pages wider than 390 px, by px: {wide}"
    assert loose == {}, f"tables outside a named, focusable scrolling region: {loose}"


@pytest.mark.browser
def test_a_wide_table_is_reached_and_scrolled_with_the_keyboard(
    new_context: Callable[..., Any], ids: dict[str, int]
) -> None:
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, "admin@york.example")
    page.goto(f"/p/{ids['p']}/programmes/{ids['last_programme']}")
    region = page.get_by_role("region", name="Each agency asked, with its return and actions")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the tracker is wide
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("r => getComputedStyle(r).outlineStyle") == "solid"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.table-scroll table.compliance').parentElement"
        ".scrollLeft > 0"
    )


@pytest.mark.browser
def test_the_focused_sign_out_button_can_be_seen(
    new_context: Callable[..., Any], ids: dict[str, int]
) -> None:
    page = new_context().new_page()
    sign_in(page, "admin@york.example")
    account = page.locator(".who a")  # the person's name: their account page
    link = page.get_by_role("link", name="Your emails")
    button = page.get_by_role("button", name="Sign out")
    for _ in range(3):  # the skip link, the "Assure" link, then the person's name
        page.keyboard.press("Tab")
    for control in (account, link, button):
        expect(control).to_be_focused()
        colours = control.evaluate(
            "b => { const s = getComputedStyle(b); return [s.color, s.backgroundColor] }"
        )
        assert colours[0] != colours[1], colours
        assert colours == ["rgb(11, 12, 12)", "rgb(255, 221, 0)"]  # dark text on the yellow
        page.keyboard.press("Tab")
