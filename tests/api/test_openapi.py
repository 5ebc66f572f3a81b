"""The OpenAPI document tells the truth: what it declares is what the API does.

Each test pins something a fuzzer (schemathesis, `make fuzz`) once found untrue.
"""

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from apikit import API, MAX_ID, PROBLEM, assert_problem
from test_bad_input import VALID_BODIES

from api.fields import DAYS_PATTERN, TIMESTAMP_PATTERN
from api.main import create_app

SPEC = create_app().openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(ref: str) -> Any:
    node: Any = SPEC
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_reference_resolves_within_the_document():
    refs = set(_refs(SPEC))
    assert refs, "the document uses references"
    for ref in refs:
        assert ref.startswith("#/components/"), ref
        assert _resolve(ref) is not None


def test_integer_bounds_are_exact_integers(client):
    text = client.get("/openapi.json").text
    assert not re.search(r"\d\.\d+e\+\d+", text), "a bound is printed as a float"
    assert f'"maximum":{MAX_ID}' in text.replace(" ", "")


def test_errors_are_documented_once_as_problem_json():
    for method, path, operation in OPERATIONS:
        if not path.startswith(API):  # health checks answer their status, not a problem
            continue
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response.get("content", {})) == {PROBLEM}, (method, path, status)


REQUIRED_IF_MATCH = [
    (method, path)
    for method, path, operation in OPERATIONS
    if any(
        p["in"] == "header" and p["name"] == "If-Match" and p.get("required")
        for p in operation.get("parameters", [])
    )
]
ONES = re.compile(r"\{[a-z_]+\}")


def test_every_write_that_needs_if_match_declares_it_required():
    writes = {(m, p) for m, p, _ in OPERATIONS if m in ("PUT", "PATCH", "DELETE")}
    # Every PATCH changes a versioned record; so do these PUTs and DELETEs.
    assert {(m, p) for m, p in writes if m == "PATCH"} <= set(REQUIRED_IF_MATCH)
    assert len(REQUIRED_IF_MATCH) >= 10


@pytest.mark.parametrize(
    ("method", "path"), REQUIRED_IF_MATCH, ids=[f"{m} {p}" for m, p in REQUIRED_IF_MATCH]
)
def test_a_write_without_its_required_if_match_is_428(client, auth, method, path):
    body = VALID_BODIES.get((method, path.removeprefix(API)))
    r = client.request(method, ONES.sub("1", path), headers=auth("admin"), json=body)
    assert_problem(r, 428)


def test_the_days_pattern_names_exactly_the_days_from_2000_to_2100():
    days = re.compile(DAYS_PATTERN)
    day, matched = date(1999, 12, 1), 0
    while day <= date(2101, 1, 31):
        inside = date(2000, 1, 1) <= day <= date(2100, 12, 31)
        assert bool(days.match(day.isoformat())) is inside, day
        matched += inside
        day += timedelta(days=1)
    assert matched == (date(2100, 12, 31) - date(2000, 1, 1)).days + 1
    for impossible in ("2023-02-29", "2100-02-29", "2023-04-31", "2023-13-01", "2023-1-01"):
        assert not days.match(impossible)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("2026-04-01T09:30:00Z", True),
        ("1900-01-01T00:00:00.123456+14:00", True),
        ("2999-12-31T23:59:59-05:30", True),
        ("1899-12-31T23:59:59Z", False),
        ("3000-01-01T00:00:00Z", False),
        ("2026-04-01T24:00:00Z", False),
        ("2026-04-31T09:30:00Z", False),
    ],
)
def test_the_timestamp_pattern_states_the_years_kept(text, matches):
    assert bool(re.match(TIMESTAMP_PATTERN, text)) is matches


def test_a_timestamp_in_the_documented_range_is_accepted(client, auth, york):
    r = client.get(
        f"{API}/partnerships/{york.id}/audit-events",
        headers=auth("admin"),
        params={"since": "1900-01-01T00:00:00Z", "until": "2999-12-31T23:59:59-05:30"},
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("GET", "/audit-events", {"params": {"until": "0.5"}}, "until"),
        ("GET", "/audit-events", {"params": {"since": "1700000000"}}, "since"),
        ("POST", "/agencies", {"json": {"name": "A", "statutory_partner": 0}}, "statutory_partner"),
        (
            "POST",
            "/programmes",
            {
                "json": {
                    "title": "T",
                    "framework_version_id": 1,
                    "opens_on": "2027-01-01",
                    "deadline": "2027-02-01",
                    "all_agencies": 0,
                }
            },
            "all_agencies",
        ),
        (
            "POST",
            "/programmes",
            {
                "json": {
                    "title": "T",
                    "framework_version_id": 1,
                    "opens_on": 1798761600,
                    "deadline": "2027-02-01",
                }
            },
            "opens_on",
        ),
    ],  # fmt: skip
    ids=["number as until", "unix seconds", "0 as a boolean", "0 as all_agencies", "unix day"],
)
def test_booleans_and_timestamps_are_strict(client, auth, york, method, path, kwargs, field):
    url = f"{API}/partnerships/{york.id}{path}"
    assert_problem(client.request(method, url, headers=auth("admin"), **kwargs), 422, field=field)


