"""Bad input of every kind gets a 4xx problem+json naming the field, never a 500.

The route lists come from the app itself, so a new route is covered here without edits
(and a new route with a body fails test_every_body_route_has_a_valid_body until it has one).
"""

import json

import pytest
from apikit import (
    API,
    HOUSING,
    MAX_ID,
    YAML_HEADERS,
    api_routes,
    as_yaml,
    assert_problem,
    framework_doc,
)

from api.main import create_app

ROUTES = api_routes(create_app())
P = "/partnerships/{partnership_id}"


def _short(path: str) -> str:
    return path.removeprefix(API)


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


# A body each route accepts (for routes with a JSON body).
VALID_BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/partnerships"): {"slug": "bad-input", "name": "Bad input"},
    ("PATCH", P): {"area": "Somewhere"},
    ("POST", f"{P}/service-tokens"): {"name": "x", "scopes": ["read"]},
    ("POST", f"{P}/agencies"): {"name": "New agency", "sector": "other"},
    ("PATCH", f"{P}/agencies/{{agency_id}}"): {"name": "Renamed"},
    ("POST", f"{P}/agencies/{{agency_id}}/offers"): {"partnership": "north-yorkshire"},
    ("POST", f"{P}/agency-offers/{{offer_id}}/accept"): {"statutory_partner": False},
    ("POST", f"{P}/users"): {
        "email": "someone@york.example",
        "name": "Someone",
        "password": "long enough password",
        "roles": [{"role": "executive"}],
    },  # fmt: skip
    ("PATCH", "/me"): {"name": "Renamed"},
    ("POST", "/auth/password-reset"): {"email": "someone@york.example"},
    ("POST", "/auth/password-reset/confirm"): {
        "token": "x",
        "new_password": "long enough password",
    },
    ("PUT", "/me/notices"): {"off": ["weekly_digest"]},
    ("PATCH", "/users/{user_id}"): {"name": "Renamed"},
    ("POST", f"{P}/users/{{user_id}}/roles"): {"role": "scrutineer"},
    ("POST", f"{P}/invitations"): {
        "email": "invited@example.org",
        "name": "Invited",
        "roles": [{"role": "executive"}],
    },  # fmt: skip
    ("POST", "/invitations/lookup"): {"token": "x"},
    ("POST", "/invitations/accept"): {"token": "x", "password": "long enough password"},
    ("POST", f"{P}/programmes"): {
        "title": "x",
        "framework_version_id": 1,
        "opens_on": "2027-01-01",
        "deadline": "2027-02-01",
        "agency_ids": [1],
    },  # fmt: skip
    ("PATCH", f"{P}/programmes/{{programme_id}}"): {"title": "Renamed"},
    ("PUT", f"{P}/returns/{{return_id}}/responses/{{requirement_id}}"): {"rating": "met"},
    ("POST", f"{P}/returns/{{return_id}}/return"): {"reason": "More, please"},
    ("PUT", f"{P}/returns/{{return_id}}/moderation/requirements/{{requirement_id}}"): {
        "rating": "met"
    },
    ("PUT", f"{P}/returns/{{return_id}}/moderation/standards/{{standard_id}}"): {"rating": "met"},
    ("POST", f"{P}/returns/{{return_id}}/accept"): {"note": ""},
    ("PUT", f"{P}/returns/{{return_id}}/responses"): {
        "responses": [{"requirement_id": 1, "rating": "met", "version": 0}]
    },
    ("POST", f"{P}/returns/{{return_id}}/actions"): {
        "description": "x",
        "owner": "y",
        "due_on": "2027-01-01",
        "requirement_ids": [1],
    },  # fmt: skip
    ("PATCH", f"{P}/actions/{{action_id}}"): {"owner": "Someone else"},
    ("POST", f"{P}/returns/{{return_id}}/submit"): {"name": "A", "role": "B", "declaration": True},
    ("POST", f"{P}/actions/{{action_id}}/updates"): {"note": "Progress"},
    ("PUT", f"{P}/returns/{{return_id}}/extension"): {"due_on": "2027-02-26", "reason": "R"},
    ("POST", f"{P}/challenge-events"): {
        "programme_id": 1,
        "title": "Day",
        "held_on": "2027-10-31",
        "place": "Online",
        "chair_user_id": 1,
    },  # fmt: skip
    ("PATCH", f"{P}/challenge-events/{{event_id}}"): {"place": "Online"},
    ("POST", f"{P}/challenge-events/{{event_id}}/cancel"): {"reason": "No room"},
    ("POST", f"{P}/challenge-events/{{event_id}}/invitations"): {"agency_id": 1, "reason": "R"},
    ("PUT", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/scores/{{standard_id}}"): {
        "level": "met"
    },
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/close"): {
        "outcome": "assured"
    },
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/reopen"): {"reason": "R"},
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/enquiries"): {
        "question": "Q"
    },
    (
        "PATCH",
        f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/enquiries/{{enquiry_id}}",
    ): {"question": "Q"},
    (
        "PUT",
        f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}"
        "/enquiries/{enquiry_id}/answer",
    ): {"answer": "A"},
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/publish-enquiries"): {
        "enquiries": [{"id": 1, "version": 1}]
    },
    ("PATCH", f"{P}/follow-ups/{{follow_up_id}}"): {"status": "in_progress"},
    ("POST", f"{P}/follow-ups/{{follow_up_id}}/updates"): {"note": "Progress"},
    ("POST", f"{P}/webhooks"): {"url": "https://hooks.example.org/x", "events": ["return.submit"]},
    ("PATCH", f"{P}/webhooks/{{webhook_id}}"): {"active": False},
}
FORM_ROUTES = {("POST", "/auth/token")}
JSON_BODY_ROUTES = sorted(
    (m, _short(p))
    for (m, p), route in ROUTES.items()
    if route is not None and route.body_field is not None and (m, _short(p)) not in FORM_ROUTES
)
ID_ROUTES = sorted((m, _short(p)) for m, p in ROUTES if _path_params(p))
LIST_ROUTES = sorted(
    (m, _short(p))
    for (m, p), route in ROUTES.items()
    if route is not None and any(q.name == "limit" for q in route.dependant.query_params)
)


