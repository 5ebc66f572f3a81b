"""People and their roles in a partnership."""

import pytest
from apikit import API, HOUSING, PASSWORD, PEOPLE, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Membership, Role, User

YORK_NAMES = [
    "Ann Approver", "Bev Business-Unit", "Ed Editor",
    "Eve Executive", "Mel Scrutineer", "Pat Panel",
]  # fmt: skip
NEW_PASSWORD = "correct horse battery"


def url(pid: int, user: int | None = None) -> str:
    return f"{API}/partnerships/{pid}/users" + (f"/{user}" if user else "")


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["name"] for u in response.json()["items"]]


def new_person(**changes):
    return {
        "email": "new.person@york.example",
        "name": "New Person",
        "password": NEW_PASSWORD,
        "roles": [{"role": "executive"}],
        **changes,
    }


def test_list_orders_people_by_name_with_their_roles(client, auth, york, agency_id):
    r = client.get(url(york.id), headers=auth("scrutineer"))
    assert names(r) == YORK_NAMES
    body = r.json()
    assert body["total"] == 6
    editor = next(u for u in body["items"] if u["name"] == "Ed Editor")
    [role] = editor["roles"]
    assert role["role"] == "agency_editor"
    assert role["agency_id"] == agency_id(HOUSING) and role["agency_name"] == HOUSING
    assert editor["email"] == PEOPLE["editor"] and editor["is_active"] is True
    assert "password" not in r.text and "password_hash" not in r.text


def test_list_pages(client, auth, york):
    admin = auth("admin")
    seen = []
    for offset in (0, 4):
        r = client.get(url(york.id), headers=admin, params={"limit": 4, "offset": offset})
        assert r.json()["total"] == 6
        seen += names(r)
    assert seen == YORK_NAMES


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "agency_editor"}, ["Ed Editor"]),
        ({"role": "partnership_admin"}, ["Bev Business-Unit"]),
        ({"agency_id": "HOUSING"}, ["Ann Approver", "Ed Editor"]),
        ({"role": "agency_approver", "agency_id": "HOUSING"}, ["Ann Approver"]),
        ({"role": "partnership_admin", "agency_id": "HOUSING"}, []),
        ({"q": "ED "}, ["Ed Editor"]),
        ({"q": "scrutineer@"}, ["Mel Scrutineer"]),
        ({"q": "york.example"}, YORK_NAMES),
        ({"q": "_"}, []),
    ],
)
def test_filters(client, auth, york, agency_id, params, expected):
    if params.get("agency_id") == "HOUSING":
        params = {**params, "agency_id": agency_id(HOUSING)}
    r = client.get(url(york.id), headers=auth("admin"), params=params)
    assert names(r) == expected
    assert r.json()["total"] == len(expected)


def test_each_partnership_lists_its_own_people(client, auth, north):
    assert names(client.get(url(north.id), headers=auth("north_admin"))) == ["Nia North"]


def test_read_gives_the_etag(client, auth, york, user_id):
    r = client.get(url(york.id, user_id("panel")), headers=auth("scrutineer"))
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Pat Panel" and [x["role"] for x in body["roles"]] == ["panel_member"]
    assert r.headers["ETag"] == f'"{body["version"]}"'


def test_a_person_of_another_partnership_is_not_found(client, auth, york, user_id):
    assert_problem(client.get(url(york.id, user_id("north_admin")), headers=auth("admin")), 404)
    assert_problem(client.get(url(york.id, user_id("platform")), headers=auth("admin")), 404)


# ---------------------------------------------------------------------------------------
# Adding people