def test_malformed_json_names_the_body(client, auth, york):
    r = client.post(
        f"{API}/partnerships/{york.id}/agencies",
        headers={**auth("admin"), "Content-Type": "application/json"},
        content=b'{"name": ',
    )
    problem = assert_problem(r, 422, field="body")
    assert "not valid JSON" in problem["errors"][0]["message"]


def test_a_downloaded_file_has_a_documented_type(client, auth, york, housing):
    editor = auth("editor")
    requirement = housing["requirements"][0]
    base = f"{API}/partnerships/{york.id}/returns/{housing['id']}"
    uploaded = client.post(
        f"{base}/responses/{requirement}/attachments",
        headers=editor,
        files={"file": ("notes.txt", b"Minutes of the safeguarding group", "text/plain")},
    )
    assert uploaded.status_code == 201, uploaded.text
    download = client.get(f"{base}/attachments/{uploaded.json()['id']}", headers=editor)
    assert download.status_code == 200
    documented = SPEC["paths"][
        "/api/v1/partnerships/{partnership_id}/returns/{return_id}/attachments/{attachment_id}"
    ]["get"]["responses"]["200"]["content"]
    assert download.headers["content-type"].split(";")[0] in documented


def test_each_answer_of_a_return_carries_the_etag_that_changes_it(client, auth, york, housing):
    editor = auth("editor")
    base = f"{API}/partnerships/{york.id}/returns/{housing['id']}"
    requirement = housing["requirements"][0]
    first = client.put(
        f"{base}/responses/{requirement}",
        headers={**editor, "If-Match": '"0"'},
        json={"rating": "met", "evidence": "An audit of cases"},
    )
    assert first.status_code == 200, first.text
    [answer] = [
        a for a in client.get(base, headers=editor).json()["responses"]
        if a["requirement_id"] == requirement
    ]  # fmt: skip
    assert answer["etag"] == first.headers["ETag"] == f'"{answer["version"]}"'
    again = client.put(
        f"{base}/responses/{requirement}",
        headers={**editor, "If-Match": answer["etag"]},
        json={"rating": "met", "evidence": "An audit of 20 cases"},
    )
    assert again.status_code == 200, again.text


def test_the_not_applicable_reason_is_documented():
    comment = SPEC["components"]["schemas"]["ResponseWrite"]["properties"]["comment"]
    assert "not applicable" in comment["description"]


def test_path_ids_are_bounded_exactly():
    ids = [
        p["schema"] for _, _, op in OPERATIONS for p in op.get("parameters", [])
        if p["in"] == "path" and p["name"].endswith("_id")
    ]  # fmt: skip
    assert ids and all(s.get("maximum") == MAX_ID and s.get("minimum") == 1 for s in ids)
    assert f'"maximum": {MAX_ID}' in json.dumps(SPEC)


def test_required_text_says_that_spaces_alone_are_empty(client, auth, york):
    """Names and reasons are trimmed before their minimum length is checked; the schema's
    pattern says so, so that a blank one is schema-invalid as the API finds it."""
    name = SPEC["components"]["schemas"]["AgencyCreate"]["properties"]["name"]
    assert not re.match(name["pattern"], "   ") and re.match(name["pattern"], " York CVS ")
    r = client.post(
        f"{API}/partnerships/{york.id}/agencies", headers=auth("admin"), json={"name": "   "}
    )
    assert_problem(r, 422, field="name")


POSTS = [(path, op) for method, path, op in OPERATIONS if method == "POST" and path.startswith(API)]


@pytest.mark.parametrize(("path", "operation"), POSTS, ids=[p for p, _ in POSTS])
def test_every_post_documents_the_idempotency_key_and_its_answers(path, operation):
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header" and header["required"] is False
    assert (header["schema"]["minLength"], header["schema"]["maxLength"]) == (1, 255)
    assert re.fullmatch(header["schema"]["pattern"], "a UUID: 7c6f3c2e-5b1d")
    assert not re.fullmatch(header["schema"]["pattern"], "caf\xe9")
    for status in ("409", "422"):
        assert "Idempotency-Key" in operation["responses"][status]["description"]
        assert PROBLEM in operation["responses"][status]["content"]


def _success_fields(operation: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for status, response in operation["responses"].items():
        for media in response.get("content", {}).values() if status.startswith("2") else ():
            for ref in _refs(media.get("schema", {})):
                fields |= set(_resolve(ref).get("properties", {}))
    return fields


def test_every_post_that_shows_a_secret_is_marked_so_its_answer_is_never_kept():
    secret = {"token", "access_token", "secret"}
    shows = {path for path, op in POSTS if _success_fields(op) & secret}
    marked = {path for path, op in POSTS if op.get("x-shows-secret-once")}
    assert shows == marked
    assert {p.rsplit("/", 1)[-1] for p in shows} == {
        "token", "service-tokens", "webhooks", "rotate-secret", "accept"
    }  # fmt: skip