def _ids(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


def test_the_route_lists_are_complete():
    assert len(ROUTES) >= 30 and len(ID_ROUTES) >= 25 and len(LIST_ROUTES) >= 7
    assert set(JSON_BODY_ROUTES) == set(VALID_BODIES)


@pytest.fixture
def ids(client, auth, york, agency_id, user_id, membership_id, service_token) -> dict[str, int]:
    """Real York ids for every path parameter (a draft programme, so that every call may act)."""
    admin = auth("admin")
    frameworks = client.get(f"{API}/partnerships/{york.id}/frameworks", headers=admin).json()
    s11 = next(f for f in frameworks["items"] if f["key"] == "section-11")
    programme = client.post(
        f"{API}/partnerships/{york.id}/programmes",
        headers=admin,
        json={**VALID_BODIES[("POST", f"{P}/programmes")],
              "framework_version_id": s11["latest_version"]["id"],
              "agency_ids": [agency_id(HOUSING)]},
    )  # fmt: skip
    assert programme.status_code == 201, programme.text
    [housing_return] = [
        r
        for r in client.get(
            f"{API}/partnerships/{york.id}/returns",
            headers=admin,
            params={"agency_id": agency_id(HOUSING)},
        ).json()["items"]
        if r["programme_title"].endswith("2026")
    ]
    version = client.get(
        f"{API}/partnerships/{york.id}/frameworks/{s11['id']}/versions/1", headers=admin
    ).json()
    return {
        "partnership_id": york.id,
        "agency_id": agency_id(HOUSING),
        "user_id": user_id("panel"),
        "membership_id": membership_id("executive"),
        "token_id": service_token(["read"])[1]["id"],
        "framework_id": s11["id"],
        "number": 1,
        "programme_id": programme.json()["id"],
        "return_id": housing_return["id"],
        "requirement_id": version["standards"][0]["requirements"][0]["id"],
        "standard_id": version["standards"][0]["id"],
        "offer_id": 1,  # only ever the id under test, or beside one that is not found
        "event_id": 1,
        "session_id": 1,
        "enquiry_id": 1,
        "follow_up_id": 1,
        "message_id": 1,
        "delivery_id": 1,
        "kind": "agencies",
        "webhook_id": client.post(
            f"{API}/partnerships/{york.id}/webhooks",
            headers=admin,
            json=VALID_BODIES[("POST", f"{P}/webhooks")],
        ).json()["id"],
        "invitation_id": 1,  # only ever the id under test
        "attachment_id": client.post(
            f"{API}/partnerships/{york.id}/returns/{housing_return['id']}/responses/"
            f"{version['standards'][0]['requirements'][0]['id']}/attachments",
            headers=auth("editor"),
            files={"file": ("policy.txt", b"Policy", "text/plain")},
        ).json()["id"],
        "action_id": client.post(
            f"{API}/partnerships/{york.id}/returns/{housing_return['id']}/actions",
            headers=auth("editor"),
            json={"description": "x", "owner": "y", "due_on": "2027-01-01",
                  "requirement_ids": [version["standards"][0]["requirements"][0]["id"]]},
        ).json()["id"],
    }  # fmt: skip


# Where only validation is under test the handler is never reached, so any ids will do.
ONES = dict.fromkeys(("partnership_id", "agency_id", "user_id", "membership_id", "token_id",
                      "framework_id", "number", "programme_id", "return_id", "requirement_id",
                      "action_id", "standard_id", "attachment_id", "offer_id", "event_id",
                      "session_id", "enquiry_id", "follow_up_id", "message_id", "webhook_id",
                      "delivery_id", "invitation_id"), 1) | {"kind": "agencies"}  # fmt: skip
BULK = ("PUT", f"{P}/returns/{{return_id}}/responses")


def _needs_if_match(method: str, path: str) -> bool:
    route = ROUTES[method, API + path]
    return route is not None and any(
        p.alias == "If-Match" and p.field_info.is_required() for p in route.dependant.header_params
    )


def _call(client, headers, method, path, ids, **overrides):
    """Call a route with real ids (but `overrides`) and the body it expects."""
    url = API + path.format(**{**ids, **overrides})
    if path.endswith("/frameworks") and method == "POST":
        return client.request(
            method, url, headers={**headers, **YAML_HEADERS}, content=as_yaml(framework_doc("x"))
        )
    body = VALID_BODIES.get((method, path))
    versioned = method == "PUT" or path.endswith("{requirement_id}/confirm")
    extra = (
        {"If-Match": '"0"'}
        if versioned
        else {"If-Match": "*"}
        if _needs_if_match(method, path)
        else {}
    )
    return client.request(method, url, headers={**headers, **extra}, json=body)


# ---------------------------------------------------------------------------------------
# Ids in paths


# `kind` (what an onboarding CSV holds) is a word, not an id; test_onboarding tries it.
ID_CASES = [(k, param) for k in ID_ROUTES for param in _path_params(k[1]) if param != "kind"]


@pytest.mark.parametrize(("key", "param"), ID_CASES, ids=[f"{_ids(k)} {p}" for k, p in ID_CASES])
def test_ids_out_of_range_in_paths_are_422(lenient_client, auth, key, param):
    method, path = key
    top = 1_000_000 if param == "number" else MAX_ID
    for bad in (0, -1, top + 1, 10**30, "abc", "1.5"):
        r = _call(lenient_client, auth("admin"), method, path, ONES, **{param: bad})
        assert_problem(r, 422, field=param)


@pytest.mark.parametrize(("key", "param"), ID_CASES, ids=[f"{_ids(k)} {p}" for k, p in ID_CASES])
def test_the_largest_id_in_paths_is_404(lenient_client, auth, ids, key, param):
    """The largest id passes validation, reaches the database (64-bit) and is not found."""
    method, path = key
    top = 1_000_000 if param == "number" else MAX_ID
    answering = path.endswith(
        ("/responses/{requirement_id}", "/responses", "/actions", "/updates", "/attachments")
    )
    answering = answering or (method == "DELETE" and "/attachments/" in path)
    answering = answering or path.endswith(("/submit", "/confirm"))
    answering = answering or (method == "PATCH" and "/actions/" in path)
    who = ("approver" if path.endswith("/submit") else "editor") if answering else "admin"
    who = "platform" if path.startswith("/users/") else who  # accounts: platform admins'
    r = _call(lenient_client, auth(who), method, path, ids, **{param: top})
    assert_problem(r, 404)


# ---------------------------------------------------------------------------------------
# Bodies


@pytest.mark.parametrize("key", JSON_BODY_ROUTES, ids=_ids)
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"name": ', "application/json"),
        (b"{'name': 'single quotes'}", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b'{"name": "x"}', "text/plain"),
        (b"name=x", "application/x-www-form-urlencoded"),
    ],
    ids=[
        "truncated",
        "quotes",
        "empty",
        "array",
        "string",
        "null",
        "not utf-8",
        "text/plain",
        "form",
    ],
)
def test_a_malformed_body_is_422(lenient_client, auth, key, body, content_type):
    method, path = key
    url = API + path.format(**ONES)
    headers = {**auth("admin"), "Content-Type": content_type, "If-Match": "*"}
    r = lenient_client.request(method, url, headers=headers, content=body)
    assert_problem(r, 422)


