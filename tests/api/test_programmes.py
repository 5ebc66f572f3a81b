"""Programmes: the life cycle draft → open → closed, edits, and the agencies asked."""

import pytest
from apikit import API, HOUSING, MAX_ID, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Programme, ProgrammeAgency


def url(pid: int, programme: int | None = None, tail: str = "") -> str:
    return f"{API}/partnerships/{pid}/programmes" + (f"/{programme}" if programme else "") + tail


@pytest.fixture
def versions(client, auth, york) -> dict[str, int]:
    """The latest version id of each framework York may use, by key."""
    r = client.get(f"{API}/partnerships/{york.id}/frameworks", headers=auth("admin"))
    return {f["key"]: f["latest_version"]["id"] for f in r.json()["items"]}


@pytest.fixture
def make(client, auth, york, versions, agency_id):
    """Create a programme in York as its admin (a draft asking Housing, unless told)."""

    def create(status: str = "draft", **changes):
        body = {
            "title": "Section 11 self-assessment 2028",
            "framework_version_id": versions["section-11"],
            "opens_on": "2028-04-01",
            "deadline": "2028-06-30",
            "agency_ids": [agency_id(HOUSING)],
            **changes,
        }
        r = client.post(url(york.id), headers=auth("admin"), json=body)
        assert r.status_code == 201, r.text
        programme = r.json()
        for step in ("open", "close")[: ("draft", "open", "closed").index(status)]:
            r = client.post(url(york.id, programme["id"], f"/{step}"), headers=auth("admin"))
            assert r.status_code == 200, r.text
            programme = r.json()
        return programme

    return create


def read(client, headers, pid, programme):
    r = client.get(url(pid, programme), headers=headers)
    assert r.status_code == 200, r.text
    return r.json(), r.headers["ETag"]


def test_create_a_draft(client, db, auth, york, versions, agency_id):
    housing, cafcass = agency_id(HOUSING), agency_id("Cafcass")
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json={
            "title": " Section 11 self-assessment 2028 ",
            "description": "The next cycle.",
            "framework_version_id": versions["section-11"],
            "opens_on": "2028-04-01",
            "deadline": "2028-04-01",  # the same day is allowed
            "agency_ids": [housing, cafcass, housing],
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert body["status"] == "draft" and body["title"] == "Section 11 self-assessment 2028"
    assert body["asked_count"] == 2  # repeats are asked once
    assert body["opened_at"] is None and body["closed_at"] is None
    ref = body["framework_version"]
    assert (ref["id"], ref["framework_key"], ref["number"]) == (
        versions["section-11"],
        "section-11",
        1,
    )
    asked = db.exec(
        select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == body["id"])
    ).all()
    assert sorted(asked) == sorted([housing, cafcass])


def test_create_asking_every_agency(make):
    assert make(all_agencies=True, agency_ids=[])["asked_count"] == 17


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opens_on": "2028-04-01", "deadline": "2028-03-31"}, "deadline"),
        ({"agency_ids": [MAX_ID]}, "agency_ids"),
        ({"agency_ids": "NORTH"}, "agency_ids"),
        ({"framework_version_id": MAX_ID}, "framework_version_id"),
        ({"framework_version_id": "NORTH"}, "framework_version_id"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"opens_on": "1999-12-31"}, "opens_on"),
        ({"deadline": "2101-01-01"}, "deadline"),
        ({"deadline": "2028-02-30"}, "deadline"),
        ({"opens_on": None}, "opens_on"),
        ({"status": "open"}, "status"),
        ({"agency_ids": [0]}, "agency_ids.0"),
    ],
)
def test_create_input_is_checked(
    client, db, auth, york, north, versions, agency_id, changes, field
):
    admin = auth("admin")
    if changes.get("agency_ids") == "NORTH":
        changes = {"agency_ids": [agency_id(HOUSING), agency_id("North Yorkshire Council")]}
    if changes.get("framework_version_id") == "NORTH":
        own = client.post(
            f"{API}/partnerships/{north.id}/frameworks",
            headers=auth("north_admin"),
            json={
                "key": "north-only",
                "name": "North only",
                "rating_scale": {
                    "name": "s",
                    "levels": [
                        {"code": "a", "label": "A", "colour": "green"},
                        {"code": "b", "label": "B", "colour": "red"},
                    ],
                },
                "standards": [
                    {"code": "1", "title": "T", "requirements": [{"code": "1.1", "text": "x"}]}
                ],
            },
        )
        assert own.status_code == 201, own.text
        changes = {"framework_version_id": own.json()["id"]}
    body = {
        "title": "Programme",
        "framework_version_id": versions["section-11"],
        "opens_on": "2028-04-01",
        "deadline": "2028-06-30",
        "agency_ids": [agency_id(HOUSING)],
        **changes,
    }
    before = (count(db, Programme), count(db, AuditEvent))
    assert_problem(client.post(url(york.id), headers=admin, json=body), 422, field=field)
    assert (count(db, Programme), count(db, AuditEvent)) == before


