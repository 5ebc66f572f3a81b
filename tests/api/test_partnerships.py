"""Partnerships: who sees which, creation by platform admins, and updates with If-Match."""

import pytest
from apikit import API, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Membership, Partnership, Role

URL = f"{API}/partnerships"


@pytest.mark.parametrize(
    ("who", "slugs"),
    [
        ("admin", ["york"]),
        ("editor", ["york"]),
        ("scrutineer", ["york"]),
        ("north_admin", ["north-yorkshire"]),
        ("platform", []),
    ],
)
def test_people_see_only_their_partnerships(client, auth, who, slugs):
    r = client.get(URL, headers=auth(who))
    assert r.status_code == 200
    body = r.json()
    assert [p["slug"] for p in body["items"]] == slugs
    assert body["total"] == len(slugs)
    assert (body["limit"], body["offset"]) == (20, 0)


def test_a_service_token_sees_its_partnership(client, service_token):
    headers, _ = service_token(["read"])
    assert [p["slug"] for p in client.get(URL, headers=headers).json()["items"]] == ["york"]


def test_partnership_list_pages_by_name(client, auth):
    platform = auth("platform")
    for slug, name in [("c-p", "Charlie"), ("a-p", "Alpha"), ("b-p", "Bravo")]:
        assert (
            client.post(URL, headers=platform, json={"slug": slug, "name": name}).status_code == 201
        )
    first = client.get(URL, headers=platform, params={"limit": 2}).json()
    assert [p["name"] for p in first["items"]] == ["Alpha", "Bravo"]
    assert first["total"] == 3
    rest = client.get(URL, headers=platform, params={"limit": 2, "offset": 2}).json()
    assert [p["name"] for p in rest["items"]] == ["Charlie"]
    assert rest["total"] == 3 and rest["offset"] == 2
    beyond = client.get(URL, headers=platform, params={"offset": 10}).json()
    assert beyond["items"] == [] and beyond["total"] == 3


def test_platform_admin_creates_a_partnership_and_becomes_its_admin(client, db, auth, user_id):
    platform = auth("platform")
    r = client.post(
        URL,
        headers=platform,
        json={
            "slug": "leeds",
            "name": "  Leeds Safeguarding Children Partnership ",
            "area": "Leeds",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == '"1"'
    assert body["slug"] == "leeds" and body["area"] == "Leeds" and body["version"] == 1
    assert body["name"] == "Leeds Safeguarding Children Partnership"  # trimmed
    [membership] = db.exec(select(Membership).where(Membership.partnership_id == body["id"])).all()
    assert membership.user_id == user_id("platform")
    assert membership.role == Role.partnership_admin and membership.agency_id is None
    # As its admin, the creator now reaches it and its people.
    assert client.get(f"{URL}/{body['id']}", headers=platform).status_code == 200
    users = client.get(f"{URL}/{body['id']}/users", headers=platform).json()["items"]
    assert [(u["email"], [x["role"] for x in u["roles"]]) for u in users] == [
        ("platform@assure.example", ["partnership_admin"])
    ]
    assert [p["slug"] for p in client.get(URL, headers=platform).json()["items"]] == ["leeds"]
    # York's people cannot.
    assert_problem(client.get(f"{URL}/{body['id']}", headers=auth("admin")), 404)


def test_only_platform_admins_create_partnerships(client, db, auth, service_token):
    before = count(db, Partnership)
    headers, _ = service_token()
    for who in (auth("admin"), auth("north_admin"), headers):
        r = client.post(URL, headers=who, json={"slug": "sneaky", "name": "Sneaky"})
        assert_problem(r, 403)
    assert count(db, Partnership) == before


def test_a_taken_slug_is_a_conflict(client, db, auth):
    before = count(db, Partnership)
    r = client.post(URL, headers=auth("platform"), json={"slug": "york", "name": "Another York"})
    assert_problem(r, 409)
    assert count(db, Partnership) == before
    assert count(db, AuditEvent, AuditEvent.action == "partnership.create") == 2  # the demo's


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "York", "name": "x"}, "slug"),
        ({"slug": "-york", "name": "x"}, "slug"),
        ({"slug": "y", "name": "x"}, "slug"),
        ({"slug": "a_b", "name": "x"}, "slug"),
        ({"slug": "a" * 64, "name": "x"}, "slug"),
        ({"slug": "leeds", "name": ""}, "name"),
        ({"slug": "leeds", "name": "   "}, "name"),
        ({"slug": "leeds", "name": "x" * 201}, "name"),
        ({"slug": "leeds", "name": "x", "area": "y" * 201}, "area"),
        ({"slug": "leeds"}, "name"),
        ({"slug": "leeds", "name": "x", "id": 5}, "id"),
    ],
)
def test_partnership_input_is_checked(client, db, auth, body, field):
    platform = auth("platform")
    before = count(db, Partnership)
    assert_problem(client.post(URL, headers=platform, json=body), 422, field=field)
    assert count(db, Partnership) == before


