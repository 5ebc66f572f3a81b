"""Every POST must carry the session's CSRF token, as a form field or (htmx) a header.
Without it the request is refused with a 403 page and nothing at all is written."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, HTMX, PASSWORD, count, csrf_of, page_of

from api.models import (
    ApiToken,
    AuditEvent,
    Partnership,
    Programme,
    ProgrammeAgency,
    Return,
    SignInFailure,
)


@dataclass
class Post:
    url: str
    data: dict[str, str | list[str]]


@pytest.fixture
def draft(db: Session, york: Partnership, admin: TestClient) -> Programme:
    """A draft programme, made through the form, for the open and close buttons."""
    csrf = csrf_of(admin, f"/p/{york.id}/programmes/new")
    response = admin.post(
        f"/p/{york.id}/programmes/new",
        data={
            "csrf_token": csrf,
            "title": "CSRF test programme",
            "framework_version_id": "1",
            "opens_on": "2027-04-01",
            "deadline": "2027-06-30",
            "all_agencies": "yes",
        },
    )
    assert response.status_code == 303, response.text
    return db.exec(select(Programme).where(Programme.title == "CSRF test programme")).one()


def posts(
    york: Partnership, draft: Programme, open_programme_id: int, open_return_id: int
) -> dict[str, Post]:
    p, r = york.id, open_return_id
    return {
        "sign in": Post("/sign-in", {"email": ADMIN, "password": PASSWORD, "next": "/"}),
        "sign in, wrong password": Post("/sign-in", {"email": ADMIN, "password": "x"}),
        "sign out": Post("/sign-out", {}),
        "create programme": Post(
            f"/p/{p}/programmes/new",
            {
                "title": "Forged programme",
                "framework_version_id": "1",
                "opens_on": "2027-04-01",
                "deadline": "2027-06-30",
                "all_agencies": "yes",
            },
        ),
        "open programme": Post(
            f"/p/{p}/programmes/{draft.id}/open", {"version": str(draft.version)}
        ),
        "close programme": Post(f"/p/{p}/programmes/{open_programme_id}/close", {}),
        "grant extension": Post(
            f"/p/{p}/returns/{r}/extension",
            {"due_on": "2099-01-01", "reason": "Forged", "version": "0"},
        ),
        "withdraw extension": Post(f"/p/{p}/returns/{r}/extension/withdraw", {"version": "0"}),
    }


def snapshot(db: Session) -> dict[str, object]:
    """Everything a forged POST could change."""
    return {
        "programmes": count(db, Programme),
        "asked": count(db, ProgrammeAgency),
        "statuses": sorted(db.exec(select(Programme.id, Programme.status)).all()),
        "audit": count(db, AuditEvent),
        "tokens": count(db, ApiToken),
        "live tokens": count(db, ApiToken, col(ApiToken.revoked_at).is_(None)),
        "failures": count(db, SignInFailure),
        "extensions": count(db, Return, col(Return.extended_to).is_not(None)),
    }


@pytest.mark.parametrize(
    "action",
    [
        "sign in",
        "sign in, wrong password",
        "sign out",
        "create programme",
        "open programme",
        "close programme",
        "grant extension",
        "withdraw extension",
    ],
)
def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(
    admin: TestClient,
    new_visitor: Callable[[], TestClient],
    db: Session,
    york: Partnership,
    draft: Programme,
    action: str,
) -> None:
    open_id = db.exec(
        select(Programme.id).where(Programme.partnership_id == york.id, Programme.status == "open")
    ).one()
    open_return = db.exec(select(Return.id).where(Return.programme_id == open_id)).first()
    assert open_return is not None
    post = posts(york, draft, open_id, open_return)[action]
    forgeries = {
        "no token": None,
        "empty token": "",
        "wrong token": "not-the-token",
        # a token that is valid, but for a different browser's session
        "another's token": csrf_of(new_visitor(), "/sign-in"),
    }
    before = snapshot(db)
    for forgery, token in forgeries.items():
        data = dict(post.data)
        if token is not None:
            data["csrf_token"] = token
        for headers in ({}, HTMX):
            response = admin.post(post.url, data=data, headers=headers)
            page = page_of(response, status=403)
            assert page.h1 == "This form has expired", forgery
            assert snapshot(db) == before, forgery
    # the admin is still signed in, and the cookie kept its CSRF token
    assert page_of(admin.get(f"/p/{york.id}")).csrf_token() == csrf_of(admin, "/sign-in")


@pytest.mark.parametrize("header", ["X-CSRF-Token: wrong", "X-CSRF-Token: "])
def test_a_wrong_header_is_refused_even_with_a_right_form_field(
    admin: TestClient, db: Session, york: Partnership, header: str
) -> None:
    """The header, when sent, is the token that counts (htmx sends it on every request)."""
    name, value = header.split(": ")
    csrf = csrf_of(admin, f"/p/{york.id}/programmes/new")
    before = count(db, Programme)
    response = admin.post(
        f"/p/{york.id}/programmes/new",
        data={
            "csrf_token": csrf,
            "title": "Header test",
            "framework_version_id": "1",
            "opens_on": "2027-04-01",
            "deadline": "2027-06-30",
            "all_agencies": "yes",
        },
        headers={name: value} if value else {name: ""},
    )
    if value:
        assert response.status_code == 403
        assert count(db, Programme) == before
    else:
        # an empty header is as if none was sent: the form field decides
        assert response.status_code == 303
        assert count(db, Programme) == before + 1


def test_a_json_post_is_refused_without_the_header(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    before = count(db, Programme)
    response = admin.post(
        f"/p/{york.id}/programmes/new",
        json={"title": "JSON forgery", "framework_version_id": 1, "csrf_token": "x"},
    )
    assert response.status_code == 403
    assert count(db, Programme) == before


def test_the_header_token_is_accepted_as_htmx_sends_it(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    page = page_of(admin.get(f"/p/{york.id}/programmes/new"))
    token = page.csrf_token()
    response = admin.post(
        f"/p/{york.id}/programmes/new",
        data={
            "title": "Made with the header",
            "framework_version_id": "1",
            "opens_on": "2027-04-01",
            "deadline": "2027-06-30",
            "all_agencies": "yes",
        },
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(f"/p/{york.id}/programmes/")
    assert count(db, Programme, Programme.title == "Made with the header") == 1


def test_a_csrf_refusal_for_an_unknown_visitor_does_not_count_as_a_failed_sign_in(
    site: TestClient, db: Session
) -> None:
    """A cross-site form cannot be used to lock a person out."""
    for _ in range(6):
        response = site.post("/sign-in", data={"email": ADMIN, "password": "wrong"})
        assert response.status_code == 403
    assert count(db, SignInFailure) == 0


def test_get_requests_need_no_token(admin: TestClient, york: Partnership) -> None:
    assert admin.get(f"/p/{york.id}/programmes/new").status_code == 200
