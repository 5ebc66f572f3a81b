"""Invitations in the web pages: the admin's form and list on the people page, and the
page an emailed link opens, for a new person and for one with an account elsewhere."""

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, SCRUTINEER, page_of, submit_sign_in

from api.models import Agency, Membership, OutboxMessage, Partnership, User

NORTH_ADMIN = "admin@northyorkshire.example"
HOUSING = "City of York Council Housing Services"


def _token(db: Session, email: str) -> str:
    message = db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email, OutboxMessage.kind == "invitation")
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    assert message is not None, f"no invitation emailed to {email}"
    found = re.search(r"/invitation\?token=([A-Za-z0-9_%-]+)", message.body)
    assert found, message.body
    return unquote(found.group(1))


def _invite(client: TestClient, york: Partnership, **fields: str):  # type: ignore[no-untyped-def]
    page = page_of(client.get(f"/p/{york.id}/people"))
    data = {"csrf_token": page.csrf_token(), "name": "", "email": "", "role": "", "agency_id": ""}
    return client.post(f"/p/{york.id}/invitations", data={**data, **fields})


def test_the_admin_sees_the_form_and_the_pending_invitations(  # type: ignore[no-untyped-def]
    admin: TestClient, york: Partnership
):
    page = page_of(admin.get(f"/p/{york.id}/people"))
    assert page.one("h2", id="invite").text == "Invite someone"
    assert page.one("h2", id="invitations").text == "Pending invitations"
    assert page.unlabelled_fields() == []
    assert "No invitations are waiting." in page.text


def test_someone_who_may_not_manage_people_sees_neither(  # type: ignore[no-untyped-def]
    visitor_as: Callable[[str], TestClient], york: Partnership
):
    page = page_of(visitor_as(SCRUTINEER).get(f"/p/{york.id}/people"))
    assert page.find("h2", id="invite") is None and page.find("h2", id="invitations") is None
    assert page.find("form", action=f"/p/{york.id}/invitations#invite") is None


def test_a_form_with_problems_says_what_to_correct(admin: TestClient, db: Session, york):  # type: ignore[no-untyped-def]
    r = _invite(admin, york, role="agency_editor")
    page = page_of(r, 422)
    summary = page.error_summary()
    assert summary is not None
    assert {"Enter their name", "Enter their email address", "Choose the agency they work for"} <= {
        li.text for li in summary.find_all("li")
    }
    r = _invite(admin, york, name="Pat", email="not an email", role="executive")
    page = page_of(r, 422)
    assert page.one("input", name="email").get("aria-invalid") == "true"
    r = _invite(admin, york, name="Pat", email="panel@york.example", role="executive")
    page = page_of(r, 409)
    assert "already holds a role" in page.error_summary().text  # type: ignore[union-attr]


def test_inviting_resending_and_revoking(admin: TestClient, db: Session, york):  # type: ignore[no-untyped-def]
    housing = db.exec(select(Agency.id).where(Agency.name == HOUSING)).one()
    r = _invite(admin, york, name="Pat Person", email="pat@example.org",
                role="agency_editor", agency_id=str(housing))  # fmt: skip
    assert r.status_code == 303, r.text
    page = page_of(admin.get(r.headers["location"]))
    assert "An invitation was sent to pat@example.org." in page.text
    assert "pat@example.org" in page.text and f"Agency editor at {HOUSING}" in page.text
    first = _token(db, "pat@example.org")
    forms = [f for f in page.find_all("form") if (f.get("action") or "").endswith("/resend")]
    assert len(forms) == 1
    r = admin.post(forms[0]["action"], data={"csrf_token": page.csrf_token()})
    assert r.status_code == 303
    assert _token(db, "pat@example.org") != first
    page = page_of(admin.get(r.headers["location"]))
    assert "sent again" in page.text
    revoke = [f for f in page.find_all("form") if (f.get("action") or "").endswith("/revoke")]
    r = admin.post(revoke[0]["action"], data={"csrf_token": page.csrf_token()})
    assert r.status_code == 303
    page = page_of(admin.get(r.headers["location"]))
    assert "pat@example.org" not in page.text and "No invitations are waiting." in page.text


def test_a_new_person_sets_a_password_and_is_signed_in(  # type: ignore[no-untyped-def]
    admin: TestClient, site: TestClient, db: Session, york
):
    assert _invite(admin, york, name="Pat Person", email="pat@example.org",
                   role="executive").status_code == 303  # fmt: skip
    token = _token(db, "pat@example.org")
    r = site.get("/invitation", params={"token": token})
    page = page_of(r)
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert page.h1 == f"Join {york.name}"
    assert "Executive" in page.text and "Bev Business-Unit" in page.text
    assert page.one("input", name="name")["value"] == "Pat Person"
    assert page.unlabelled_fields() == []
    data = {"csrf_token": page.csrf_token(), "token": token, "name": "Pat Person",
            "password": "a long password", "confirm": "another password"}  # fmt: skip
    page = page_of(site.post("/invitation", data=data), 422)
    assert "The two passwords are not the same" in page.error_summary().text  # type: ignore[union-attr]
    r = site.post("/invitation", data={**data, "confirm": "a long password"})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/p/{york.id}?joined=1"
    home = page_of(site.get(r.headers["location"]))
    assert "Pat Person" in home.text
    # the link works once
    page = page_of(site.get("/invitation", params={"token": token}), 409)
    assert "already accepted" in page.text


def test_someone_with_an_account_signs_in_and_accepts(  # type: ignore[no-untyped-def]
    admin: TestClient, new_visitor: Callable[[], TestClient], db: Session, york
):
    assert _invite(admin, york, name="Nora North", email=NORTH_ADMIN,
                   role="executive").status_code == 303  # fmt: skip
    token = _token(db, NORTH_ADMIN)
    visitor = new_visitor()
    here = "/invitation?token=" + token
    page = page_of(visitor.get(here))
    link = page.one("a", href=f"/sign-in?next={quote(here, safe='')}")
    assert f"Sign in as {NORTH_ADMIN}" in link.text
    assert page.find("input", name="password") is None
    r = submit_sign_in(visitor, NORTH_ADMIN, next=here)
    assert r.status_code == 303 and r.headers["location"] == here
    page = page_of(visitor.get(here))
    button = page.one("button", type="submit")
    assert button.text == "Accept the invitation"
    r = visitor.post("/invitation", data={"csrf_token": page.csrf_token(), "token": token,
                                          "existing": "yes"})  # fmt: skip
    assert r.status_code == 303, r.text
    user = db.exec(select(User).where(User.email == NORTH_ADMIN)).one()
    assert db.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.partnership_id == york.id
        )
    ).first()


def test_signed_in_as_someone_else_is_told_so(  # type: ignore[no-untyped-def]
    admin: TestClient, db: Session, york
):
    _invite(admin, york, name="Nora North", email=NORTH_ADMIN, role="executive")
    page = page_of(admin.get("/invitation", params={"token": _token(db, NORTH_ADMIN)}))
    assert f"You are signed in as {ADMIN}" in page.text


def test_a_forged_link_says_it_is_not_valid(site: TestClient) -> None:
    r = site.get("/invitation", params={"token": "forged"})
    page = page_of(r, 404)
    assert page.h1 == "This invitation cannot be used"
    assert "not valid" in page.text and r.headers["Referrer-Policy"] == "no-referrer"
    assert page_of(site.get("/invitation"), 404).h1 == "This invitation cannot be used"