def test_unknown_agencies_are_named(client, auth, york, versions, agency_id):
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json={
            "title": "Programme",
            "framework_version_id": versions["section-11"],
            "opens_on": "2028-04-01",
            "deadline": "2028-06-30",
            "agency_ids": [agency_id(HOUSING), 987654321],
        },
    )
    [error] = assert_problem(r, 422, field="agency_ids")["errors"]
    assert "987654321" in error["message"]


def test_asking_all_agencies_and_naming_some_is_ambiguous(client, db, auth, york, versions):
    before = count(db, Programme)
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json={
            "title": "Programme",
            "framework_version_id": versions["section-11"],
            "opens_on": "2028-04-01",
            "deadline": "2028-06-30",
            "all_agencies": True,
            "agency_ids": [1],
        },
    )
    assert_problem(r, 422, field="agency_ids")
    assert count(db, Programme) == before


# ---------------------------------------------------------------------------------------
# Life cycle


def test_open_then_close(client, db, auth, york, make):
    admin = auth("admin")
    draft = make()
    r = client.post(url(york.id, draft["id"], "/open"), headers=admin)
    assert r.status_code == 200, r.text
    opened = r.json()
    assert opened["status"] == "open" and opened["opened_at"] is not None
    assert opened["version"] == draft["version"] + 1
    assert r.headers["ETag"] == f'"{opened["version"]}"'
    r = client.post(url(york.id, draft["id"], "/close"), headers=admin)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert closed["opened_at"] == opened["opened_at"]
    row = db.exec(select(Programme).where(Programme.id == draft["id"])).one()
    assert row.status == "closed" and row.version == closed["version"]


def test_opening_a_programme_that_asks_no_one_is_a_conflict(client, auth, york, make):
    admin = auth("admin")
    draft = make(agency_ids=[])
    assert draft["asked_count"] == 0
    body = assert_problem(client.post(url(york.id, draft["id"], "/open"), headers=admin), 409)
    assert "agency" in body["detail"]
    assert read(client, admin, york.id, draft["id"])[0] == draft


def test_transitions_check_if_match_when_sent(client, auth, york, make):
    admin = auth("admin")
    draft = make()
    stale = {**admin, "If-Match": f'"{draft["version"] + 1}"'}
    assert_problem(client.post(url(york.id, draft["id"], "/open"), headers=stale), 412)
    assert read(client, admin, york.id, draft["id"])[0]["status"] == "draft"
    current = {**admin, "If-Match": f'"{draft["version"]}"'}
    assert client.post(url(york.id, draft["id"], "/open"), headers=current).status_code == 200


@pytest.mark.parametrize(
    ("status", "step"),
    [("draft", "close"), ("open", "open"), ("closed", "open"), ("closed", "close")],
)
def test_a_move_the_life_cycle_does_not_allow_is_a_conflict(
    lenient_client, auth, york, make, status, step
):
    admin = auth("admin")
    programme = make(status)
    r = lenient_client.post(url(york.id, programme["id"], f"/{step}"), headers=admin)
    assert_problem(r, 409)
    assert read(lenient_client, admin, york.id, programme["id"])[0] == programme


# ---------------------------------------------------------------------------------------
# Edits