def test_reading_a_partnership_gives_its_etag(client, auth, york):
    r = client.get(f"{URL}/{york.id}", headers=auth("executive"))
    assert r.status_code == 200
    body = r.json()
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert body["slug"] == "york" and body["area"] == "City of York"


def _read(client, headers, pid):
    r = client.get(f"{URL}/{pid}", headers=headers)
    return r.json(), r.headers["ETag"]


def test_update_needs_if_match(client, auth, york):
    admin = auth("admin")
    before, _ = _read(client, admin, york.id)
    r = client.patch(f"{URL}/{york.id}", headers=admin, json={"name": "Renamed"})
    assert_problem(r, 428)
    assert _read(client, admin, york.id)[0] == before


def test_update_with_a_stale_etag_changes_nothing(client, db, auth, york):
    admin = auth("admin")
    before, etag = _read(client, admin, york.id)
    events = count(db, AuditEvent)
    stale = f'"{before["version"] + 7}"'
    r = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": stale}, json={"name": "Renamed"}
    )
    assert_problem(r, 412)
    assert _read(client, admin, york.id) == (before, etag)
    assert count(db, AuditEvent) == events


def test_update_with_the_current_etag(client, auth, york):
    admin = auth("admin")
    before, etag = _read(client, admin, york.id)
    r = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": etag}, json={"name": "York SCP"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "York SCP" and body["area"] == "City of York"
    assert body["version"] == before["version"] + 1
    assert r.headers["ETag"] == f'"{body["version"]}"' != etag
    assert _read(client, admin, york.id) == (body, r.headers["ETag"])
    # The ETag read before the change is now stale.
    again = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": etag}, json={"name": "x"}
    )
    assert_problem(again, 412)


@pytest.mark.parametrize("form", ['"0", {tag}', "*"])
def test_if_match_accepts_lists_and_star(client, auth, york, form):
    admin = auth("admin")
    _, etag = _read(client, admin, york.id)
    r = client.patch(
        f"{URL}/{york.id}",
        headers={**admin, "If-Match": form.format(tag=etag)},
        json={"area": "York"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["area"] == "York"


def test_if_match_compares_strongly(client, auth, york):
    """A weak validator never matches If-Match (RFC 9110, 13.1.1)."""
    admin = auth("admin")
    _, etag = _read(client, admin, york.id)
    r = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": f"W/{etag}"}, json={"area": "York"}
    )
    assert_problem(r, 412)


def test_a_patch_that_changes_nothing_makes_no_version_and_no_event(client, db, auth, york):
    admin = auth("admin")
    body, etag = _read(client, admin, york.id)
    events = count(db, AuditEvent)
    r = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": etag}, json={"name": body["name"]}
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == etag and r.json()["version"] == body["version"]
    assert count(db, AuditEvent) == events


def test_area_can_be_cleared_but_name_cannot(client, auth, york):
    admin = auth("admin")
    _, etag = _read(client, admin, york.id)
    r = client.patch(
        f"{URL}/{york.id}", headers={**admin, "If-Match": etag}, json={"area": None, "name": None}
    )
    assert r.status_code == 200, r.text
    assert r.json()["area"] is None
    assert r.json()["name"] == "City of York Safeguarding Children Partnership"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({"slug": "new-york"}, "slug"), ({"area": "x" * 201}, "area")],
)
def test_update_input_is_checked(client, auth, york, body, field):
    admin = auth("admin")
    before, etag = _read(client, admin, york.id)
    r = client.patch(f"{URL}/{york.id}", headers={**admin, "If-Match": etag}, json=body)
    assert_problem(r, 422, field=field)
    assert _read(client, admin, york.id) == (before, etag)
