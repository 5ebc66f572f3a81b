"""A person's page (roles given and taken away, deactivation and reactivation, each
confirmed on its own page) and the service tokens page, as plain forms without JavaScript."""

from sqlmodel import Session, select
from test_pages import assert_accessible_page
from websupport import ADMIN, EXECUTIVE, SCRUTINEER, count, page_of

from api.models import ApiToken, Deactivation, Membership, Partnership, Role, TokenKind, User


def _york(db: Session) -> int:
    return int(db.exec(select(Partnership.id).where(Partnership.slug == "york")).one())


def _user(db: Session, email: str) -> int:
    return int(db.exec(select(User.id).where(User.email == email)).one())


def _press(client, page, button_text: str):  # type: ignore[no-untyped-def]
    button = next(b for b in page.root.find_all("button") if b.text == button_text)
    url, data = page.pressing(button)
    return client.post(url, data=data)


def test_the_people_list_links_each_person(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, EXECUTIVE)
    page = page_of(visitor_as(ADMIN).get(f"/p/{pid}/people"))
    assert f"/p/{pid}/people/{uid}" in {a.get("href") for a in page.root.find_all("a")}


def test_a_person_page_shows_their_roles_and_gives_one(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, EXECUTIVE)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(f"/p/{pid}/people/{uid}"))
    assert_accessible_page(page)
    assert page.h1 == "Eve Executive"
    text = page.one("main").text
    assert EXECUTIVE in text and "Executive" in text and "Active" in text
    roles = [o.get("value") for o in page.one("select", name="role").find_all("option")]
    assert roles == ["", *[r.value for r in Role]]  # an admin may give every role

    # An agency role without an agency: the API's refusal, shown by the field.
    url = f"/p/{pid}/people/{uid}/roles"
    r = admin.post(url, data={"csrf_token": page.csrf_token(), "role": "agency_editor"})
    refused = page_of(r, 422)
    assert refused.error_summary() is not None
    assert "agency" in refused.error_summary().text.lower()

    r = admin.post(url, data={"csrf_token": page.csrf_token(), "role": "scrutineer"})
    assert r.status_code == 303
    assert count(db, Membership, Membership.user_id == uid, Membership.role == Role.scrutineer)
    after = page_of(admin.get(r.headers["location"]))
    assert "Independent scrutineer" in after.one("table").text


def test_a_role_is_taken_away_after_a_confirmation(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, EXECUTIVE)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(f"/p/{pid}/people/{uid}"))
    link = next(a for a in page.root.find_all("a") if a.text.startswith("Take away"))
    confirm = page_of(admin.get(link["href"]))
    assert_accessible_page(confirm)
    assert confirm.h1 == "Take away Eve Executive's role?"
    assert count(db, Membership, Membership.user_id == uid) == 1  # nothing yet
    r = _press(admin, confirm, "Take the role away")
    assert r.status_code == 303
    assert count(db, Membership, Membership.user_id == uid) == 0


def test_the_last_admin_is_told_inline(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, ADMIN)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(f"/p/{pid}/people/{uid}"))
    link = next(a for a in page.root.find_all("a") if a.text.startswith("Take away"))
    r = _press(admin, page_of(admin.get(link["href"])), "Take the role away")
    refused = page_of(r, 409)
    assert refused.error_summary() is not None
    assert "at least one active partnership admin" in refused.error_summary().text
    # Deactivating oneself: refused inline too.
    r = _press(admin, page_of(admin.get(f"/p/{pid}/people/{uid}/deactivate")), "Deactivate")
    assert "cannot deactivate yourself" in page_of(r, 409).error_summary().text
    assert count(db, Deactivation) == 0


def test_deactivate_and_reactivate_with_confirmation(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, SCRUTINEER)
    admin, scrutineer = visitor_as(ADMIN), visitor_as(SCRUTINEER)
    page = page_of(admin.get(f"/p/{pid}/people/{uid}"))
    link = next(a for a in page.root.find_all("a") if a.text.startswith("Deactivate"))
    confirm = page_of(admin.get(link["href"]))
    assert_accessible_page(confirm)
    assert "lose access" in confirm.one("main").text
    r = _press(admin, confirm, "Deactivate")
    assert r.status_code == 303
    shown = page_of(admin.get(r.headers["location"]))
    assert "Deactivated" in shown.one("dl").text
    # The scrutineer's own pages of York are gone at once.
    assert scrutineer.get(f"/p/{pid}/people").status_code == 404

    confirm = page_of(admin.get(f"/p/{pid}/people/{uid}/reactivate"))
    r = _press(admin, confirm, "Reactivate")
    assert r.status_code == 303
    assert count(db, Deactivation) == 0
    assert scrutineer.get(f"/p/{pid}/people").status_code == 200


