# ruff: noqa: E501  (the table of bad documents reads best one case a line)
"""Frameworks: the shared ones, importing YAML and JSON, versions, and refusing bad documents."""

import json
from typing import Any

import pytest
import yaml
from apikit import API, YAML_HEADERS, as_yaml, assert_problem, count, framework_doc
from sqlmodel import select

from api.frameworks.service import DATA_DIR, MAX_DOCUMENT_BYTES
from api.models import (
    AuditEvent,
    Framework,
    FrameworkVersion,
    RatingLevel,
    RatingScale,
    Requirement,
    Standard,
)

BUNDLED = {
    doc["key"]: doc
    for doc in (yaml.safe_load(p.read_text()) for p in sorted(DATA_DIR.glob("*.yaml")))
}
TABLES = (Framework, FrameworkVersion, RatingScale, RatingLevel, Standard, Requirement, AuditEvent)


def url(pid: int, *parts: object) -> str:
    return "/".join([f"{API}/partnerships/{pid}/frameworks", *map(str, parts)])


def rows(db) -> dict[str, int]:
    return {t.__name__: count(db, t) for t in TABLES}


def post_yaml(client, headers, pid, doc, content_type="application/yaml"):
    return client.post(
        url(pid), headers={**headers, "Content-Type": content_type}, content=as_yaml(doc)
    )


def test_the_shared_frameworks(client, auth, york):
    r = client.get(url(york.id), headers=auth("editor"))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2
    by_key = {f["key"]: f for f in body["items"]}
    assert set(by_key) == {"section-11", "six-steps"}
    assert [f["name"] for f in body["items"]] == sorted(f["name"] for f in body["items"])
    for key, doc in BUNDLED.items():
        latest = by_key[key]["latest_version"]
        assert by_key[key]["shared"] is True and latest["number"] == 1
        assert latest["standard_count"] == len(doc["standards"])
        assert latest["requirement_count"] == sum(len(s["requirements"]) for s in doc["standards"])
    assert by_key["section-11"]["latest_version"]["standard_count"] == 12
    assert by_key["six-steps"]["latest_version"]["standard_count"] == 6


def test_read_a_framework_and_its_version(client, auth, york):
    headers = auth("panel")
    s11 = next(
        f
        for f in client.get(url(york.id), headers=headers).json()["items"]
        if f["key"] == "section-11"
    )
    r = client.get(url(york.id, s11["id"]), headers=headers)
    assert r.status_code == 200
    assert [v["number"] for v in r.json()["versions"]] == [1]
    r = client.get(url(york.id, s11["id"], "versions", 1), headers=headers)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "private, max-age=3600"
    version = r.json()
    doc = BUNDLED["section-11"]
    assert version["framework_key"] == "section-11" and version["number"] == 1
    assert [lv["code"] for lv in version["rating_scale"]["levels"]] == [
        lv["code"] for lv in doc["rating_scale"]["levels"]
    ]
    assert [s["code"] for s in version["standards"]] == [s["code"] for s in doc["standards"]]
    first = version["standards"][0]["requirements"][0]
    assert first["text"] == doc["standards"][0]["requirements"][0]["text"].strip()
    assert_problem(client.get(url(york.id, s11["id"], "versions", 2), headers=headers), 404)


