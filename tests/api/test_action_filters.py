"""Filtering action plans by the programme they began in, and who may change an action."""

from datetime import date

import pytest
from apikit import API, HOUSING, assert_problem
from sqlmodel import Session, select
from test_compliance import clear_actions

from api.models import Action, Programme


def url(pid: int, tail: str = "") -> str:
    return f"{API}/partnerships/{pid}{tail}"


def _housing_return(client, auth, pid: int, programme_id: int) -> int:  # type: ignore[no-untyped-def]
    [ret] = client.get(
        url(pid, "/returns"), headers=auth("editor"), params={"programme_id": programme_id}
    ).json()["items"]
    return int(ret["id"])


def _requirement(client, auth, pid: int, return_id: int) -> int:  # type: ignore[no-untyped-def]
    ref = client.get(url(pid, f"/returns/{return_id}"), headers=auth("editor")).json()[
        "framework_version"
    ]
    version = client.get(
        url(pid, f"/frameworks/{ref['framework_id']}/versions/{ref['number']}"),
        headers=auth("editor"),
    ).json()
    return int(version["standards"][0]["requirements"][0]["id"])


def _act(client, auth, pid: int, return_id: int, description: str) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(
        url(pid, f"/returns/{return_id}/actions"),
        headers=auth("editor"),
        json={
            "description": description,
            "owner": "Head of Housing",
            "due_on": "2027-06-30",
            "requirement_ids": [_requirement(client, auth, pid, return_id)],
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def two_cycles(client, auth, db: Session, york, agency_id) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Housing's actions from the 2026 programme and from a second open one, and one
    action that began in no return."""
    clear_actions(db, york.id)
    cycle_2026 = db.exec(select(Programme.id).where(Programme.title.endswith("2026"))).one()  # type: ignore[attr-defined]
    admin = auth("admin")
    created = client.post(
        url(york.id, "/programmes"),
        headers=admin,
        json={"title": "Housing deep dive 2027", "framework_version_id": 1,
              "opens_on": "2027-02-01", "deadline": "2027-04-30",
              "agency_ids": [agency_id(HOUSING)]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    deep_dive = created.json()["id"]
    opened = client.post(url(york.id, f"/programmes/{deep_dive}/open"), headers=admin)
    assert opened.status_code == 200, opened.text
    first = _act(client, auth, york.id, _housing_return(client, auth, york.id, cycle_2026),
                 "Refresh the safeguarding policy")  # fmt: skip
    second = _act(client, auth, york.id, _housing_return(client, auth, york.id, deep_dive),
                  "Train the lettings team")  # fmt: skip
    loose = Action(
        partnership_id=york.id, agency_id=agency_id(HOUSING), return_id=None,
        description="Carried over from the spreadsheet", owner="Head of Housing",
        due_on=date(2027, 6, 30),
    )  # fmt: skip
    db.add(loose)
    db.commit()
    assert loose.id is not None
    return {
        "cycle_2026": cycle_2026,
        "deep_dive": deep_dive,
        "first": first["id"],
        "second": second["id"],
        "loose": loose.id,
    }


def ids(client, headers, pid: int, **params) -> list[int]:  # type: ignore[no-untyped-def]
    r = client.get(url(pid, "/actions"), headers=headers, params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["items"]]


def test_the_programme_filter_keeps_actions_that_began_in_it(client, auth, york, two_cycles):
    admin = auth("admin")
    assert ids(client, admin, york.id, programme_id=two_cycles["cycle_2026"]) == [
        two_cycles["first"]
    ]
    assert ids(client, admin, york.id, programme_id=two_cycles["deep_dive"]) == [
        two_cycles["second"]
    ]
    everything = ids(client, admin, york.id)
    assert set(everything) == {two_cycles["first"], two_cycles["second"], two_cycles["loose"]}


def test_the_programme_filter_combines_with_the_others(client, auth, york, two_cycles, agency_id):
    admin = auth("admin")
    programme = two_cycles["deep_dive"]
    assert ids(client, admin, york.id, programme_id=programme, agency_id=agency_id(HOUSING)) == [
        two_cycles["second"]
    ]
    assert ids(client, admin, york.id, programme_id=programme, agency_id=agency_id("Cafcass")) == []
    assert ids(client, admin, york.id, programme_id=programme, status="done") == []
    assert ids(client, admin, york.id, programme_id=programme, overdue=False) == [
        two_cycles["second"]
    ]


def test_the_programme_filter_never_widens_what_one_may_see(client, auth, york, north, two_cycles):
    programme = two_cycles["cycle_2026"]
    assert ids(client, auth("editor"), york.id, programme_id=programme) == [two_cycles["first"]]
    assert ids(client, auth("executive"), york.id, programme_id=programme) == []
    assert_problem(
        client.get(url(york.id, "/actions"), headers=auth("north_admin"),
                   params={"programme_id": programme}),
        404,
    )  # fmt: skip
    assert ids(client, auth("north_admin"), north.id, programme_id=programme) == []


@pytest.mark.parametrize("param", ["programme_id", "plan_of"])
@pytest.mark.parametrize("bad", ["0", "x", str(2**63)])
def test_a_bad_programme_or_return_id_is_refused(client, auth, york, bad, param):
    r = client.get(url(york.id, "/actions"), headers=auth("admin"), params={param: bad})
    assert_problem(r, 422, field=param)


def test_an_unknown_programme_has_no_actions(client, auth, york, two_cycles):
    assert ids(client, auth("admin"), york.id, programme_id=987654321) == []


def test_each_action_says_whether_the_reader_may_change_it(
    client, auth, york, two_cycles, service_token
):
    action = two_cycles["first"]
    for who, may in [("editor", True), ("approver", True), ("admin", False), ("scrutineer", False)]:
        body = client.get(url(york.id, f"/actions/{action}"), headers=auth(who)).json()
        assert body["may_change"] is may, who
    listed = client.get(url(york.id, "/actions"), headers=auth("editor")).json()["items"]
    assert {a["may_change"] for a in listed} == {True}
    everything, _ = service_token()
    assert client.get(url(york.id, f"/actions/{action}"), headers=everything).json()["may_change"]


def test_a_returns_plan_carries_the_open_actions_of_earlier_programmes(
    client, db, auth, york, two_cycles
):
    """The deep dive (opening after 2026) carries 2026's open action; 2026 does not carry
    the deep dive's, and a finished action is no longer carried."""
    editor = auth("editor")
    deep_dive = _housing_return(client, auth, york.id, two_cycles["deep_dive"])
    cycle_2026 = _housing_return(client, auth, york.id, two_cycles["cycle_2026"])
    assert ids(client, editor, york.id, plan_of=deep_dive) == [
        two_cycles["first"], two_cycles["second"],
    ]  # fmt: skip
    assert ids(client, editor, york.id, plan_of=cycle_2026) == [two_cycles["first"]]
    action = db.get(Action, two_cycles["first"])
    action.status = "cancelled"
    db.add(action)
    db.commit()
    assert ids(client, editor, york.id, plan_of=deep_dive) == [two_cycles["second"]]
    assert ids(client, editor, york.id, plan_of=cycle_2026) == [two_cycles["first"]]