def test_those_who_do_not_manage_people_see_no_forms(visitor_as, db) -> None:
    pid, uid = _york(db), _user(db, EXECUTIVE)
    scrutineer = visitor_as(SCRUTINEER)  # reads people, manages none
    page = page_of(scrutineer.get(f"/p/{pid}/people/{uid}"))
    assert page.root.find_all("form", method="post") == [] or all(
        "/people/" not in (f.get("action") or "") for f in page.root.find_all("form")
    )
    assert not [a for a in page.root.find_all("a") if a.text.startswith(("Deactivate", "Take"))]
    executive = visitor_as(EXECUTIVE)  # reads no people at all
    assert executive.get(f"/p/{pid}/people/{uid}").status_code == 403


def test_the_service_tokens_page_issues_a_token_shown_once(visitor_as, db) -> None:
    pid = _york(db)
    admin = visitor_as(ADMIN)
    home = page_of(admin.get(f"/p/{pid}"))
    assert f"/p/{pid}/service-tokens" in {a.get("href") for a in home.root.find_all("a")}
    page = page_of(admin.get(f"/p/{pid}/service-tokens"))
    assert_accessible_page(page)
    boxes = page.root.find_all("input", type="checkbox")
    assert "read" in {b.get("value") for b in boxes}
    assert "Read every agency's return" in page.one("main").text  # each scope described

    # No scope chosen: said by the field.
    r = admin.post(
        f"/p/{pid}/service-tokens",
        data={"csrf_token": page.csrf_token(), "name": "Case system", "expires_in_days": "30"},
    )
    assert page_of(r, 422).field_error("scopes")

    r = admin.post(
        f"/p/{pid}/service-tokens",
        data={"csrf_token": page.csrf_token(), "name": "Case system",
              "scopes": ["read", "returns:read"], "expires_in_days": "30"},
    )  # fmt: skip
    issued = page_of(r, 201)
    assert r.headers["Cache-Control"] == "no-store"
    assert "only time it is shown" in issued.one("main").text
    token = issued.one("input", id="token")["value"]
    assert len(token) > 30
    row = db.exec(
        select(ApiToken).where(ApiToken.name == "Case system", ApiToken.kind == TokenKind.service)
    ).one()
    assert sorted(row.scopes) == ["read", "returns:read"]
    listed = page_of(admin.get(f"/p/{pid}/service-tokens"))
    assert "Case system" in listed.one("table").text and token not in listed.text
    assert "Never" in listed.one("table").text


def test_a_token_is_revoked_after_a_confirmation(visitor_as, db) -> None:
    pid = _york(db)
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(f"/p/{pid}/service-tokens"))
    admin.post(
        f"/p/{pid}/service-tokens",
        data={"csrf_token": page.csrf_token(), "name": "Old system", "scopes": ["read"],
              "expires_in_days": "30"},
    )  # fmt: skip
    page = page_of(admin.get(f"/p/{pid}/service-tokens"))
    link = next(a for a in page.root.find_all("a") if "Old system" in a.text)
    confirm = page_of(admin.get(link["href"]))
    assert_accessible_page(confirm)
    row = db.exec(select(ApiToken).where(ApiToken.name == "Old system")).one()
    assert row.revoked_at is None
    r = _press(admin, confirm, "Revoke the token")
    assert r.status_code == 303
    db.refresh(row)
    assert row.revoked_at is not None


def test_others_see_neither_the_link_nor_the_page(visitor_as, db) -> None:
    pid = _york(db)
    scrutineer = visitor_as(SCRUTINEER)
    home = page_of(scrutineer.get(f"/p/{pid}"))
    assert f"/p/{pid}/service-tokens" not in {a.get("href") for a in home.root.find_all("a")}
    assert scrutineer.get(f"/p/{pid}/service-tokens").status_code == 403
    assert scrutineer.get(f"/p/{pid}/service-tokens/1/revoke").status_code == 403