@pytest.mark.parametrize("key", JSON_BODY_ROUTES, ids=_ids)
def test_deeply_nested_json_is_refused_cleanly(lenient_client, auth, key):
    method, path = key
    headers = {**auth("admin"), "Content-Type": "application/json", "If-Match": "*"}
    r = lenient_client.request(
        method, API + path.format(**ONES), headers=headers, content=b"[" * 100_000
    )
    assert r.status_code in (400, 422), r.text
    assert_problem(r, r.status_code)


@pytest.mark.parametrize("key", JSON_BODY_ROUTES, ids=_ids)
def test_an_unknown_field_is_422_and_named(lenient_client, auth, key):
    method, path = key
    body = {**VALID_BODIES[key], "unexpected": 1}
    headers = {**auth("admin"), "If-Match": "*"}
    r = lenient_client.request(method, API + path.format(**ONES), headers=headers, json=body)
    assert_problem(r, 422, field="unexpected")


@pytest.mark.parametrize(
    ("key", "changes", "field"),
    [
        (("POST", f"{P}/agencies"), {"name": "x" * 201}, "name"),
        (("POST", f"{P}/agencies"), {"sector": "hospital"}, "sector"),
        (("POST", f"{P}/agencies"), {"sector": "Police"}, "sector"),
        (("POST", f"{P}/agencies"), {"sector": None}, "sector"),
        (("POST", f"{P}/agencies"), {"name": 42}, "name"),
        (("PATCH", f"{P}/agencies/{{agency_id}}"), {"sector": "hospital"}, "sector"),
        (("PATCH", P), {"area": "x" * 201}, "area"),
        (("POST", "/partnerships"), {"slug": "x" * 64}, "slug"),
        (("POST", f"{P}/service-tokens"), {"name": "x" * 101}, "name"),
        (("POST", f"{P}/users"), {"name": "x" * 201}, "name"),
        (("POST", f"{P}/users"), {"email": "x" * 250 + "@a.example"}, "email"),
        (("POST", f"{P}/users"), {"password": "x" * 201}, "password"),
        (("POST", f"{P}/users"), {"password": "x" * 129}, "password"),
        (("POST", "/auth/password-reset"), {"email": "not-an-email"}, "email"),
        (("POST", "/auth/password-reset"), {"email": "x" * 250 + "@a.example"}, "email"),
        (("POST", "/auth/password-reset"), {"email": None}, "email"),
        (("POST", "/auth/password-reset/confirm"), {"token": ""}, "token"),
        (("POST", "/auth/password-reset/confirm"), {"token": "x" * 201}, "token"),
        (("POST", "/auth/password-reset/confirm"), {"new_password": "short"}, "new_password"),
        (("POST", "/auth/password-reset/confirm"), {"new_password": "x" * 129}, "new_password"),
        (("POST", "/auth/password-reset/confirm"), {"new_password": 15}, "new_password"),
        (("POST", "/auth/password-reset/confirm"),
         {"new_password": "nul\x00in a long password"}, "new_password"),
        (("POST", f"{P}/users/{{user_id}}/roles"), {"role": "owner"}, "role"),
        (("POST", f"{P}/invitations"), {"email": "not an email"}, "email"),
        (("POST", f"{P}/invitations"), {"name": " "}, "name"),
        (("POST", f"{P}/invitations"), {"roles": []}, "roles"),
        (("POST", f"{P}/invitations"), {"roles": [{"role": "agency_editor"}]}, "roles.0"),
        (("POST", "/invitations/lookup"), {"token": ""}, "token"),
        (("POST", "/invitations/lookup"), {"token": "x" * 201}, "token"),
        (("POST", "/invitations/accept"), {"password": "short"}, "password"),
        (("POST", "/invitations/accept"), {"name": "x" * 201}, "name"),
        (("POST", f"{P}/users/{{user_id}}/roles"),
         {"role": "executive", "agency_id": MAX_ID + 1}, "agency_id"),
        (("POST", f"{P}/programmes"), {"description": "x" * 2001}, "description"),
        (("POST", f"{P}/programmes"), {"agency_ids": [MAX_ID + 1]}, "agency_ids.0"),
        (("POST", f"{P}/programmes"), {"agency_ids": [1] * 1001}, "agency_ids"),
        (("POST", f"{P}/programmes"), {"framework_version_id": 1.5}, "framework_version_id"),
        (("POST", f"{P}/programmes"), {"opens_on": "0000-01-01"}, "opens_on"),
        (("POST", f"{P}/programmes"), {"opens_on": "1999-12-31"}, "opens_on"),
        (("POST", f"{P}/programmes"), {"deadline": "2101-01-01"}, "deadline"),
        (("POST", f"{P}/programmes"), {"deadline": "10000-01-01"}, "deadline"),
        (("POST", f"{P}/programmes"), {"deadline": "2027-02-29"}, "deadline"),
        (("POST", f"{P}/programmes"), {"deadline": "next week"}, "deadline"),
        (("PATCH", f"{P}/programmes/{{programme_id}}"), {"deadline": "2101-01-01"}, "deadline"),
        (("PATCH", f"{P}/programmes/{{programme_id}}"), {"status": "closed"}, "status"),
        (BULK, {"responses": []}, "responses"),
        (BULK, {"responses": [{"requirement_id": 1, "version": 0}] * 1001}, "responses"),
        (BULK, {"responses": [{"requirement_id": 1, "version": -1}]}, "responses.0.version"),
        (BULK, {"responses": [{"requirement_id": 0, "version": 0}]}, "responses.0.requirement_id"),
        (BULK, {"responses": [{"requirement_id": 1}]}, "responses.0.version"),
        (BULK, {"responses": [{"requirement_id": 1, "version": 0, "x": 1}]}, "responses.0.x"),
    ],
)  # fmt: skip
def test_invalid_fields_are_named(lenient_client, auth, key, changes, field):
    method, path = key
    body = {**VALID_BODIES[key], **changes}
    headers = {**auth("admin"), "If-Match": "*"}
    r = lenient_client.request(method, API + path.format(**ONES), headers=headers, json=body)
    assert_problem(r, 422, field=field)


