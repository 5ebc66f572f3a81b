"""An invitation's whole journey in a real headless Chromium: York's admin invites an agency
editor on the people page; the worker delivers the email to a real SMTP server; the browser
opens the emailed link, sets a password, is signed in, and finds the agency's return."""

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from browserkit import Watcher
from playwright.sync_api import Page, expect
from sqlalchemy import Connection
from sqlmodel import Session, select

from api.models import Channel, Membership, Partnership, User
from api.outbox.smtp import SmtpMailer
from api.outbox.worker import drain
from api.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))  # the SMTP inbox
from smtpinbox import smtp_inbox  # noqa: E402

ADMIN = "admin@york.example"
PASSWORD = "assure-demo-2023"
HOUSING = "City of York Council Housing Services"
THIS_YEAR = "Section 11 self-assessment 2026"
INVITED = "pat.person@example.org"


def sign_in(page: Page, email: str, york: Partnership) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}$"))


def test_an_invited_editor_joins_from_the_email_and_finds_the_return(  # noqa: PLR0915
    new_context: Callable[..., Any],
    live_server: Any,
    connection: Connection,
    db: Session,
    york: Partnership,
) -> None:
    page = new_context().new_page()
    watcher = Watcher(page)
    sign_in(page, ADMIN, york)
    page.goto(f"/p/{york.id}/people")
    page.get_by_label("Name", exact=True).fill("Pat Person")
    page.get_by_label("Email address", exact=True).fill(INVITED)
    page.get_by_label("Role", exact=True).select_option(label="Agency editor")
    page.get_by_label("Agency (for an agency editor or approver)").select_option(label=HOUSING)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_have_text(f"An invitation was sent to {INVITED}.")
    pending = page.get_by_role("table", name="Pending invitations")
    expect(pending.get_by_role("row").filter(has_text=INVITED)).to_contain_text(
        f"Agency editor at {HOUSING}"
    )
    page.get_by_role("button", name="Sign out").click()

    # The worker delivers the email over SMTP, from the test's own transaction.
    with smtp_inbox() as inbox:
        settings = Settings(smtp_host=inbox.host, smtp_port=inbox.port, smtp_security="none")
        with live_server.db_lock:
            drain(connection, {Channel.email: SmtpMailer(settings)})  # type: ignore[arg-type]
        [email] = [m for m in inbox.received if m["To"] == INVITED]
    assert str(email["Subject"]) == f"Bev Business-Unit invited you to {york.name} on Assure"
    body = email.get_content()
    assert f"Agency editor at {HOUSING}" in body
    link = re.search(r"https?://\S+/invitation\?token=\S+", body)
    assert link, body
    parts = urlsplit(link.group(0))

    # The person opens the link, sets a password, and is signed in.
    page.goto(f"{parts.path}?{parts.query}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {york.name}")
    expect(page.get_by_role("listitem").filter(has_text=HOUSING)).to_have_text(
        f"Agency editor at {HOUSING}"
    )
    expect(page.get_by_label("Your name")).to_have_value("Pat Person")
    page.get_by_label("Choose a password").fill("pat's long password")
    page.get_by_label("Type the password again").fill("not the same one")
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page.locator(".error-summary")).to_contain_text("The two passwords are not the same")
    page.get_by_label("Choose a password").fill("pat's long password")
    page.get_by_label("Type the password again").fill("pat's long password")
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page).to_have_url(re.compile(rf"/p/{york.id}\?joined=1$"))
    expect(page.get_by_text("Pat Person")).not_to_have_count(0)

    # …and finds the agency's return.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your returns")
    row = page.get_by_role("row").filter(has_text=THIS_YEAR)
    row.get_by_role("link", name=HOUSING).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(THIS_YEAR)

    assert watcher.errors == []

    # The link worked once: a second visit is refused (409, which Chromium notes).
    page.goto(f"{parts.path}?{parts.query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    page.wait_for_load_state("load")
    with live_server.db_lock:
        user = db.exec(select(User).where(User.email == INVITED)).one()
        roles = db.exec(select(Membership).where(Membership.user_id == user.id)).all()
        assert [(m.partnership_id, m.role.value) for m in roles] == [(york.id, "agency_editor")]
    assert [e for e in watcher.errors if "status of 409" not in e] == []
    assert len(watcher.errors) == 1