def test_edit_needs_the_current_etag(client, db, auth, york, make):
    admin = auth("admin")
    draft = make()
    events = count(db, AuditEvent)
    p = url(york.id, draft["id"])
    assert_problem(client.patch(p, headers=admin, json={"title": "New"}), 428)
    stale = {**admin, "If-Match": '"12"'}
    assert_problem(client.patch(p, headers=stale, json={"title": "New"}), 412)
    assert read(client, admin, york.id, draft["id"])[0] == draft
    assert count(db, AuditEvent) == events
    r = client.patch(
        p, headers={**admin, "If-Match": f'"{draft["version"]}"'}, json={"title": "New"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "New" and r.json()["version"] == draft["version"] + 1
    assert r.headers["ETag"] == f'"{draft["version"] + 1}"'


def test_a_draft_may_change_everything(client, auth, york, make, versions):
    admin = auth("admin")
    draft = make()
    r = client.patch(
        url(york.id, draft["id"]),
        headers={**admin, "If-Match": f'"{draft["version"]}"'},
        json={
            "framework_version_id": versions["six-steps"],
            "opens_on": "2029-01-01",
            "deadline": "2029-02-01",
            "description": "Moved.",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["framework_version"]["framework_key"] == "six-steps"
    assert (body["opens_on"], body["deadline"], body["description"]) == (
        "2029-01-01",
        "2029-02-01",
        "Moved.",
    )


def test_an_open_programme_may_change_title_description_and_deadline(
    client, auth, york, make, versions
):
    admin = auth("admin")
    programme = make("open")
    r = client.patch(
        url(york.id, programme["id"]),
        headers={**admin, "If-Match": f'"{programme["version"]}"'},
        json={
            "title": "Extended",
            "description": None,
            "deadline": "2028-07-31",
            # Unchanged values are not changes.
            "framework_version_id": versions["section-11"],
            "opens_on": programme["opens_on"],
        },
    )
    assert r.status_code == 200, r.text
    assert (r.json()["title"], r.json()["deadline"]) == ("Extended", "2028-07-31")


@pytest.mark.parametrize(
    ("status", "changes", "expected"),
    [
        ("draft", {"deadline": "2028-03-01"}, 422),  # before opens_on
        ("draft", {"opens_on": "2028-07-01"}, 422),  # after the deadline
        ("open", {"deadline": "2028-03-01"}, 422),
        ("draft", {"framework_version_id": MAX_ID}, 422),
        ("draft", {"status": "open"}, 422),
        pytest.param("open", {"framework_version_id": "SIX"}, 409),
        pytest.param("open", {"opens_on": "2028-03-01"}, 409),
        pytest.param("closed", {"title": "Renamed"}, 409),
    ],
)  # fmt: skip
def test_refused_edits_change_nothing(
    lenient_client, db, auth, york, make, versions, status, changes, expected
):
    admin = auth("admin")
    programme = make(status)
    if changes.get("framework_version_id") == "SIX":
        changes = {"framework_version_id": versions["six-steps"]}
    events = count(db, AuditEvent)
    r = lenient_client.patch(
        url(york.id, programme["id"]),
        headers={**admin, "If-Match": f'"{programme["version"]}"'},
        json=changes,
    )
    body = assert_problem(r, expected)
    if expected == 422:
        assert {e["field"] for e in body["errors"]} & {*changes, "deadline"}
    assert read(lenient_client, admin, york.id, programme["id"])[0] == programme
    assert count(db, AuditEvent) == events


def test_the_deadline_error_names_the_deadline(client, auth, york, make):
    admin = auth("admin")
    draft = make()
    r = client.patch(
        url(york.id, draft["id"]),
        headers={**admin, "If-Match": f'"{draft["version"]}"'},
        json={"deadline": "2028-03-31"},
    )
    assert_problem(r, 422, field="deadline")


# ---------------------------------------------------------------------------------------
# Agencies asked


def asked(client, headers, pid, programme) -> list[int]:
    r = client.get(url(pid, programme, "/agencies"), headers=headers, params={"limit": 100})
    assert r.status_code == 200, r.text
    return sorted(a["id"] for a in r.json()["items"])


def test_asking_and_no_longer_asking_in_a_draft(client, db, auth, york, make, agency_id):
    admin = auth("admin")
    housing, cafcass = agency_id(HOUSING), agency_id("Cafcass")
    draft = make()
    p = url(york.id, draft["id"])
    r = client.put(f"{p}/agencies/{cafcass}", headers=admin)
    assert r.status_code == 204 and r.content == b""
    assert asked(client, admin, york.id, draft["id"]) == sorted([housing, cafcass])
    after_ask, etag = read(client, admin, york.id, draft["id"])
    assert after_ask["asked_count"] == 2 and after_ask["version"] == draft["version"] + 1
    # Asking again is harmless: nothing changes, not even the version.
    events = count(db, AuditEvent)
    assert client.put(f"{p}/agencies/{cafcass}", headers=admin).status_code == 204
    assert read(client, admin, york.id, draft["id"]) == (after_ask, etag)
    assert count(db, AuditEvent) == events
    assert client.delete(f"{p}/agencies/{housing}", headers=admin).status_code == 204
    assert asked(client, admin, york.id, draft["id"]) == [cafcass]
    # Removing an agency that is not asked changes nothing either.
    assert client.delete(f"{p}/agencies/{housing}", headers=admin).status_code == 204
    assert read(client, admin, york.id, draft["id"])[0]["asked_count"] == 1


def test_an_open_programme_may_ask_more_agencies(client, auth, york, make, agency_id):
    admin = auth("admin")
    programme = make("open")
    cafcass = agency_id("Cafcass")
    assert (
        client.put(url(york.id, programme["id"], f"/agencies/{cafcass}"), headers=admin).status_code
        == 204
    )
    assert cafcass in asked(client, admin, york.id, programme["id"])


@pytest.mark.parametrize(
    ("status", "method"), [("open", "DELETE"), ("closed", "DELETE"), ("closed", "PUT")]
)
def test_who_is_asked_is_fixed_where_the_rules_say(
    lenient_client, auth, york, make, agency_id, status, method
):
    admin = auth("admin")
    programme = make(status)
    target = agency_id(HOUSING) if method == "DELETE" else agency_id("Cafcass")
    r = lenient_client.request(
        method, url(york.id, programme["id"], f"/agencies/{target}"), headers=admin
    )
    assert_problem(r, 409)
    assert asked(lenient_client, admin, york.id, programme["id"]) == [agency_id(HOUSING)]


def test_asking_an_unknown_agency_is_not_found(client, auth, york, make, agency_id):
    admin = auth("admin")
    draft = make()
    for agency in (agency_id("North Yorkshire Council"), MAX_ID):
        r = client.put(url(york.id, draft["id"], f"/agencies/{agency}"), headers=admin)
        assert_problem(r, 404)
    assert read(client, admin, york.id, draft["id"])[0] == draft


def test_asked_agencies_list_pages_and_filters(client, auth, york):
    admin = auth("admin")
    programmes = client.get(url(york.id), headers=admin, params={"status": "open"}).json()["items"]
    [cycle_2026] = programmes
    p = url(york.id, cycle_2026["id"], "/agencies")
    r = client.get(p, headers=auth("scrutineer"), params={"limit": 5, "offset": 15})
    assert r.json()["total"] == 17 and len(r.json()["items"]) == 2
    r = client.get(p, headers=admin, params={"q": "police"})
    assert sorted(a["name"] for a in r.json()["items"]) == [
        "British Transport Police",
        "North Yorkshire Police",
    ]


# ---------------------------------------------------------------------------------------
# Lists


def test_list_newest_first_with_filters_and_pages(client, auth, york, make):
    admin = auth("admin")
    make(title="Spring draft", opens_on="2029-03-01", deadline="2029-04-01")
    make("open", title="Winter review", opens_on="2027-01-01", deadline="2027-02-01")
    r = client.get(url(york.id), headers=admin)
    assert [p["title"] for p in r.json()["items"]] == [
        "Spring draft",
        "Winter review",
        "Section 11 self-assessment 2026",
        "Section 11 self-assessment 2023",
    ]
    assert r.json()["total"] == 4
    cases = [
        ({"status": "draft"}, ["Spring draft"]),
        ({"status": "open"}, ["Winter review", "Section 11 self-assessment 2026"]),
        ({"status": "closed"}, ["Section 11 self-assessment 2023"]),
        (
            {"q": "SELF-ASSESSMENT"},
            ["Section 11 self-assessment 2026", "Section 11 self-assessment 2023"],
        ),
        ({"q": "2023", "status": "open"}, []),
        ({"limit": 1, "offset": 1}, ["Winter review"]),
    ]
    for params, titles in cases:
        r = client.get(url(york.id), headers=admin, params=params)
        assert [p["title"] for p in r.json()["items"]] == titles, params
    assert client.get(url(york.id), headers=admin, params={"limit": 1}).json()["total"] == 4
    assert_problem(
        client.get(url(york.id), headers=admin, params={"status": "archived"}), 422, field="status"
    )


def test_demo_programmes(client, auth, york):
    items = client.get(url(york.id), headers=auth("scrutineer")).json()["items"]
    by_title = {p["title"]: p for p in items}
    old, new = (
        by_title["Section 11 self-assessment 2023"],
        by_title["Section 11 self-assessment 2026"],
    )
    assert (old["status"], old["asked_count"]) == ("closed", 17)
    assert (new["status"], new["asked_count"]) == ("open", 17)
    assert new["framework_version"]["framework_key"] == "section-11"