# ---------------------------------------------------------------------------------------
# Query parameters


@pytest.mark.parametrize("key", LIST_ROUTES, ids=_ids)
@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0}, {"limit": 101}, {"limit": -1}, {"limit": "ten"},
        {"offset": -1}, {"offset": 1_000_001}, {"offset": "x"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)  # fmt: skip
def test_paging_out_of_range_is_422(lenient_client, auth, key, params):
    method, path = key
    r = lenient_client.get(API + path.format(**ONES), headers=auth("admin"), params=params)
    assert_problem(r, 422, field=next(iter(params)))


@pytest.mark.parametrize("key", LIST_ROUTES, ids=_ids)
def test_paging_at_the_limits_is_fine(client, auth, ids, key):
    method, path = key
    for params in ({"limit": 1}, {"limit": 100}, {"offset": 1_000_000}):
        r = client.get(API + path.format(**ids), headers=auth("admin"), params=params)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (f"{P}/agencies", {"q": "x" * 101}, "q"),
        (f"{P}/agencies", {"sector": "hospital"}, "sector"),
        (f"{P}/agencies", {"statutory_partner": "perhaps"}, "statutory_partner"),
        (f"{P}/users", {"role": "owner"}, "role"),
        (f"{P}/users", {"agency_id": 0}, "agency_id"),
        (f"{P}/users", {"agency_id": MAX_ID + 1}, "agency_id"),
        (f"{P}/users", {"active": "perhaps"}, "active"),
        (f"{P}/programmes", {"status": "archived"}, "status"),
        (f"{P}/frameworks", {"q": "x" * 101}, "q"),
        (f"{P}/audit-events", {"since": "2024-02-30T00:00:00"}, "since"),
        (f"{P}/audit-events", {"until": "10000-01-01T00:00:00"}, "until"),
        (f"{P}/audit-events", {"entity_type": "x" * 65}, "entity_type"),
        (f"{P}/outbox", {"state": "sent"}, "state"),
        (f"{P}/invitations", {"state": "open"}, "state"),
    ],
)
def test_invalid_query_parameters_are_named(client, auth, path, params, field):
    r = client.get(API + path.format(**ONES), headers=auth("admin"), params=params)
    assert_problem(r, 422, field=field)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"until": "9999-12-31T23:59:59-14:00"}, "until"),
    ],
)
def test_times_that_overflow_utc_are_422(lenient_client, auth, ids, params, field):
    r = lenient_client.get(
        f"{API}/partnerships/{ids['partnership_id']}/audit-events",
        headers=auth("admin"),
        params=params,
    )
    assert_problem(r, 422, field=field)


