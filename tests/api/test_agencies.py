"""Agencies: listing, filtering, paging, creating and updating with If-Match."""

import pytest
from apikit import API, HOUSING, assert_problem, count
from sqlmodel import select

from api.demo import YORK_AGENCIES
from api.models import Agency, AuditEvent, PartnershipAgency

STATUTORY = sorted(name for name, _, statutory in YORK_AGENCIES if statutory)
OTHERS = sorted(name for name, _, statutory in YORK_AGENCIES if not statutory)


def url(pid: int, agency: int | None = None) -> str:
    return f"{API}/partnerships/{pid}/agencies" + (f"/{agency}" if agency else "")


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [a["name"] for a in response.json()["items"]]


def test_list_puts_statutory_partners_first_then_orders_by_name(client, auth, york):
    r = client.get(url(york.id), headers=auth("panel"))
    assert names(r) == STATUTORY + OTHERS
    body = r.json()
    assert (body["total"], body["limit"], body["offset"]) == (17, 20, 0)
    assert [a["statutory_partner"] for a in body["items"]] == [True] * 3 + [False] * 14
    assert {a["partnership_id"] for a in body["items"]} == {york.id}
    first = body["items"][0]
    assert set(first) == {
        "id", "partnership_id", "name", "sector", "statutory_partner", "version",
        "created_at", "updated_at",
    }  # fmt: skip


def test_pages_cover_the_list_once(client, auth, york):
    headers = auth("editor")
    pages = []
    for offset in range(0, 20, 5):
        r = client.get(url(york.id), headers=headers, params={"limit": 5, "offset": offset})
        body = r.json()
        assert body["total"] == 17 and body["limit"] == 5 and body["offset"] == offset
        pages.append(names(r))
    assert [len(p) for p in pages] == [5, 5, 5, 2]
    assert sum(pages, []) == STATUTORY + OTHERS


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "YORK"}, [n for n in STATUTORY + OTHERS if "york" in n.lower()]),
        ({"q": "council"}, ["City of York Council", *[n for n in OTHERS if "Council" in n]]),
        ({"sector": "police"}, ["North Yorkshire Police", "British Transport Police"]),
        ({"statutory_partner": "true"}, STATUTORY),
        ({"statutory_partner": "false"}, OTHERS),
        (
            {"sector": "health", "statutory_partner": "false"},
            [
                "Tees, Esk and Wear Valleys NHS Foundation Trust",
                "York and Scarborough Teaching Hospitals NHS Foundation Trust",
                "Yorkshire Ambulance Service NHS Trust",
            ],
        ),
        ({"sector": "police", "q": "transport"}, ["British Transport Police"]),
        ({"q": "(domestic"}, ["IDAS (domestic abuse support)"]),
        ({"q": "%"}, []),  # LIKE wildcards are matched literally
        ({"q": "York_"}, []),
        ({"sector": "probation", "statutory_partner": "true"}, []),
    ],
)
def test_filters(client, auth, york, params, expected):
    r = client.get(url(york.id), headers=auth("executive"), params={**params, "limit": 100})
    assert names(r) == expected
    assert r.json()["total"] == len(expected)


def test_another_partnership_lists_its_own_agencies(client, auth, north):
    r = client.get(url(north.id), headers=auth("north_admin"))
    assert sorted(names(r)) == [
        "Humber and North Yorkshire Integrated Care Board",
        "North Yorkshire Council",
        "North Yorkshire Police",
    ]


def test_read_gives_the_etag(client, auth, york, agency_id):
    r = client.get(url(york.id, agency_id(HOUSING)), headers=auth("approver"))
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == HOUSING and body["sector"] == "housing"
    assert body["statutory_partner"] is False and body["partnership_id"] == york.id
    assert r.headers["ETag"] == f'"{body["version"]}"'


def test_create(client, db, auth, york):
    events = count(db, AuditEvent)
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json={"name": "  York Mind  ", "sector": "voluntary"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == '"1"'
    assert body["name"] == "York Mind" and body["statutory_partner"] is False
    assert body["version"] == 1 and body["partnership_id"] == york.id
    assert client.get(url(york.id, body["id"]), headers=auth("panel")).json() == body
    assert client.get(url(york.id), headers=auth("panel")).json()["total"] == 18
    link = db.exec(select(PartnershipAgency).where(PartnershipAgency.agency_id == body["id"])).one()
    assert link.partnership_id == york.id
    assert count(db, AuditEvent) == events + 1


@pytest.mark.parametrize("name", [HOUSING, HOUSING.upper(), f"  {HOUSING.lower()} "])
def test_duplicate_name_in_the_partnership_is_a_conflict(client, db, auth, york, name):
    before = count(db, Agency)
    r = client.post(url(york.id), headers=auth("admin"), json={"name": name, "sector": "housing"})
    assert_problem(r, 409)
    assert count(db, Agency) == before


def test_a_name_used_in_another_partnership_is_free(client, auth, york):
    r = client.post(
        url(york.id),
        headers=auth("admin"),
        json={"name": "North Yorkshire Council", "sector": "local_authority"},
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "sector": "hospital"}, "sector"),
        ({"name": "x"}, "sector"),
        ({"sector": "other"}, "name"),
        ({"name": "", "sector": "other"}, "name"),
        ({"name": "x" * 201, "sector": "other"}, "name"),
        ({"name": "x", "sector": "other", "statutory_partner": "perhaps"}, "statutory_partner"),
        ({"name": "x", "sector": "other", "partnership_id": 2}, "partnership_id"),
    ],
)
def test_create_input_is_checked(client, db, auth, york, body, field):
    admin = auth("admin")
    before = count(db, Agency)
    assert_problem(client.post(url(york.id), headers=admin, json=body), 422, field=field)
    assert count(db, Agency) == before


