"""Signing in and out through the web pages: the form, its errors, throttling, where a
person is sent afterwards, and the session cookie."""

from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, HTMX, PASSWORD, SCRUTINEER, count, page_of, submit_sign_in

from api.models import ApiToken, Partnership, SignInFailure, User
from web.session import COOKIE


def test_the_sign_in_page(site: TestClient) -> None:
    response = site.get("/sign-in")
    page = page_of(response)
    assert page.h1 == "Sign in to Assure"
    assert page.title == "Sign in – Assure"
    assert page.unlabelled_fields() == []
    assert page.error_summary() is None
    email = page.one("input", name="email")
    assert email["type"] == "email" and email["autocomplete"] == "username"
    password = page.one("input", name="password")
    assert password["type"] == "password" and password["autocomplete"] == "current-password"
    form = page.one("form", action="/sign-in")
    assert form["method"] == "post"
    assert page.find("nav", **{"aria-label": "Main"}) is None
    assert "Signed in as" not in page.source
    # a first visit gets a session cookie (holding only a CSRF token)
    assert COOKIE in response.cookies


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/p/1",
        "/p/1/agencies?q=york&sector=police",
        "/p/1/programmes/new",
        "/p/1/frameworks/1/versions/1",
        "/p/1/people",
        "/p/1/audit",
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in_and_back(site: TestClient, path: str) -> None:
    response = site.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next={quote(path, safe='')}"
    page = page_of(site.get(response.headers["location"]))
    assert page.one("input", name="next")["value"] == path


