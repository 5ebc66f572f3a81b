"""Agencies: listing, filtering, paging, creating and updating with If-Match; shared agencies:
who keeps their name and sector, audit in every partnership, offering and accepting."""

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
        "id", "partnership_id", "name", "sector", "statutory_partner", "owner_partnership_id",
        "owner_partnership_name", "version", "created_at", "updated_at",
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


# ---------------------------------------------------------------------------------------
# Shared agencies: York added the police and the ICB, and shares them with North Yorkshire.

POLICE = "North Yorkshire Police"


def _events(db, agency: int, partnership_id: int, action: str) -> list[AuditEvent]:
    return list(
        db.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == agency,
                AuditEvent.partnership_id == partnership_id,
                AuditEvent.action == action,
            )
        )
    )


def test_the_partnership_that_added_an_agency_keeps_it(client, auth, york, north, agency_id):
    police = agency_id(POLICE)
    in_york, _ = _read(client, auth("admin"), york.id, police)
    in_north, _ = _read(client, auth("north_admin"), north.id, police)
    for view in (in_york, in_north):
        assert view["owner_partnership_id"] == york.id
        assert view["owner_partnership_name"] == york.name


@pytest.mark.parametrize("body", [{"name": "Police"}, {"sector": "other"}])
def test_another_member_may_not_change_the_shared_facts(
    client, db, auth, york, north, agency_id, body
):
    north_admin, police = auth("north_admin"), agency_id(POLICE)
    before, etag = _read(client, north_admin, north.id, police)
    events = count(db, AuditEvent)
    r = client.patch(url(north.id, police), headers={**north_admin, "If-Match": etag}, json=body)
    assert "kept by City of York" in assert_problem(r, 403)["detail"]
    assert _read(client, north_admin, north.id, police) == (before, etag)
    assert _read(client, auth("admin"), york.id, police)[0]["name"] == POLICE
    assert count(db, AuditEvent) == events


def test_another_member_keeps_its_own_statutory_flag(client, db, auth, york, north, agency_id):
    north_admin, police = auth("north_admin"), agency_id(POLICE)
    _, etag = _read(client, north_admin, north.id, police)
    r = client.patch(
        url(north.id, police),
        headers={**north_admin, "If-Match": etag},
        json={"statutory_partner": False},
    )
    assert r.status_code == 200, r.text
    assert r.json()["statutory_partner"] is False
    assert _read(client, auth("admin"), york.id, police)[0]["statutory_partner"] is True
    # Its own fact: audited in North Yorkshire only.
    assert len(_events(db, police, north.id, "agency.update")) == 1
    assert _events(db, police, york.id, "agency.update") == []


def test_a_change_of_shared_facts_is_audited_in_every_partnership(
    client, db, auth, york, north, agency_id
):
    admin, police = auth("admin"), agency_id(POLICE)
    _, etag = _read(client, admin, york.id, police)
    r = client.patch(
        url(york.id, police),
        headers={**admin, "If-Match": etag},
        json={"name": "North Yorkshire Police Service", "statutory_partner": False},
    )
    assert r.status_code == 200, r.text
    (in_york,) = _events(db, police, york.id, "agency.update")
    (in_north,) = _events(db, police, north.id, "agency.update")
    for event in (in_york, in_north):
        assert event.before["name"] == POLICE
        assert event.after["name"] == "North Yorkshire Police Service"
    assert in_york.after["statutory_partner"] is False
    assert "statutory_partner" not in in_north.after  # York's own fact is not North's to read
    north_view, _ = _read(client, auth("north_admin"), north.id, police)
    assert north_view["name"] == "North Yorkshire Police Service"
    assert north_view["statutory_partner"] is True
    log = client.get(
        f"{API}/partnerships/{north.id}/audit-events",
        headers=auth("north_admin"),
        params={"entity_id": police, "action": "agency.update"},
    )
    assert log.json()["total"] == 1


def _offer(client, headers, pid: int, agency: int, slug: str):
    return client.post(f"{url(pid, agency)}/offers", headers=headers, json={"partnership": slug})


def _offers(pid: int) -> str:
    return f"{API}/partnerships/{pid}/agency-offers"


