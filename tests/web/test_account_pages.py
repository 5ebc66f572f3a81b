"""A person's own password through the web pages: forgotten (ask, the same answer for any
email, the emailed link, its page), and changed from the account page."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from websupport import ADMIN, PANEL, PASSWORD, page_of, submit_sign_in

from api.models import OutboxMessage

NEW = "a fresh spring password"
LINK = re.compile(r"/reset-password\?token=[A-Za-z0-9_-]+")


def _ask(site: TestClient, email: str):
    page = page_of(site.get("/forgot-password"))
    return site.post("/forgot-password", data={"csrf_token": page.csrf_token(), "email": email})


def _link(db: Session) -> str:
    [message] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all()
    match = LINK.search(message.body)
    assert match
    return match.group(0)


def test_the_sign_in_page_links_to_the_forgotten_password_page(site: TestClient) -> None:
    page = page_of(site.get("/sign-in"))
    assert page.one("a", href="/forgot-password").text == "Forgotten your password?"
    response = site.get("/forgot-password")
    page = page_of(response)
    assert page.h1 == "Forgotten your password?" and page.unlabelled_fields() == []
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_asking_says_the_same_whatever_the_email(site: TestClient, db: Session) -> None:
    known, unknown = _ask(site, PANEL), _ask(site, "nobody.here@york.example")
    assert page_of(known).h1 == page_of(unknown).h1 == "Check your email"
    assert page_of(known).one("main").text == page_of(unknown).one("main").text
    assert known.headers["Referrer-Policy"] == "no-referrer"
    assert _link(db)  # only the account's email is queued


def test_asking_with_no_email_or_too_often_says_so(site: TestClient) -> None:
    page = page_of(_ask(site, " "), status=422)
    assert page.field_error("email") == "Enter your email address"
    assert page.error_summary() is not None
    for _ in range(3):
        _ask(site, "someone@york.example")
    page = page_of(_ask(site, "someone@york.example"), status=422)
    assert page.field_error("email") == "Too many attempts. Try again in 60 minutes."


def test_the_emailed_link_sets_a_new_password_then_sign_in(site: TestClient, db: Session) -> None:
    _ask(site, PANEL)
    link = _link(db)
    response = site.get(link)
    page = page_of(response)
    assert page.h1 == "Choose a new password" and page.unlabelled_fields() == []
    assert response.headers["Referrer-Policy"] == "no-referrer"
    token = page.one("input", name="token")["value"]
    data = {"csrf_token": page.csrf_token(), "token": token}
    # The policy's refusal shows inline, and the two fields must agree.
    short = site.post(
        "/reset-password",
        data={**data, "new_password": "short one", "confirm_password": "short one"},
    )
    page = page_of(short, status=422)
    assert "at least 15 characters" in (page.field_error("new_password") or "")
    assert short.headers["Referrer-Policy"] == "no-referrer"
    differ = site.post(
        "/reset-password", data={**data, "new_password": NEW, "confirm_password": NEW + "x"}
    )
    assert page_of(differ, status=422).field_error("confirm_password")
    done = site.post("/reset-password", data={**data, "new_password": NEW, "confirm_password": NEW})
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?reset=1"
    notice = page_of(site.get("/sign-in?reset=1")).one("p", role="status").text
    assert "new password is set" in notice
    assert submit_sign_in(site, PANEL, NEW).status_code == 303
    # The link again: used, said plainly, with a way to ask again.
    data["csrf_token"] = page_of(site.get(link)).csrf_token()  # a sign-in renews it
    again = site.post(
        "/reset-password",
        data={
            **data,
            "new_password": "another fresh password",
            "confirm_password": "another fresh password",
        },
    )
    page = page_of(again, status=400)
    assert "already used" in page.one("p", role="alert").text
    assert page.one("a", href="/forgot-password")


def test_a_forged_link_shows_a_clear_message(site: TestClient) -> None:
    page = page_of(site.get("/reset-password?token=made-up"))  # checked when it is used
    data = {
        "csrf_token": page.csrf_token(),
        "token": "made-up",
        "new_password": NEW,
        "confirm_password": NEW,
    }
    page = page_of(site.post("/reset-password", data=data), status=400)
    assert page.h1 == "This link does not work"
    assert "not valid" in page.one("p", role="alert").text
    assert page.one("a", href="/forgot-password")
    assert page_of(site.get("/reset-password"), status=400).h1 == "This link does not work"


def test_the_account_page_changes_the_password(visitor_as) -> None:
    person = visitor_as(PANEL)
    page = page_of(person.get("/account"))
    assert page.h1 == "Your account" and PANEL in page.source
    assert page.unlabelled_fields() == []
    data = {"csrf_token": page.csrf_token(), "current_password": PASSWORD}
    wrong = person.post(
        "/account/password",
        data={**data, "current_password": "nope", "new_password": NEW, "confirm_password": NEW},
    )
    page = page_of(wrong, status=422)
    assert page.field_error("current_password") == "This is not your current password"
    weak = person.post(
        "/account/password",
        data={**data, "new_password": "passwordpassword", "confirm_password": "passwordpassword"},
    )
    page = page_of(weak, status=422)
    assert "too easy to guess" in (page.field_error("new_password") or "")
    assert page.error_summary() is not None
    done = person.post(
        "/account/password", data={**data, "new_password": NEW, "confirm_password": NEW}
    )
    assert done.status_code == 303 and done.headers["location"] == "/account?changed=1"
    assert "password is changed" in page_of(person.get("/account?changed=1")).source
    assert person.get("/account").status_code == 200  # this sign-in goes on


def test_the_account_page_needs_a_sign_in_and_is_linked(site: TestClient, visitor_as) -> None:
    assert site.get("/account").status_code == 303
    page = page_of(visitor_as(ADMIN).get("/p/1"))
    assert page.one("a", href="/account")