def test_signed_out_htmx_requests_are_redirected_by_htmx(site: TestClient) -> None:
    response = site.get("/p/1/agencies", params={"q": "x"}, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/sign-in?next=%2Fp%2F1%2Fagencies%3Fq%3Dx"
    assert response.content == b""


def test_signing_in_lands_where_the_person_was_going(site: TestClient, york: Partnership) -> None:
    target = f"/p/{york.id}/agencies?q=police"
    response = submit_sign_in(site, ADMIN, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == target
    page = page_of(site.get(target))
    assert page.h1 == "Agencies"
    assert "Signed in as Bev Business-Unit" in page.one("header").text


def test_signing_in_without_a_destination_goes_home(site: TestClient, york: Partnership) -> None:
    response = submit_sign_in(site, ADMIN)
    assert response.headers["location"] == "/"
    assert site.get("/").headers["location"] == f"/p/{york.id}"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/p/1",
        "//evil.example",
        "//evil.example/p/1",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_an_unsafe_destination_is_never_followed(site: TestClient, target: str) -> None:
    # offered in the address of the sign-in page…
    page = page_of(site.get("/sign-in", params={"next": target}))
    assert page.one("input", name="next")["value"] == "/"
    # …or slipped into the form itself
    response = site.post(
        "/sign-in",
        data={
            "csrf_token": page.csrf_token(),
            "email": ADMIN,
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_an_htmx_sign_in_is_redirected_by_htmx(site: TestClient, york: Partnership) -> None:
    csrf = page_of(site.get("/sign-in")).csrf_token()
    response = site.post(
        "/sign-in",
        data={"email": ADMIN, "password": PASSWORD, "next": f"/p/{york.id}"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/p/{york.id}"


def test_a_wrong_password_shows_an_error_summary_linked_to_the_field(
    site: TestClient, db: Session
) -> None:
    response = submit_sign_in(site, SCRUTINEER, "not-the-password", next="/p/1/audit")
    page = page_of(response, status=422)
    assert page.title == "Error: Sign in – Assure"
    assert page.summary_links() == {"#field-email": "The email or password is not right"}
    summary = page.error_summary()
    assert summary is not None and summary["role"] == "alert"
    email = page.field("field-email")
    assert email["aria-invalid"] == "true"
    assert email["aria-describedby"] == "error-email"
    assert page.field_error("email") == "The email or password is not right"
    # what was typed is kept, except the password; the destination is kept too
    assert email["value"] == SCRUTINEER
    assert "value" not in page.field("field-password").attrs
    assert "not-the-password" not in page.source
    assert page.one("input", name="next")["value"] == "/p/1/audit"
    assert page.broken_references() == []
    assert count(db, SignInFailure, SignInFailure.email == SCRUTINEER) == 1
    # and nobody is signed in
    assert site.get("/p/1").status_code == 303


def test_an_unknown_email_reads_the_same_as_a_wrong_password(site: TestClient) -> None:
    page = page_of(submit_sign_in(site, "nobody@york.example", "whatever"), status=422)
    assert page.summary_links() == {"#field-email": "The email or password is not right"}


def test_empty_fields_are_each_asked_for(site: TestClient) -> None:
    page = page_of(submit_sign_in(site, "", ""), status=422)
    assert page.summary_links() == {
        "#field-email": "Enter your email address",
        "#field-password": "Enter your password",
    }
    assert page.field("field-password")["aria-invalid"] == "true"
    assert page.broken_references() == []


def test_sign_in_is_throttled_after_five_failures(site: TestClient, db: Session) -> None:
    email = SCRUTINEER
    for _ in range(5):
        page = page_of(submit_sign_in(site, email, "wrong"), status=422)
        assert page.field_error("email") == "The email or password is not right"
    assert count(db, SignInFailure, SignInFailure.email == email) == 5
    # the sixth attempt is refused even with the right password, and says why
    page = page_of(submit_sign_in(site, email, PASSWORD), status=422)
    message = page.field_error("email")
    # when to try again, from the API's Retry-After: the window is 15 minutes
    assert message == "Too many attempts. Try again in 15 minutes."
    assert page.summary_links() == {"#field-email": message}
    assert site.get("/p/1").status_code == 303
    # someone else can still sign in
    assert submit_sign_in(site, ADMIN).status_code == 303


def test_a_successful_sign_in_clears_earlier_failures(site: TestClient, db: Session) -> None:
    for _ in range(3):
        submit_sign_in(site, SCRUTINEER, "wrong")
    assert submit_sign_in(site, SCRUTINEER).status_code == 303
    assert count(db, SignInFailure, SignInFailure.email == SCRUTINEER) == 0


def session_cookie_header(response) -> SimpleCookie:  # type: ignore[no-untyped-def]
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert len(headers) == 1, headers
    cookie = SimpleCookie()
    cookie.load(headers[0])
    return cookie


def test_the_session_cookie_is_httponly_and_samesite_lax(site: TestClient) -> None:
    response = submit_sign_in(site, ADMIN)
    raw = next(v for k, v in response.headers.multi_items() if k == "set-cookie")
    morsel = session_cookie_header(response)[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) > 0
    assert "secure" not in raw.lower()  # cookie_secure is off in development and tests
    assert PASSWORD not in raw


def test_signing_in_gives_a_new_csrf_token(site: TestClient) -> None:
    before = page_of(site.get("/sign-in")).csrf_token()
    submit_sign_in(site, ADMIN)
    after = page_of(site.get("/p/1")).csrf_token()
    assert before != after


def test_a_tampered_cookie_is_treated_as_signed_out(site: TestClient) -> None:
    submit_sign_in(site, ADMIN)
    value = site.cookies[COOKIE]
    site.cookies.set(COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = site.get("/p/1")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_signing_out_revokes_the_api_token_and_the_old_cookie(
    site: TestClient, new_visitor: Callable[[], TestClient], db: Session
) -> None:
    submit_sign_in(site, ADMIN)
    home = page_of(site.get("/p/1"))
    old_cookie = site.cookies[COOKIE]
    old_csrf = home.csrf_token()
    user_id = db.exec(select(User.id).where(User.email == ADMIN)).one()
    live = (ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    assert count(db, ApiToken, *live) >= 1

    sign_out = home.one("form", action="/sign-out")
    assert sign_out["method"] == "post"
    response = site.post("/sign-out", data={"csrf_token": old_csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?signed_out=1"
    page = page_of(site.get(response.headers["location"]))
    assert page.one("p.notice").text == "You have signed out."
    assert page.csrf_token() != old_csrf
    assert count(db, ApiToken, *live) == 0

    # the cookie from before signing out no longer opens anything
    replay = new_visitor()
    replay.cookies.set(COOKIE, old_cookie)
    response = replay.get("/p/1")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fp%2F1"
    assert site.get("/p/1").status_code == 303


def test_signing_out_when_already_signed_out_is_harmless(site: TestClient) -> None:
    csrf = page_of(site.get("/sign-in")).csrf_token()
    response = site.post("/sign-out", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?signed_out=1"


def test_a_button_pressed_after_the_session_ended_leads_back_to_a_page(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    programme = f"/p/{york.id}/programmes"
    open_one = page_of(admin.get(f"{programme}?status=open")).one("tbody").one("a")["href"]
    page = page_of(admin.get(open_one))
    for token in db.exec(select(ApiToken).where(col(ApiToken.revoked_at).is_(None))).all():
        token.revoked_at = token.created_at  # the session ends behind the browser's back
        db.add(token)
    db.commit()
    close = page.one("form", action=f"{open_one}/close")
    response = admin.post(
        close["action"],
        data={"csrf_token": page.csrf_token(), "version": "1"},
        headers={"Referer": f"http://testserver{open_one}"},  # as a browser sends it
    )
    assert response.status_code == 303  # nothing is done; the person is asked to sign in
    assert response.headers["location"].startswith("/sign-in?next=")
    target = parse_qs(urlsplit(response.headers["location"]).query)["next"][0]
    assert target == open_one  # back to the page the button was on, not to the POST's URL
    landed = submit_sign_in(admin, ADMIN, next=target)
    assert landed.status_code == 303
    assert admin.get(landed.headers["location"]).status_code == 200


def test_a_button_pressed_without_a_referer_leads_to_the_start_page(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    page = page_of(admin.get(f"/p/{york.id}/programmes?status=open"))
    for token in db.exec(select(ApiToken).where(col(ApiToken.revoked_at).is_(None))).all():
        token.revoked_at = token.created_at
        db.add(token)
    db.commit()
    response = admin.post(
        f"/p/{york.id}/programmes/1/close",
        data={"csrf_token": page.csrf_token()},
        headers={"Referer": "https://elsewhere.example/p/1"},  # another site: never followed
    )
    assert response.headers["location"] == "/sign-in?next=%2F"