def test_create_a_person_with_roles(client, db, auth, york, agency_id):
    events = count(db, AuditEvent)
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(
            email="New.Person@York.Example",
            roles=[
                {"role": "agency_editor", "agency_id": agency_id("Cafcass")},
                {"role": "executive"},
            ],
        ),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert body["email"] == "new.person@york.example"  # stored in lower case
    assert sorted((x["role"], x["agency_name"]) for x in body["roles"]) == [
        ("agency_editor", "Cafcass"),
        ("executive", None),
    ]
    assert client.get(url(york.id, body["id"]), headers=auth("admin")).json() == body
    # One event for the account, one per role.
    new_events = db.exec(select(AuditEvent.action).order_by(AuditEvent.id).offset(events)).all()
    assert sorted(new_events) == ["membership.create", "membership.create", "user.create"]
    # The password works, and is not what is stored.
    user = db.exec(select(User).where(User.id == body["id"])).one()
    assert NEW_PASSWORD not in user.password_hash
    signed_in = client.post(
        f"{API}/auth/token", data={"username": "new.person@york.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"roles": [{"role": "agency_editor"}]}, "roles.0"),
        ({"roles": [{"role": "executive"}, {"role": "agency_approver"}]}, "roles.1"),
        ({"roles": [{"role": "executive", "agency_id": 1}]}, "roles.0"),
        ({"roles": [{"role": "chair"}]}, "roles.0.role"),
        ({"roles": []}, "roles"),
        ({"roles": [{"role": "executive"}] * 11}, "roles"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@york.example"}, "email"),
        ({"name": ""}, "name"),
        ({"password": "short"}, "password"),
        ({"is_platform_admin": True}, "is_platform_admin"),
    ],
)
def test_create_input_is_checked(client, db, auth, york, changes, field):
    admin = auth("admin")
    users, memberships = count(db, User), count(db, Membership)
    r = client.post(url(york.id), headers=admin, json=new_person(**changes))
    assert_problem(r, 422, field=field)
    assert (count(db, User), count(db, Membership)) == (users, memberships)


def test_an_agency_role_without_an_agency_says_so(client, auth, york):
    r = client.post(
        url(york.id), headers=auth("admin"), json=new_person(roles=[{"role": "agency_editor"}])
    )
    [error] = assert_problem(r, 422)["errors"]
    assert "agency_id" in error["message"]


def test_a_new_account_needs_a_password(client, db, auth, york):
    admin = auth("admin")
    before = count(db, User)
    body = new_person()
    del body["password"]
    assert_problem(client.post(url(york.id), headers=admin, json=body), 422, field="password")
    assert count(db, User) == before


def test_adding_an_existing_email_attaches_the_roles(client, db, auth, york, user_id):
    before = count(db, User)
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(email="  EDITOR@york.example", name="Someone Else", password=None,
                        roles=[{"role": "panel_member"}]),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"] == user_id("editor") and body["name"] == "Ed Editor"  # unchanged
    assert sorted(x["role"] for x in body["roles"]) == ["agency_editor", "panel_member"]
    assert count(db, User) == before


def test_an_existing_person_keeps_their_password(client, auth, york):
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(email=PEOPLE["panel"], password="a different password",
                        roles=[{"role": "executive"}]),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    token = f"{API}/auth/token"
    assert client.post(token, data={"username": PEOPLE["panel"], "password": PASSWORD}).is_success
    bad = client.post(token, data={"username": PEOPLE["panel"], "password": "a different password"})
    assert bad.status_code == 401


def test_a_person_of_another_partnership_can_be_given_roles(client, auth, york, north, user_id):
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(email=PEOPLE["north_admin"], roles=[{"role": "scrutineer"}]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == user_id("north_admin")
    me = client.get(f"{API}/me", headers=auth("north_admin")).json()
    assert sorted(p["id"] for p in me["partnerships"]) == sorted([york.id, north.id])
    # In York, only York's roles are shown.
    assert [x["role"] for x in r.json()["roles"]] == ["scrutineer"]


def test_a_role_held_already_is_a_conflict_and_nothing_is_written(
    client, db, auth, york, agency_id
):
    admin = auth("admin")
    counts = (count(db, User), count(db, Membership), count(db, AuditEvent))
    r = client.post(
        url(york.id),
        headers=admin,
        json=new_person(email=PEOPLE["editor"], password=None,
                        roles=[{"role": "executive"},
                               {"role": "agency_editor", "agency_id": agency_id(HOUSING)}]),
    )  # fmt: skip
    assert_problem(r, 409)
    # The executive role, added before the conflict was found, was rolled back with it.
    assert (count(db, User), count(db, Membership), count(db, AuditEvent)) == counts


def test_the_same_role_twice_for_a_new_person_creates_nobody(client, db, auth, york):
    admin = auth("admin")
    counts = (count(db, User), count(db, Membership), count(db, AuditEvent))
    r = client.post(
        url(york.id),
        headers=admin,
        json=new_person(roles=[{"role": "executive"}, {"role": "executive"}]),
    )
    assert_problem(r, 409)
    assert (count(db, User), count(db, Membership), count(db, AuditEvent)) == counts


def test_an_agency_of_another_partnership_is_invalid_input(client, db, auth, york, agency_id):
    admin = auth("admin")
    before = count(db, Membership)
    r = client.post(
        url(york.id),
        headers=admin,
        json=new_person(
            roles=[{"role": "agency_editor", "agency_id": agency_id("North Yorkshire Council")}]
        ),
    )
    assert count(db, Membership) == before
    assert_problem(r, 422, field="roles.0.agency_id")


# ---------------------------------------------------------------------------------------
# Changing people and roles


def _read(client, headers, pid, user):
    r = client.get(url(pid, user), headers=headers)
    assert r.status_code == 200, r.text
    return r.json(), r.headers["ETag"]


def test_rename_needs_the_current_etag(client, db, auth, york, user_id):
    admin, panel = auth("admin"), user_id("panel")
    before, etag = _read(client, admin, york.id, panel)
    assert_problem(client.patch(url(york.id, panel), headers=admin, json={"name": "P"}), 428)
    stale = {**admin, "If-Match": '"99"'}
    assert_problem(client.patch(url(york.id, panel), headers=stale, json={"name": "P"}), 412)
    assert _read(client, admin, york.id, panel) == (before, etag)
    r = client.patch(
        url(york.id, panel), headers={**admin, "If-Match": etag}, json={"name": "Pat Panel-Member"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Pat Panel-Member" and body["version"] == before["version"] + 1
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert db.exec(select(User.name).where(User.id == panel)).one() == "Pat Panel-Member"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x", "email": "x@y.example"}, "email")],
)
def test_rename_input_is_checked(client, auth, york, user_id, body, field):
    admin, panel = auth("admin"), user_id("panel")
    before, etag = _read(client, admin, york.id, panel)
    r = client.patch(url(york.id, panel), headers={**admin, "If-Match": etag}, json=body)
    assert_problem(r, 422, field=field)
    assert _read(client, admin, york.id, panel) == (before, etag)


def test_add_and_remove_a_role(client, db, auth, york, user_id):
    admin, panel = auth("admin"), user_id("panel")
    r = client.post(f"{url(york.id, panel)}/roles", headers=admin, json={"role": "scrutineer"})
    assert r.status_code == 201, r.text
    added = next(x for x in r.json()["roles"] if x["role"] == "scrutineer")
    assert_problem(
        client.post(f"{url(york.id, panel)}/roles", headers=admin, json={"role": "scrutineer"}),
        409,
    )
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{added['membership_id']}", headers=admin)
    assert r.status_code == 204 and r.content == b""
    assert (
        db.exec(select(Membership).where(Membership.id == added["membership_id"])).first() is None
    )
    roles = _read(client, admin, york.id, panel)[0]["roles"]
    assert [x["role"] for x in roles] == ["panel_member"]
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{added['membership_id']}", headers=admin)
    assert_problem(r, 404)


def test_removing_someones_only_role_takes_them_out_of_the_partnership(
    client, auth, york, user_id, membership_id
):
    admin = auth("admin")
    r = client.delete(
        f"{API}/partnerships/{york.id}/roles/{membership_id('executive')}", headers=admin
    )
    assert r.status_code == 204
    assert "Eve Executive" not in names(client.get(url(york.id), headers=admin))
    assert_problem(client.get(url(york.id, user_id("executive")), headers=admin), 404)
    # …and with it their access.
    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=auth("executive")), 404)


def test_the_last_partnership_admin_cannot_be_removed(client, db, auth, york, membership_id):
    admin = auth("admin")
    only_admin = membership_id("admin")
    events = count(db, AuditEvent)
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{only_admin}", headers=admin)
    assert_problem(r, 409)
    assert (
        db.exec(select(Membership).where(Membership.id == only_admin)).one().role
        == Role.partnership_admin
    )
    assert count(db, AuditEvent) == events


def test_an_admin_can_be_removed_while_another_remains(client, auth, york, user_id, membership_id):
    admin = auth("admin")
    r = client.post(
        f"{url(york.id, user_id('scrutineer'))}/roles",
        headers=admin,
        json={"role": "partnership_admin"},
    )
    assert r.status_code == 201
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{membership_id('admin')}", headers=admin)
    assert r.status_code == 204, r.text
    # Bev is no longer an admin (nor a member): her token no longer reaches York.
    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=admin), 404)
    # The remaining admin cannot now be removed.
    scrutineer_admin = next(
        x["membership_id"]
        for x in client.get(url(york.id, user_id("scrutineer")), headers=auth("scrutineer")).json()[
            "roles"
        ]
        if x["role"] == "partnership_admin"
    )
    r = client.delete(
        f"{API}/partnerships/{york.id}/roles/{scrutineer_admin}", headers=auth("scrutineer")
    )
    assert_problem(r, 409)
