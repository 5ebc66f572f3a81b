"""Signing in and out, throttling, token storage, /me, and service tokens."""

from datetime import datetime, timedelta

import pytest
from apikit import API, HOUSING, PASSWORD, PEOPLE, assert_problem, count, framework_doc
from sqlalchemy import update
from sqlmodel import col, select

from api.models import ApiToken, AuditEvent, Membership, SignInFailure, TokenKind, User
from api.models.base import utcnow
from api.permissions import SCOPES, Permission
from api.security import token_digest
from api.settings import get_settings

TOKEN_URL = f"{API}/auth/token"


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post(TOKEN_URL, data={"username": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_in_issues_a_bearer_token_that_works(client):
    r = sign_in(client, PEOPLE["admin"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().token_ttl_minutes * 60
    me = client.get(f"{API}/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == PEOPLE["admin"]


def test_sign_in_ignores_case_and_spaces_in_the_email(client):
    r = sign_in(client, "  Admin@York.EXAMPLE ")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("email", "password"),
    [(PEOPLE["admin"], "not-the-password"), ("nobody@york.example", PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_failed_sign_in_is_401_and_says_the_same_either_way(client, db, email, password):
    before = count(db, SignInFailure)
    r = sign_in(client, email, password)
    body = assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert body["detail"] == "The email or password is not right."
    assert "access_token" not in r.text
    assert count(db, SignInFailure) == before + 1  # kept although the request failed
    assert count(db, ApiToken, ApiToken.kind == TokenKind.session, ApiToken.name == "sign-in") == 0


def test_sign_in_needs_both_fields(client):
    assert_problem(
        client.post(TOKEN_URL, data={"username": PEOPLE["admin"]}), 422, field="password"
    )
    assert_problem(client.post(TOKEN_URL, json={"username": "a", "password": "b"}), 422)


def test_sixth_attempt_after_five_failures_is_throttled_even_with_the_right_password(client, db):
    email = PEOPLE["editor"]
    assert get_settings().sign_in_max_failures == 5
    for _ in range(5):
        assert sign_in(client, email, "wrong password").status_code == 401
    failures = db.exec(select(SignInFailure).where(SignInFailure.email == email)).all()
    assert len(failures) == 5  # each failed request committed its failure
    r = sign_in(client, email)
    assert_problem(r, 429)
    window = get_settings().sign_in_window_minutes * 60
    assert 1 <= int(r.headers["Retry-After"]) <= window + 1
    assert "access_token" not in r.text
    # Throttling is per email: someone else still signs in.
    assert sign_in(client, PEOPLE["approver"]).status_code == 200
    # The lock-out does not grow while it holds, and no token was issued.
    assert count(db, SignInFailure, SignInFailure.email == email) == 5
    assert count(db, ApiToken, ApiToken.name == "sign-in") == 1


def test_throttling_ends_when_the_failures_leave_the_window(client, db):
    email = PEOPLE["editor"]
    for _ in range(5):
        sign_in(client, email, "wrong password")
    window = timedelta(minutes=get_settings().sign_in_window_minutes)
    db.execute(
        update(SignInFailure)
        .where(col(SignInFailure.email) == email)
        .values(failed_at=utcnow() - window - timedelta(seconds=5))
    )
    db.commit()
    assert sign_in(client, email).status_code == 200
    assert count(db, SignInFailure, SignInFailure.email == email) == 0  # success forgets them


def test_failures_are_counted_for_unknown_emails_too(client):
    for _ in range(5):
        sign_in(client, "nobody@york.example", "x")
    assert_problem(sign_in(client, "nobody@york.example", "x"), 429)


def test_sign_out_revokes_the_token(client, db):
    token = sign_in(client, PEOPLE["scrutineer"]).json()["access_token"]
    other = sign_in(client, PEOPLE["scrutineer"]).json()["access_token"]
    r = client.post(f"{API}/auth/revoke", headers=bearer(token))
    assert r.status_code == 204
    assert r.content == b""
    r = client.get(f"{API}/me", headers=bearer(token))
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).one()
    assert row.revoked_at is not None
    # Only that token: the same person's other sign-in still works.
    assert client.get(f"{API}/me", headers=bearer(other)).status_code == 200
    # Signing out twice: the revoked token is no longer accepted at all.
    assert_problem(client.post(f"{API}/auth/revoke", headers=bearer(token)), 401)


def test_expired_token_is_refused(client, db, auth):
    headers = auth("admin")
    token = headers["Authorization"].removeprefix("Bearer ")
    db.execute(
        update(ApiToken)
        .where(col(ApiToken.token_hash) == token_digest(token))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    assert_problem(client.get(f"{API}/me", headers=headers), 401)


def test_token_of_a_deactivated_person_is_refused(client, db, auth):
    headers = auth("executive")
    db.execute(update(User).where(col(User.email) == PEOPLE["executive"]).values(is_active=False))
    db.commit()
    assert_problem(client.get(f"{API}/me", headers=headers), 401)
    assert_problem(sign_in(client, PEOPLE["executive"]), 401)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "bearer" + " x" * 3],
)
def test_missing_or_bad_credentials_are_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    r = client.get(f"{API}/me", headers=headers)
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_tokens_are_stored_only_as_their_hash(client, db, user_id):
    token = sign_in(client, PEOPLE["panel"]).json()["access_token"]
    rows = db.exec(select(ApiToken).where(ApiToken.user_id == user_id("panel"))).all()
    assert [r.token_hash for r in rows] == [token_digest(token)]
    assert all(token not in str(_columns(r)) for r in rows)
    assert count(db, ApiToken, ApiToken.token_hash == token) == 0
    assert token not in str([_columns(e) for e in db.exec(select(AuditEvent)).all()])


def _columns(row) -> dict:
    return {c.name: getattr(row, c.name) for c in type(row).__table__.columns}


# ---------------------------------------------------------------------------------------
# /me


def test_me_for_an_agency_editor(client, auth, york, agency_id, user_id):
    r = client.get(f"{API}/me", headers=auth("editor"))
    assert r.status_code == 200
    body = r.json()
    [membership] = body["memberships"]
    assert membership.pop("id") > 0
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert body == {
        "id": user_id("editor"),
        "version": body["version"],
        "name": "Ed Editor",
        "email": PEOPLE["editor"],
        "is_platform_admin": False,
        "service_partnership_id": None,
        "scopes": [],
        "memberships": [membership],
        "partnerships": [
            {
                "id": york.id,
                "slug": "york",
                "name": "City of York Safeguarding Children Partnership",
                "roles": ["agency_editor"],
                "actions": ["read"],
                "returns_seen": "own_agencies",
                "grantable_roles": [],
            }
        ],
    }
    assert membership == {
        "partnership_id": york.id,
        "partnership_name": "City of York Safeguarding Children Partnership",
        "role": "agency_editor",
        "agency_id": agency_id(HOUSING),
        "agency_name": HOUSING,
    }


@pytest.mark.parametrize(
    ("who", "actions"),
    [
        (
            "admin",
            sorted(a.value for a in Permission if a not in {Permission.answer_returns, "sign_off"}),
        ),
        (
            "scrutineer",
            [
                "manage_challenge",
                "read",
                "read_audit",
                "read_challenge",
                "read_compliance",
                "read_drafts",
                "read_people",
                "read_returns",
            ],  # fmt: skip
        ),
        ("panel", ["read", "read_compliance"]),
        ("executive", ["read", "read_challenge", "read_compliance"]),
        ("approver", ["read"]),
    ],
)
def test_me_lists_what_each_role_may_do(client, auth, who, actions):
    [york] = client.get(f"{API}/me", headers=auth(who)).json()["partnerships"]
    assert york["actions"] == actions


def test_me_for_the_platform_admin_and_another_partnership(client, auth, north):
    body = client.get(f"{API}/me", headers=auth("platform")).json()
    assert body["is_platform_admin"] is True
    assert body["memberships"] == [] and body["partnerships"] == []
    body = client.get(f"{API}/me", headers=auth("north_admin")).json()
    assert [p["id"] for p in body["partnerships"]] == [north.id]
    assert [m["partnership_id"] for m in body["memberships"]] == [north.id]


def test_me_for_a_service_token(client, service_token, york):
    headers, issued = service_token(["read", "audit:read"], name="Dashboard")
    body = client.get(f"{API}/me", headers=headers).json()
    assert body["id"] is None and body["email"] is None
    assert body["name"] == "service token “Dashboard”"
    assert body["service_partnership_id"] == york.id
    assert body["scopes"] == ["audit:read", "read"]
    assert body["memberships"] == []
    [p] = body["partnerships"]
    assert p["id"] == york.id and p["roles"] == []
    assert p["actions"] == [
        "read",
        "read_audit",
        "read_challenge",
        "read_compliance",
        "read_drafts",
    ]


# ---------------------------------------------------------------------------------------
# Service tokens


def test_service_token_is_shown_once_and_stored_hashed(client, db, auth, york):
    url = f"{API}/partnerships/{york.id}/service-tokens"
    r = client.post(
        url,
        headers=auth("admin"),
        json={"name": " Case system ", "scopes": ["read", "read", "agencies:write"]},
    )
    assert r.status_code == 201, r.text
    issued = r.json()
    token = issued["token"]
    assert issued["name"] == "Case system"
    assert issued["scopes"] == ["agencies:write", "read"]  # sorted, without repeats
    assert issued["revoked_at"] is None
    expires = datetime.fromisoformat(issued["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=365))) < timedelta(minutes=1)
    row = db.exec(select(ApiToken).where(ApiToken.id == issued["id"])).one()
    assert row.token_hash == token_digest(token) and row.kind == TokenKind.service
    assert row.partnership_id == york.id and row.user_id is None
    # The list never shows a token again.
    listed = client.get(url, headers=auth("admin"))
    assert listed.status_code == 200
    assert token not in listed.text
    [item] = [t for t in listed.json()["items"] if t["id"] == issued["id"]]
    assert "token" not in item
    assert item == {k: v for k, v in issued.items() if k != "token"}
    # It works, within its scopes.
    assert client.get(f"{API}/partnerships/{york.id}/agencies", headers=bearer(token)).is_success


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["read", "agencies:delete"]}, "scopes"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x"}, "scopes"),
        ({"name": "   ", "scopes": ["read"]}, "name"),
        ({"name": "x" * 101, "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": 731}, "expires_in_days"),
        ({"name": "x", "scopes": ["read"], "owner": "me"}, "owner"),
    ],
)
def test_service_token_input_is_checked(client, db, auth, york, body, field):
    admin = auth("admin")
    before = count(db, ApiToken)
    r = client.post(f"{API}/partnerships/{york.id}/service-tokens", headers=admin, json=body)
    assert_problem(r, 422, field=field)
    assert count(db, ApiToken) == before


def test_unknown_scope_error_names_the_known_scopes(client, auth, york):
    r = client.post(
        f"{API}/partnerships/{york.id}/service-tokens",
        headers=auth("admin"),
        json={"name": "x", "scopes": ["agencies:delete"]},
    )
    [error] = assert_problem(r, 422)["errors"]
    assert "agencies:delete" in error["message"]
    assert all(s in error["message"] for s in SCOPES)


def test_revoking_a_service_token(client, db, auth, service_token, york):
    headers, issued = service_token(["read"])
    url = f"{API}/partnerships/{york.id}/service-tokens"
    r = client.delete(f"{url}/{issued['id']}", headers=auth("admin"))
    assert r.status_code == 204
    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=headers), 401)
    listed = client.get(url, headers=auth("admin")).json()["items"]
    [item] = [t for t in listed if t["id"] == issued["id"]]
    assert item["revoked_at"] is not None


def test_revoking_what_is_not_a_service_token_of_the_partnership_is_404(
    client, db, auth, service_token, york, north
):
    admin = auth("admin")
    url = f"{API}/partnerships/{york.id}/service-tokens"
    session_token = db.exec(select(ApiToken.id).where(ApiToken.kind == TokenKind.session)).first()
    _, north_token = service_token(["read"], partnership_id=north.id, issuer="north_admin")
    for token_id in (session_token, north_token["id"], 2**63 - 1):
        assert_problem(client.delete(f"{url}/{token_id}", headers=admin), 404)
    # The session token still works.
    assert client.get(f"{API}/me", headers=admin).status_code == 200


def test_service_tokens_are_listed_newest_first_per_partnership(
    client, auth, service_token, york, north
):
    service_token(["read"], name="first")
    service_token(["read"], name="second")
    service_token(["read"], partnership_id=north.id, issuer="north_admin", name="northern")
    url = f"{API}/partnerships/{york.id}/service-tokens"
    page = client.get(url, headers=auth("admin")).json()
    names = [t["name"] for t in page["items"]]
    assert names[:2] == ["second", "first"] and "northern" not in names
    assert page["total"] == len(names)
    second_page = client.get(url, headers=auth("admin"), params={"limit": 1, "offset": 1}).json()
    assert [t["name"] for t in second_page["items"]] == ["first"]
    assert second_page["total"] == page["total"]


def _add(client, headers, york, role: dict, **changes):
    return client.post(
        f"{API}/partnerships/{york.id}/users",
        headers=headers,
        json={"email": "minted@york.example", "name": "Minted", "roles": [role], **changes},
    )


@pytest.mark.parametrize(
    "role",
    [
        {"role": "partnership_admin"},
        {"role": "scrutineer"},
        {"role": "agency_approver", "agency_id": "HOUSING"},
        {"role": "agency_editor", "agency_id": "HOUSING"},
    ],
    ids=lambda r: r["role"],
)
def test_a_people_token_cannot_mint_people_with_more_power_than_itself(
    client, db, service_token, york, agency_id, role
):
    """The issue's probe: people:write alone made a scrutineer and an approver."""
    headers, _ = service_token(["people:write"])
    if "agency_id" in role:
        role = {**role, "agency_id": agency_id(HOUSING)}
    counts = (count(db, User), count(db, Membership), count(db, AuditEvent))
    body = assert_problem(_add(client, headers, york, role), 403)
    assert "could act as itself" in body["detail"]
    assert (count(db, User), count(db, Membership), count(db, AuditEvent)) == counts
    # Nor given to someone already here.
    panel = db.exec(select(User.id).where(User.email == PEOPLE["panel"])).one()
    r = client.post(f"{API}/partnerships/{york.id}/users/{panel}/roles", headers=headers, json=role)
    assert_problem(r, 403)
    assert count(db, Membership) == counts[1]


def test_a_token_never_sets_a_password_and_its_people_cannot_sign_in_yet(
    client, db, service_token, york, agency_id
):
    headers, _ = service_token(["people:write", "returns:write"])
    role = {"role": "agency_editor", "agency_id": agency_id(HOUSING)}
    r = _add(client, headers, york, role, password="chosen by the token")
    assert_problem(r, 422, field="password")
    assert count(db, User, User.email == "minted@york.example") == 0
    r = _add(client, headers, york, role)  # a role within its own scopes, no password
    assert r.status_code == 201, r.text
    for password in ("chosen by the token", "!", ""):
        assert_problem(sign_in(client, "minted@york.example", password or "x"), 401)


def test_a_token_takes_away_only_roles_it_could_give(client, db, auth, service_token, york):
    headers, _ = service_token(["people:write"])
    approver = db.exec(
        select(Membership.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(User.email == PEOPLE["approver"])
    ).one()
    r = client.delete(f"{API}/partnerships/{york.id}/roles/{approver}", headers=headers)
    assert_problem(r, 403)
    assert count(db, Membership, Membership.id == approver) == 1


@pytest.mark.parametrize("scopes", [["returns:write"], ["returns:read", "returns:write"]])
def test_returns_write_reads_and_answers_the_return(client, service_token, york, housing, scopes):
    """The issue's probe: these got 403 on GET and PUT until `read` was added."""
    headers, _ = service_token(scopes)
    p = f"{API}/partnerships/{york.id}"
    ret = client.get(f"{p}/returns/{housing['id']}", headers=headers)
    assert ret.status_code == 200, ret.text
    ref = ret.json()["framework_version"]
    version = client.get(
        f"{p}/frameworks/{ref['framework_id']}/versions/{ref['number']}", headers=headers
    )
    assert version.status_code == 200, version.text
    r = client.put(
        f"{p}/returns/{housing['id']}/responses/{housing['requirements'][0]}",
        headers={**headers, "If-Match": '"0"'},
        json={"rating": "met", "evidence": "From our system"},
    )
    assert r.status_code == 200, r.text
    me = client.get(f"{API}/me", headers=headers).json()
    assert "answer_returns" in me["partnerships"][0]["actions"]


def test_a_refused_token_is_told_the_scope_it_lacks(client, auth, service_token, york, housing):
    headers, _ = service_token(["read"])
    p = f"{API}/partnerships/{york.id}"
    housing["programme_id"] = client.get(
        f"{p}/returns/{housing['id']}", headers=auth("admin")
    ).json()["programme_id"]
    for method, path, scope in [
        ("GET", "/users", "people:read"),
        ("GET", "/audit-events", "audit:read"),
        ("POST", "/agencies", "agencies:write"),
    ]:
        r = client.request(method, p + path, headers=headers, json={"name": "x", "sector": "other"})
        body = assert_problem(r, 403)
        assert scope in body["detail"] and "role" not in body["detail"], body
        challenge = f'Bearer error="insufficient_scope", scope="{scope}"'
        assert r.headers["WWW-Authenticate"] == challenge
    r = client.get(f"{p}/service-tokens", headers=service_token(SCOPES)[0])
    assert "No service token may" in assert_problem(r, 403)["detail"]
    answering, _ = service_token(["returns:write"])
    r = client.post(
        f"{p}/returns/{housing['id']}/submit",
        headers=answering,
        json={"name": "A", "role": "B", "declaration": True},
    )
    assert "No service token may" in assert_problem(r, 403)["detail"]


def test_the_openapi_lists_and_describes_every_scope(api_app):
    spec = api_app.openapi()
    create = spec["components"]["schemas"]["ServiceTokenCreate"]["properties"]["scopes"]
    ref = create["items"]["$ref"].rsplit("/", 1)[-1]
    assert sorted(spec["components"]["schemas"][ref]["enum"]) == list(SCOPES)
    [scheme] = spec["components"]["securitySchemes"].values()
    for scope in SCOPES:
        assert f"| `{scope}` |" in scheme["description"]


def test_the_docs_show_the_same_scopes():
    from pathlib import Path

    from api.permissions import scopes_markdown

    docs = Path(__file__).parents[2] / "docs" / "scopes.md"
    assert scopes_markdown() in docs.read_text()


def test_an_expired_service_token_is_refused(client, db, service_token, york):
    headers, issued = service_token(["read"])
    db.execute(
        update(ApiToken)
        .where(col(ApiToken.id) == issued["id"])
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.commit()
    assert_problem(client.get(f"{API}/partnerships/{york.id}", headers=headers), 401)


@pytest.fixture
def probes(client, auth, york, housing, user_id, agency_id):
    """One call per permission, in York, that succeeds exactly when it is allowed."""
    admin = auth("admin")
    p = f"{API}/partnerships/{york.id}"
    frameworks = client.get(f"{p}/frameworks", headers=admin).json()["items"]
    s11 = next(f for f in frameworks if f["key"] == "section-11")
    draft = client.post(f"{p}/programmes", headers=admin, json={
        "title": "Probe", "framework_version_id": s11["latest_version"]["id"],
        "opens_on": "2027-01-01", "deadline": "2027-02-01", "agency_ids": [agency_id("Cafcass")],
    }).json()["id"]  # fmt: skip
    ret = client.get(f"{p}/returns/{housing['id']}", headers=admin).json()
    [submitted] = client.get(
        f"{p}/returns", headers=admin, params={"status": "submitted", "limit": 1}
    ).json()["items"]
    sub = client.get(f"{p}/returns/{submitted['id']}", headers=admin).json()
    ref = sub["framework_version"]
    version = client.get(
        f"{p}/frameworks/{ref['framework_id']}/versions/{ref['number']}", headers=admin
    ).json()
    moderated = version["standards"][0]["requirements"][0]["id"]
    any_match, new = {"If-Match": "*"}, {"If-Match": '"0"'}
    event = client.post(f"{p}/challenge-events", headers=admin, json={
        "programme_id": ret["programme_id"], "title": "Probe day", "held_on": "2027-03-01",
        "place": "Online", "chair_user_id": user_id("scrutineer"),
    }).json()["id"]  # fmt: skip
    P_ = Permission
    return {
        P_.read: ("GET", f"{p}/agencies", {}, None),
        P_.read_drafts: ("GET", f"{p}/programmes/{draft}", {}, None),
        P_.read_people: ("GET", f"{p}/users", {}, None),
        P_.read_audit: ("GET", f"{p}/audit-events", {}, None),
        P_.read_returns: ("GET", f"{p}/returns/{housing['id']}", {}, None),
        P_.read_compliance: ("GET", f"{p}/programmes/{ret['programme_id']}/compliance", {}, None),
        P_.manage_partnership: ("PATCH", p, any_match, {"area": "Probed"}),
        P_.manage_agencies: ("POST", f"{p}/agencies", {}, {"name": "Probe", "sector": "other"}),
        P_.manage_people: (
            "POST", f"{p}/users/{user_id('panel')}/roles", {}, {"role": "executive"}
        ),
        P_.manage_frameworks: ("POST", f"{p}/frameworks", {}, framework_doc("probe")),
        P_.manage_programmes: ("PATCH", f"{p}/programmes/{draft}", any_match, {"title": "P"}),
        P_.manage_service_tokens: ("GET", f"{p}/service-tokens", {}, None),
        P_.answer_returns: (
            "PUT", f"{p}/returns/{housing['id']}/responses/{housing['requirements'][0]}",
            new, {"rating": "met"},
        ),
        P_.review_returns: (
            "PUT", f"{p}/returns/{submitted['id']}/moderation/requirements/{moderated}",
            new, {"rating": "met"},
        ),
        P_.read_challenge: ("GET", f"{p}/challenge-events/{event}", {}, None),
        P_.manage_challenge: (
            "PATCH", f"{p}/challenge-events/{event}", any_match, {"place": "Room 2"}
        ),
    }  # fmt: skip


@pytest.mark.parametrize("scopes", [[s] for s in SCOPES] + [list(SCOPES)], ids=",".join)
def test_me_lists_for_a_token_exactly_what_works(client, connection, service_token, probes, scopes):
    """The issue's probe: /me listed answer_returns for returns:write, which got 403."""
    headers, _ = service_token(scopes)
    [place] = client.get(f"{API}/me", headers=headers).json()["partnerships"]
    worked = set()
    for permission, (method, url, extra, body) in probes.items():
        savepoint = connection.begin_nested()
        try:
            r = client.request(method, url, headers={**headers, **extra}, json=body)
        finally:
            savepoint.rollback()
        assert r.status_code < 500, r.text
        if r.is_success:
            worked.add(permission.value)
        else:
            assert r.status_code in (403, 404), (permission, r.text)
    assert set(place["actions"]) == worked
    assert worked  # every scope does something on its own