# ---------------------------------------------------------------------------------------
# Text the database cannot hold (NUL: PostgreSQL refuses it; over-long: VARCHAR limits)


@pytest.mark.parametrize(
    ("key", "changes", "field"),
    [
        (("POST", f"{P}/agencies"), {"name": "Nul\x00Agency"}, "name"),
        (("PATCH", P), {"area": "City\x00of York"}, "area"),
        (("POST", f"{P}/programmes"), {"description": "a\x00b"}, "description"),
    ],
)
def test_nul_characters_in_text_are_422(lenient_client, auth, ids, key, changes, field):
    method, path = key
    body = {**VALID_BODIES[key], **changes}
    if key == ("POST", f"{P}/programmes"):
        body = {**body, "framework_version_id": _s11_version(lenient_client, auth, ids)}
    headers = {**auth("admin"), "If-Match": "*"}
    r = lenient_client.request(method, API + path.format(**ids), headers=headers, json=body)
    assert_problem(r, 422, field=field)


def _s11_version(client, auth, ids) -> int:
    url = f"{API}/partnerships/{ids['partnership_id']}/frameworks"
    items = client.get(url, headers=auth("admin")).json()["items"]
    return next(f for f in items if f["key"] == "section-11")["latest_version"]["id"]


@pytest.mark.parametrize(
    "path", [f"{P}/agencies", f"{P}/users", f"{P}/programmes", f"{P}/frameworks"]
)
def test_nul_characters_in_searches_are_422(lenient_client, auth, ids, path):
    r = lenient_client.get(API + path.format(**ids), headers=auth("admin"), params={"q": "a\x00"})
    assert_problem(r, 422, field="q")


