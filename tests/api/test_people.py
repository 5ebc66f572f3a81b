"""People and their roles in a partnership."""

import pytest
from apikit import API, HOUSING, PASSWORD, PEOPLE, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Membership, Role, User

YORK_NAMES = [
    "Alex Shah", "Ann Approver", "Bev Business-Unit", "Ed Editor",
    "Eve Executive", "Mel Scrutineer", "Pat Panel", "Sam Reid",
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
    assert body["total"] == 8
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
        assert r.json()["total"] == 8
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


def _refused(response) -> dict:
    """The email-unavailable problem, with nothing of any account in it."""
    body = assert_problem(response, 409)
    assert body["type"] == "urn:assure:problem:email-unavailable"
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    return body


@pytest.mark.parametrize(
    "email",
    ["  EDITOR@york.example", PEOPLE["north_admin"], PEOPLE["platform"], PEOPLE["admin"]],
    ids=["a member here", "a person elsewhere", "a platform admin", "oneself"],
)
def test_an_email_with_an_account_is_refused_alike_and_nothing_changes(
    client, db, auth, york, email
):
    """Whoever has the account, and wherever, the answer is one and the same, and says
    nothing of them: no name, id or date; their account, password and roles are untouched."""
    counts = (count(db, User), count(db, Membership), count(db, AuditEvent))
    accounts = [(u.id, u.email, u.name, u.version, u.password_hash) for u in db.exec(select(User))]
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(email=email, name="Someone Else", password="a different password",
                        roles=[{"role": "scrutineer"}]),
    )  # fmt: skip
    body = _refused(r)
    assert "Someone Else" not in r.text and email.strip().lower() not in r.text.lower()
    for name in YORK_NAMES + ["Nia North", "Pip Platform"]:
        assert name not in r.text
    assert (count(db, User), count(db, Membership), count(db, AuditEvent)) == counts
    db.expire_all()
    after = [(u.id, u.email, u.name, u.version, u.password_hash) for u in db.exec(select(User))]
    assert after == accounts
    # The same words for every reason.
    other = client.post(url(york.id), headers=auth("admin"), json=new_person(email=PEOPLE["panel"]))
    assert _refused(other) == body
    token = f"{API}/auth/token"
    assert client.post(token, data={"username": email.strip(), "password": PASSWORD}).is_success


def test_a_person_of_another_partnership_is_neither_added_nor_shown(
    client, db, auth, york, north, user_id
):
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json=new_person(email=PEOPLE["north_admin"], roles=[{"role": "scrutineer"}]),
    )
    _refused(r)
    me = client.get(f"{API}/me", headers=auth("north_admin")).json()
    assert [p["id"] for p in me["partnerships"]] == [north.id]
    assert_problem(client.get(url(york.id, user_id("north_admin")), headers=auth("admin")), 404)
    listed = client.get(url(york.id), headers=auth("admin"), params={"q": "northyorkshire"})
    assert names(listed) == []


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


ME = f"{API}/me"


def _me(client, headers):
    r = client.get(ME, headers=headers)
    assert r.status_code == 200, r.text
    return r.json(), r.headers["ETag"]


def test_a_person_renames_themselves_with_the_current_etag(client, db, auth, user_id):
    panel = auth("panel")
    before, etag = _me(client, panel)
    assert etag == f'"{before["version"]}"'
    assert_problem(client.patch(ME, headers=panel, json={"name": "P"}), 428)
    stale = {**panel, "If-Match": '"99"'}
    assert_problem(client.patch(ME, headers=stale, json={"name": "P"}), 412)
    assert _me(client, panel) == (before, etag)
    r = client.patch(ME, headers={**panel, "If-Match": etag}, json={"name": "Pat Panel-Member"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Pat Panel-Member" and body["version"] == before["version"] + 1
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert db.exec(select(User.name).where(User.id == user_id("panel"))).one() == body["name"]


def test_a_partnership_no_longer_renames_its_people(api_app):
    """Only roles belong to a partnership: no route of it changes a person's account."""
    paths = api_app.openapi()["paths"]
    assert "patch" not in paths[f"{API}/partnerships/{{partnership_id}}/users/{{user_id}}"]


def test_each_partnership_of_the_person_records_their_change(
    client, db, auth, york, north, user_id
):
    nia = user_id("north_admin")
    db.add(Membership(user_id=nia, partnership_id=york.id, role=Role.executive))
    db.commit()
    headers = auth("north_admin")
    _, etag = _me(client, headers)
    r = client.patch(ME, headers={**headers, "If-Match": etag}, json={"name": "Nia Northern"})
    assert r.status_code == 200, r.text
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "user.update", AuditEvent.entity_id == nia)
    ).all()
    assert sorted(e.partnership_id for e in events) == sorted([york.id, north.id])
    assert {(e.before["name"], e.after["name"]) for e in events} == {("Nia North", "Nia Northern")}
    york_log = client.get(f"{API}/partnerships/{york.id}/audit-events", headers=auth("admin"))
    assert "Nia Northern" in york_log.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "x@y.example"}, "current_password"),
        ({"password": "another long password"}, "current_password"),
        ({"password": "another long password", "current_password": "wrong"}, "current_password"),
        ({"password": "short", "current_password": PASSWORD}, "password"),
        ({"email": "not-an-email", "current_password": PASSWORD}, "email"),
        ({"is_platform_admin": True}, "is_platform_admin"),
    ],
)
def test_own_changes_are_checked(client, db, auth, body, field):
    panel = auth("panel")
    before, etag = _me(client, panel)
    events = count(db, AuditEvent)
    r = client.patch(ME, headers={**panel, "If-Match": etag}, json=body)
    assert_problem(r, 422, field=field)
    assert _me(client, panel) == (before, etag)
    assert count(db, AuditEvent) == events