def test_sharing_is_offered_then_accepted(client, db, auth, york, north, agency_id):
    admin, north_admin, housing = auth("admin"), auth("north_admin"), agency_id(HOUSING)
    r = _offer(client, admin, york.id, housing, "north-yorkshire")
    assert r.status_code == 201, r.text
    offer = r.json()
    assert offer["agency_name"] == HOUSING
    assert offer["offered_by"] == {"id": york.id, "name": york.name}
    assert offer["offered_to"] == {"id": north.id, "name": north.name}
    # Nothing changes in North Yorkshire until it accepts.
    assert_problem(client.get(url(north.id, housing), headers=north_admin), 404)
    for pid, headers in ((york.id, admin), (north.id, north_admin)):
        listed = client.get(_offers(pid), headers=headers).json()
        assert [o["id"] for o in listed["items"]] == [offer["id"]]
        assert len(_events(db, offer["id"], pid, "agency_offer.create")) == 1
    # York may not accept its own offer.
    assert_problem(
        client.post(f"{_offers(york.id)}/{offer['id']}/accept", headers=admin, json={}), 404
    )
    r = client.post(
        f"{_offers(north.id)}/{offer['id']}/accept",
        headers=north_admin,
        json={"statutory_partner": True},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["partnership_id"] == north.id and body["statutory_partner"] is True
    assert body["owner_partnership_id"] == york.id
    assert client.get(url(north.id, housing), headers=north_admin).json() == body
    assert _read(client, admin, york.id, housing)[0]["statutory_partner"] is False
    assert client.get(_offers(north.id), headers=north_admin).json()["total"] == 0
    for pid in (york.id, north.id):
        assert len(_events(db, housing, pid, "agency.link")) == 1
        assert len(_events(db, offer["id"], pid, "agency_offer.accept")) == 1
    # North Yorkshire reads it, but the name stays York's to change.
    etag = client.get(url(north.id, housing), headers=north_admin).headers["ETag"]
    r = client.patch(
        url(north.id, housing), headers={**north_admin, "If-Match": etag}, json={"name": "H"}
    )
    assert_problem(r, 403)


def test_only_the_keeper_offers(client, auth, york, north, agency_id):
    r = _offer(client, auth("north_admin"), north.id, agency_id(POLICE), "york")
    assert_problem(r, 403)
    north_council = agency_id("North Yorkshire Council")
    assert_problem(_offer(client, auth("admin"), york.id, north_council, "north-yorkshire"), 404)


@pytest.mark.parametrize("slug", ["york", "no-such-partnership"])
def test_an_offer_names_another_partnership(client, db, auth, york, agency_id, slug):
    before = count(db, AuditEvent)
    r = _offer(client, auth("admin"), york.id, agency_id(HOUSING), slug)
    assert_problem(r, 422, field="partnership")
    assert count(db, AuditEvent) == before


def test_an_offer_to_a_member_or_twice_is_a_conflict(client, auth, york, agency_id):
    admin = auth("admin")
    assert_problem(_offer(client, admin, york.id, agency_id(POLICE), "north-yorkshire"), 409)
    housing = agency_id(HOUSING)
    assert _offer(client, admin, york.id, housing, "north-yorkshire").status_code == 201
    assert_problem(_offer(client, admin, york.id, housing, "north-yorkshire"), 409)


def test_a_taken_name_is_told_only_to_the_partnership_offered_to(
    client, auth, york, north, agency_id
):
    """York cannot learn from an offer what North Yorkshire's list holds."""
    north_admin, housing = auth("north_admin"), agency_id(HOUSING)
    r = client.post(url(north.id), headers=north_admin, json={"name": HOUSING, "sector": "housing"})
    assert r.status_code == 201, r.text
    offered = _offer(client, auth("admin"), york.id, housing, "north-yorkshire")
    assert offered.status_code == 201, offered.text
    accept = f"{_offers(north.id)}/{offered.json()['id']}/accept"
    assert_problem(client.post(accept, headers=north_admin, json={}), 409)


@pytest.mark.parametrize(("who", "action"), [("north_admin", "decline"), ("admin", "withdraw")])
def test_an_offer_is_declined_or_withdrawn(client, db, auth, york, north, agency_id, who, action):
    housing = agency_id(HOUSING)
    offer = _offer(client, auth("admin"), york.id, housing, "north-yorkshire").json()
    pid = north.id if who == "north_admin" else york.id
    r = client.delete(f"{_offers(pid)}/{offer['id']}", headers=auth(who))
    assert r.status_code == 204, r.text
    for p in (york.id, north.id):
        assert (
            client.get(_offers(p), headers=auth("admin" if p == york.id else "north_admin")).json()[
                "total"
            ]
            == 0
        )
        assert len(_events(db, offer["id"], p, f"agency_offer.{action}")) == 1
    assert_problem(client.get(url(north.id, housing), headers=auth("north_admin")), 404)