def test_import_yaml(client, db, auth, york):
    before = rows(db)
    r = post_yaml(client, auth("admin"), york.id, framework_doc("vcs-check"))
    assert r.status_code == 201, r.text
    version = r.json()
    assert version["framework_key"] == "vcs-check" and version["number"] == 1
    assert [s["code"] for s in version["standards"]] == ["A", "B"]
    assert [r["code"] for r in version["standards"][0]["requirements"]] == ["A1", "A2"]
    assert version["standards"][0]["requirements"][0]["evidence_prompts"] == ["The policy"]
    assert version["rating_scale"]["levels"][1] == {
        "code": "not_met", "label": "Not met", "colour": "red", "needs_action": True,
        "needs_reason": False, "scored": True, "description": None,
    }  # fmt: skip
    assert len(version["source_sha256"]) == 64
    after = rows(db)
    assert {k: after[k] - before[k] for k in after} == {
        "Framework": 1, "FrameworkVersion": 1, "RatingScale": 1, "RatingLevel": 2,
        "Standard": 2, "Requirement": 3, "AuditEvent": 1,
    }  # fmt: skip
    listed = {f["key"]: f for f in client.get(url(york.id), headers=auth("editor")).json()["items"]}
    assert listed["vcs-check"]["shared"] is False
    assert listed["vcs-check"]["latest_version"]["requirement_count"] == 3
    framework = db.exec(select(Framework).where(Framework.key == "vcs-check")).one()
    assert framework.partnership_id == york.id


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"],
)
def test_import_json(client, auth, york, content_type):
    r = client.post(
        url(york.id),
        headers={**auth("admin"), "Content-Type": content_type},
        content=json.dumps(framework_doc("json-check")).encode(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["framework_key"] == "json-check"


@pytest.mark.parametrize(
    "content_type",
    ["application/x-yaml", "text/yaml", "text/x-yaml", "application/yaml; charset=utf-8"],
)
def test_yaml_media_types(client, auth, york, content_type):
    r = post_yaml(client, auth("admin"), york.id, framework_doc("yaml-check"), content_type)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/xml", "multipart/form-data", "application/yamlx"],
)
def test_other_media_types_are_415(client, db, auth, york, content_type):
    admin = auth("admin")
    before = rows(db)
    headers = {**admin, **({"Content-Type": content_type} if content_type else {})}
    r = client.post(url(york.id), headers=headers, content=as_yaml(framework_doc("nope")))
    assert_problem(r, 415)
    assert rows(db) == before


def test_reimporting_the_same_content_is_a_conflict(client, db, auth, york):
    admin = auth("admin")
    assert post_yaml(client, admin, york.id, framework_doc("same")).status_code == 201
    before = rows(db)
    assert_problem(post_yaml(client, admin, york.id, framework_doc("same")), 409)
    # The same document as JSON, with other spacing and key order, is the same content.
    as_json = json.dumps(dict(reversed(list(framework_doc("same").items()))), indent=4)
    r = client.post(
        url(york.id), headers={**admin, "Content-Type": "application/json"}, content=as_json
    )
    assert_problem(r, 409)
    assert rows(db) == before


def test_changed_content_makes_the_next_version(client, auth, york):
    admin = auth("admin")
    first = post_yaml(client, admin, york.id, framework_doc("evolving")).json()
    changed = framework_doc("evolving", name="Evolving framework, revised")
    changed["standards"][0]["requirements"][0]["text"] = "We have a policy agreed this year."
    r = post_yaml(client, admin, york.id, changed)
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["number"] == 2 and second["framework_id"] == first["framework_id"]
    assert second["id"] != first["id"]
    framework = client.get(url(york.id, first["framework_id"]), headers=admin).json()
    assert framework["name"] == "Evolving framework, revised"
    assert [v["number"] for v in framework["versions"]] == [2, 1]
    # Version 1 is kept as it was.
    v1 = client.get(url(york.id, first["framework_id"], "versions", 1), headers=admin).json()
    assert v1["standards"][0]["requirements"][0]["text"] == "We have a written safeguarding policy."
    assert v1 == first
    listed = {f["key"]: f for f in client.get(url(york.id), headers=admin).json()["items"]}
    assert listed["evolving"]["latest_version"]["number"] == 2


def _broken(path: str, value: object) -> dict:
    """A valid document with one value replaced (or removed, for ...), by dotted path."""
    doc = framework_doc("broken")
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return doc


DUPLICATE_REQUIREMENT = _broken("standards.1.requirements.0.code", "A1")
TWO_ERRORS = _broken("standards.0.title", "")
TWO_ERRORS["standards"][1]["requirements"][0]["text"] = "x" * 1001


@pytest.mark.parametrize(
    ("doc", "places"),
    [
        (_broken("standards.0.requirements.0.text", ...), ["standards[0].requirements[0].text"]),
        (_broken("standards.1.requirements.0.text", "x" * 1001), ["standards[1].requirements[0].text"]),
        (_broken("standards.0.requirements.1.code", 1.1), ["standards[0].requirements[1].code"]),
        (_broken("standards.0.requirements.0.evidence_prompts", ["ok", ""]), ["standards[0].requirements[0].evidence_prompts[1]"]),
        (DUPLICATE_REQUIREMENT, ["standards[1].requirements[0].code"]),
        (_broken("standards.1.code", "A"), ["standards[1].code"]),
        (_broken("rating_scale.levels.1.code", "met"), ["rating_scale.levels[1].code"]),
        (_broken("rating_scale.levels.0.colour", "purple"), ["rating_scale.levels[0].colour"]),
        (_broken("rating_scale.levels.1.needs_action", "yes"), ["rating_scale.levels[1].needs_action"]),
        (_broken("rating_scale.levels", [{"code": "met", "label": "Met", "colour": "green"}]), ["rating_scale.levels"]),
        (_broken("standards", []), ["standards"]),
        (_broken("key", "Bad Key"), ["key"]),
        (_broken("key", ...), ["key"]),
        (_broken("standards.0.guidance", "stray"), ["standards[0].guidance"]),
        (_broken("rating_scale", "met or not"), ["rating_scale"]),
        (TWO_ERRORS, ["standards[0].title", "standards[1].requirements[0].text"]),
    ],
)  # fmt: skip
def test_a_bad_document_names_each_place_and_writes_nothing(client, db, auth, york, doc, places):
    admin = auth("admin")
    before = rows(db)
    for body, content_type in (
        (as_yaml(doc), "application/yaml"),
        (json.dumps(doc), "application/json"),
    ):
        r = client.post(url(york.id), headers={**admin, "Content-Type": content_type}, content=body)
        problem = assert_problem(r, 422)
        assert problem["type"] == "urn:assure:problem:validation"
        assert [e["field"] for e in problem["errors"]] == places, problem
        assert all(e["message"] for e in problem["errors"])
    assert rows(db) == before


@pytest.mark.parametrize(
    ("body", "content_type", "where"),
    [
        (b'key: broken\nname: "unterminated\n', "application/yaml", "line 3, column 1"),
        (b"key: broken\nname: a: b\n", "application/yaml", "line 2, column 8"),
        (b"key: broken\n  name: wrong indent\n", "application/yaml", "line 2, column 7"),
        (b"key: broken\n\tname: tab\n", "application/yaml", "line 2, column 1"),
        (b'{"key": "broken",\n "name": "x",, }', "application/json", "line 2"),
        (b'{"key": "broken",\n "name": }', "application/json", "line 2"),
    ],
)
def test_malformed_documents_say_where(client, db, auth, york, body, content_type, where):
    admin = auth("admin")
    before = rows(db)
    r = client.post(url(york.id), headers={**admin, "Content-Type": content_type}, content=body)
    [error] = assert_problem(r, 422, field="document")["errors"]
    assert where in error["message"], error
    assert rows(db) == before


@pytest.mark.parametrize(
    "body", [b"", b"- a list\n- not a mapping\n", b"just text", b"42", b"\xff\xfe\x00garbage"]
)
def test_documents_that_are_not_mappings_are_422(client, db, auth, york, body):
    admin = auth("admin")
    before = rows(db)
    r = client.post(url(york.id), headers={**admin, **YAML_HEADERS}, content=body)
    assert_problem(r, 422, field="document")
    assert rows(db) == before


def test_a_document_too_large_is_413(client, db, auth, york):
    admin = auth("admin")
    before = rows(db)
    doc = framework_doc("huge", description="x" * (MAX_DOCUMENT_BYTES + 1))
    assert_problem(post_yaml(client, admin, york.id, doc), 413)
    assert rows(db) == before


@pytest.mark.parametrize("key", ["section-11", "six-steps"])
def test_a_partnership_cannot_take_a_shared_key(client, db, auth, york, key):
    admin = auth("admin")
    before = rows(db)
    assert_problem(post_yaml(client, admin, york.id, framework_doc(key)), 409)
    assert rows(db) == before


def test_a_partnerships_own_framework_is_its_own(client, auth, york, north):
    york_version = post_yaml(client, auth("admin"), york.id, framework_doc("local")).json()
    north_admin = auth("north_admin")
    fid = york_version["framework_id"]
    assert_problem(client.get(url(north.id, fid), headers=north_admin), 404)
    assert_problem(client.get(url(north.id, fid, "versions", 1), headers=north_admin), 404)
    keys = [f["key"] for f in client.get(url(north.id), headers=north_admin).json()["items"]]
    assert "local" not in keys
    # North Yorkshire may use the same key for a framework of its own.
    r = post_yaml(client, north_admin, north.id, framework_doc("local"))
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 1 and r.json()["framework_id"] != fid


def test_an_imported_version_can_be_used_by_a_programme(client, auth, york, agency_id):
    admin = auth("admin")
    version = post_yaml(client, admin, york.id, framework_doc("for-use")).json()
    r = client.post(
        f"{API}/partnerships/{york.id}/programmes",
        headers=admin,
        json={
            "title": "Voluntary sector check",
            "framework_version_id": version["id"],
            "opens_on": "2027-01-01",
            "deadline": "2027-02-01",
            "agency_ids": [agency_id("York CVS")],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["framework_version"]["framework_key"] == "for-use"


def test_json_indented_with_tabs_is_json(client, auth, york):
    body = json.dumps(framework_doc("tabbed"), indent="\t")
    r = client.post(
        url(york.id), headers={**auth("admin"), "Content-Type": "application/json"}, content=body
    )
    assert r.status_code == 201, r.text


def test_json_with_escaped_characters_outside_the_bmp(client, auth, york):
    doc = framework_doc("emoji", name="Children's voice 🗣️")
    r = client.post(
        url(york.id),
        headers={**auth("admin"), "Content-Type": "application/json"},
        content=json.dumps(doc),  # ensure_ascii: escapes as surrogate pairs
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Children's voice 🗣️"


def test_yaml_with_characters_outside_the_bmp(client, auth, york):
    r = post_yaml(client, auth("admin"), york.id, framework_doc("emoji", name="Voice 🗣️"))
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Voice 🗣️"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("north_admin", 404), ("editor", 403)])
def test_who_may_import_is_checked_before_the_document(client, auth, york, who, status):
    headers = {**(auth(who) if who else {}), "Content-Type": "text/plain"}
    assert_problem(client.post(url(york.id), headers=headers, content=b"key: x"), status)