def test_longest_name_is_accepted(client, auth, york):
    r = client.post(
        url(york.id), headers=auth("admin"), json={"name": "x" * 200, "sector": "other"}
    )
    assert r.status_code == 201, r.text


# ---------------------------------------------------------------------------------------
# Updates


def _read(client, headers, pid, agency):
    r = client.get(url(pid, agency), headers=headers)
    assert r.status_code == 200, r.text
    return r.json(), r.headers["ETag"]


def test_update_needs_if_match(client, db, auth, york, agency_id):
    admin, housing = auth("admin"), agency_id(HOUSING)
    before = _read(client, admin, york.id, housing)
    events = count(db, AuditEvent)
    r = client.patch(url(york.id, housing), headers=admin, json={"sector": "other"})
    assert_problem(r, 428)
    assert _read(client, admin, york.id, housing) == before
    assert count(db, AuditEvent) == events


def test_update_with_a_stale_etag_changes_nothing(client, db, auth, york, agency_id):
    admin, housing = auth("admin"), agency_id(HOUSING)
    before = _read(client, admin, york.id, housing)
    events = count(db, AuditEvent)
    r = client.patch(
        url(york.id, housing),
        headers={**admin, "If-Match": '"41"'},
        json={"name": "Housing", "statutory_partner": True},
    )
    assert_problem(r, 412)
    assert _read(client, admin, york.id, housing) == before
    assert count(db, AuditEvent) == events


def test_update_with_the_current_etag(client, auth, york, agency_id):
    admin, housing = auth("admin"), agency_id(HOUSING)
    before, etag = _read(client, admin, york.id, housing)
    r = client.patch(
        url(york.id, housing),
        headers={**admin, "If-Match": etag},
        json={"name": "York Housing", "statutory_partner": True},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "York Housing" and body["statutory_partner"] is True
    assert body["sector"] == "housing"  # untouched
    assert body["version"] == before["version"] + 1
    assert r.headers["ETag"] == f'"{body["version"]}"' != etag
    assert _read(client, admin, york.id, housing) == (body, r.headers["ETag"])
    statutory = client.get(url(york.id), headers=admin, params={"statutory_partner": True})
    assert "York Housing" in names(statutory)


def test_renaming_to_a_taken_name_is_a_conflict(client, auth, york, agency_id):
    admin, housing = auth("admin"), agency_id(HOUSING)
    before, etag = _read(client, admin, york.id, housing)
    r = client.patch(
        url(york.id, housing), headers={**admin, "If-Match": etag}, json={"name": "york cvs"}
    )
    assert_problem(r, 409)
    assert _read(client, admin, york.id, housing) == (before, etag)
    # Its own name, in another case, is not taken.
    r = client.patch(
        url(york.id, housing), headers={**admin, "If-Match": etag}, json={"name": HOUSING.upper()}
    )
    assert r.status_code == 200, r.text


def test_renaming_a_shared_agency_respects_every_partnership_it_belongs_to(
    client, auth, york, north, agency_id
):
    admin, police = auth("admin"), agency_id("North Yorkshire Police")
    _, etag = _read(client, admin, york.id, police)
    r = client.patch(
        url(york.id, police),
        headers={**admin, "If-Match": etag},
        json={"name": "North Yorkshire Council"},
    )
    assert_problem(r, 409)
    in_north = names(client.get(url(north.id), headers=auth("north_admin")))
    assert in_north.count("North Yorkshire Council") == 1


def test_statutory_partner_is_per_partnership(client, auth, york, north, agency_id):
    """The flag lives on the membership: changing it in York leaves North Yorkshire alone."""
    admin, police = auth("admin"), agency_id("North Yorkshire Police")
    _, etag = _read(client, admin, york.id, police)
    r = client.patch(
        url(york.id, police), headers={**admin, "If-Match": etag}, json={"statutory_partner": False}
    )
    assert r.status_code == 200 and r.json()["statutory_partner"] is False
    north_view, _ = _read(client, auth("north_admin"), north.id, police)
    assert north_view["statutory_partner"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [({"sector": "hospital"}, "sector"), ({"name": ""}, "name"), ({"colour": "red"}, "colour")],
)
def test_update_input_is_checked(client, auth, york, agency_id, body, field):
    admin, housing = auth("admin"), agency_id(HOUSING)
    before, etag = _read(client, admin, york.id, housing)
    r = client.patch(url(york.id, housing), headers={**admin, "If-Match": etag}, json=body)
    assert_problem(r, 422, field=field)
    assert _read(client, admin, york.id, housing) == (before, etag)