def test_a_new_password_signs_in_and_ends_the_other_sign_ins(client, db, auth):
    email, new = PEOPLE["panel"], "a brand new password"
    token = f"{API}/auth/token"
    other = client.post(token, data={"username": email, "password": PASSWORD}).json()
    panel = auth("panel")
    _, etag = _me(client, panel)
    r = client.patch(
        ME,
        headers={**panel, "If-Match": etag},
        json={"password": new, "current_password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert client.get(ME, headers=panel).status_code == 200  # this sign-in goes on
    stale = {"Authorization": f"Bearer {other['access_token']}"}
    assert_problem(client.get(ME, headers=stale), 401)
    assert client.post(token, data={"username": email, "password": new}).is_success
    assert_problem(client.post(token, data={"username": email, "password": PASSWORD}), 401)
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "user.update")).all()
    assert event.after["password_changed"] is True
    assert "password_hash" not in event.after and new not in str(event.after)


def test_a_new_email_needs_to_be_free_and_is_refused_alike(client, db, auth):
    panel = auth("panel")
    _, etag = _me(client, panel)
    taken = client.patch(
        ME,
        headers={**panel, "If-Match": etag},
        json={"email": PEOPLE["north_admin"], "current_password": PASSWORD},
    )
    _refused(taken)
    r = client.patch(
        ME,
        headers={**panel, "If-Match": etag},
        json={"email": "Pat@York.Example", "current_password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "pat@york.example"


def test_a_service_token_has_no_account_to_change(client, service_token):
    headers, _ = service_token()
    r = client.patch(ME, headers={**headers, "If-Match": '"1"'}, json={"name": "Me"})
    assert_problem(r, 403)


def test_a_platform_admin_changes_an_account(client, db, auth, york, user_id):
    platform, panel = auth("platform"), user_id("panel")
    read = client.get(f"{API}/users/{panel}", headers=platform)
    assert read.status_code == 200, read.text
    assert read.json()["name"] == "Pat Panel" and "password" not in read.text
    r = client.patch(
        f"{API}/users/{panel}",
        headers={**platform, "If-Match": read.headers["ETag"]},
        json={"name": "Pat Panel", "password": "reset by the platform"},
    )
    assert r.status_code == 200, r.text
    token = f"{API}/auth/token"
    assert client.post(
        token, data={"username": PEOPLE["panel"], "password": "reset by the platform"}
    ).is_success
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "user.update")).all()
    assert event.partnership_id == york.id and event.actor_user_id == user_id("platform")
    for who in ("admin", "north_admin", "panel"):
        assert_problem(client.get(f"{API}/users/{panel}", headers=auth(who)), 403)


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


# The password policy (api/passwords.py) holds on every route that sets a password.
REFUSED_PASSWORDS = [
    ("short pass", "at least 15 characters"),
    ("x" * 129, "at most 128 characters"),
    ("passwordpassword", "too easy to guess"),
    ("1234567890123456", "too easy to guess"),
]


def _says(response, field: str, words: str) -> None:
    [error] = assert_problem(response, 422, field=field)["errors"]
    assert words in error["message"], error


@pytest.mark.parametrize(("password", "says"), REFUSED_PASSWORDS)
def test_the_password_policy_holds_for_a_new_account(client, db, auth, york, password, says):
    before = count(db, User)
    r = client.post(url(york.id), headers=auth("admin"), json=new_person(password=password))
    _says(r, "password", says)
    r = client.post(
        url(york.id), headers=auth("admin"), json=new_person(password="new.person@york.example")
    )
    _says(r, "password", "must not be your email")
    assert count(db, User) == before


@pytest.mark.parametrize(("password", "says"), REFUSED_PASSWORDS)
def test_the_password_policy_holds_for_your_own_change(client, db, auth, password, says):
    panel = auth("panel")
    before, etag = _me(client, panel)
    r = client.patch(
        ME,
        headers={**panel, "If-Match": etag},
        json={"password": password, "current_password": PASSWORD},
    )
    _says(r, "password", says)
    assert _me(client, panel) == (before, etag)


@pytest.mark.parametrize(("password", "says"), REFUSED_PASSWORDS)
def test_the_password_policy_holds_for_a_platform_admins_change(
    client, db, auth, user_id, password, says
):
    platform, panel = auth("platform"), user_id("panel")
    read = client.get(f"{API}/users/{panel}", headers=platform)
    r = client.patch(
        f"{API}/users/{panel}",
        headers={**platform, "If-Match": read.headers["ETag"]},
        json={"password": password},
    )
    _says(r, "password", says)
    assert (
        client.get(f"{API}/users/{panel}", headers=platform).headers["ETag"] == read.headers["ETag"]
    )


def test_passwords_set_before_the_policy_still_sign_in(client):
    """The policy applies when a password is set; the demo's passwords go on working."""
    r = client.post(f"{API}/auth/token", data={"username": PEOPLE["panel"], "password": PASSWORD})
    assert r.is_success, r.text