def test_nul_characters_in_a_framework_are_422(lenient_client, auth, ids):
    doc = framework_doc("nul", name="Bad\x00name")
    r = lenient_client.post(
        f"{API}/partnerships/{ids['partnership_id']}/frameworks",
        headers={**auth("admin"), "Content-Type": "application/json"},
        content=json.dumps(doc),
    )
    assert_problem(r, 422, field="name")


@pytest.mark.parametrize("username", ["x" * 255 + "@york.example", "nul\x00@york.example"])
def test_an_impossible_username_is_refused_cleanly(lenient_client, username):
    r = lenient_client.post(f"{API}/auth/token", data={"username": username, "password": "x"})
    assert r.status_code in (401, 422), r.text
    assert_problem(r, r.status_code)


# ---------------------------------------------------------------------------------------
# Unknown routes and methods


@pytest.mark.parametrize(
    "path", [f"{API}/nothing-here", f"{API}/partnerships/1/widgets", "/nope", f"{API}/me/extra"]
)
def test_unknown_routes_are_404_problems(client, auth, path):
    assert_problem(client.get(path, headers=auth("admin")), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"{API}/partnerships/1"),
        ("PUT", f"{API}/partnerships/1/agencies"),
        ("GET", f"{API}/auth/token"),
    ],
)
def test_wrong_methods_are_405_problems_with_allow(client, auth, method, path):
    r = client.request(method, path, headers=auth("admin"))
    assert_problem(r, 405)
    assert r.headers["Allow"]
