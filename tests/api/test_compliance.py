"""The compliance tracker: who of the agencies asked has returned, on time or late, with
their actions; the rule without a database, then the API against the demo."""

from datetime import UTC, date, datetime

import pytest
from apikit import API, HOUSING, assert_problem, open_programme_asking_all
from sqlalchemy import delete
from sqlmodel import Session, col, select
from test_queries import counting

from api.actions import service as action_service
from api.models import (
    Action,
    ActionRequirement,
    ActionUpdate,
    Agency,
    ModeratedRating,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
    Requirement,
    Return,
    ReturnStatus,
    ReturnVersion,
    Sector,
)
from api.programmes.compliance import ComplianceRow, Standing, Timeliness, percent, sort_rows
from api.programmes.compliance import standing as standing_of

DEADLINE = date(2027, 1, 29)  # the 2026 programme's
TODAY = date(2027, 2, 8)  # ten days after it


# The rule.


@pytest.mark.parametrize(
    ("first", "today", "expected"),
    [
        (date(2027, 1, 10), TODAY, Standing(on_time=True, days_late=None)),
        (DEADLINE, TODAY, Standing(on_time=True, days_late=None)),  # on the day is on time
        (date(2027, 1, 30), TODAY, Standing(on_time=False, days_late=1)),
        (None, TODAY, Standing(on_time=False, days_late=10)),  # outstanding after the deadline
        (None, DEADLINE, Standing(on_time=None, days_late=None)),  # not yet due
        (None, date(2026, 11, 1), Standing(on_time=None, days_late=None)),
    ],
)
def test_on_time_is_the_first_submission_by_the_deadline(first, today, expected):
    assert standing_of(first, DEADLINE, today) == expected


@pytest.mark.parametrize(
    ("wanted", "submitted", "standing", "matches"),
    [
        (Timeliness.on_time, True, Standing(True, None), True),
        (Timeliness.late, True, Standing(False, 3), True),
        (Timeliness.late, False, Standing(False, 3), True),  # outstanding past the deadline
        (Timeliness.outstanding, False, Standing(False, 3), True),
        (Timeliness.outstanding, False, Standing(None, None), True),
        (Timeliness.outstanding, True, Standing(False, 3), False),
        (Timeliness.late, False, Standing(None, None), False),
        (Timeliness.on_time, False, Standing(None, None), False),
    ],
)
def test_the_timeliness_filter(wanted, submitted, standing, matches):
    assert standing.matches(wanted, submitted=submitted) is matches


def test_percentages_round_down_so_100_means_everyone():
    assert [percent(17, 17), percent(16, 17), percent(0, 17), percent(0, 0)] == [100, 94, 0, 0]


def _row(name: str, submitted: datetime | None, open_actions: int = 0) -> ComplianceRow:
    return ComplianceRow(
        return_id=None, agency_id=len(name), agency_name=name, status=None,
        first_submitted_at=submitted, submitted_at=submitted, on_time=None, days_late=None,
        due_on=DEADLINE, extended_to=None,
        version_count=0, moderated=False, open_actions=open_actions, overdue_actions=0,
    )  # fmt: skip


def test_sorting_keeps_agency_order_for_ties_and_blanks_last():
    early, late = datetime(2027, 1, 2, tzinfo=UTC), datetime(2027, 1, 9, tzinfo=UTC)
    rows = [
        _row("Police", late, 1),
        _row("Council", None, 1),
        _row("Board", early),
        _row("Age", None),
    ]
    names = lambda rows: [r.agency_name for r in rows]  # noqa: E731
    assert names(sort_rows(rows, "agency")) == ["Age", "Board", "Council", "Police"]
    assert names(sort_rows(rows, "-agency")) == ["Police", "Council", "Board", "Age"]
    assert names(sort_rows(rows, "submitted_at")) == ["Board", "Police", "Age", "Council"]
    assert names(sort_rows(rows, "-submitted_at")) == ["Police", "Board", "Age", "Council"]
    assert names(sort_rows(rows, "-open_actions")) == ["Council", "Police", "Age", "Board"]


# The API.


def url(pid: int, programme: int, tail: str = "/compliance") -> str:
    return f"{API}/partnerships/{pid}/programmes/{programme}{tail}"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(action_service, "today", lambda: TODAY)
    return TODAY


def clear_actions(db: Session, partnership_id: int) -> None:
    """Start from a partnership with no actions, whatever the demo holds."""
    mine = select(Action.id).where(Action.partnership_id == partnership_id)
    db.exec(delete(ActionUpdate).where(col(ActionUpdate.action_id).in_(mine)))  # type: ignore[call-overload]
    db.exec(delete(ActionRequirement).where(col(ActionRequirement.action_id).in_(mine)))  # type: ignore[call-overload]
    db.exec(delete(Action).where(col(Action.partnership_id) == partnership_id))  # type: ignore[call-overload]


@pytest.fixture
def cycle(db: Session, york) -> Programme:
    """A fresh open programme asking York's 17 agencies, none of whom has begun, in a
    partnership with no actions yet."""
    clear_actions(db, york.id)
    return open_programme_asking_all(
        db, york.id, title="Compliance test cycle", opens_on=date(2026, 10, 1),
        deadline=DEADLINE, opened_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
    )  # fmt: skip


def _return(db: Session, programme: Programme, agency: str) -> Return:
    agency_id = db.exec(select(Agency.id).where(Agency.name == agency)).one()
    return db.exec(
        select(Return).where(Return.programme_id == programme.id, Return.agency_id == agency_id)
    ).one()


def submit(db: Session, ret: Return, *days: date, status: ReturnStatus) -> None:
    """Record submissions made on these days (version 1 first), and the return's status."""
    for number, day in enumerate(days, start=1):
        db.add(
            ReturnVersion(
                return_id=ret.id, number=number, snapshot={}, content_sha256="0" * 64,
                signed_off_name="A Director", signed_off_role="Director",
                submitted_at=datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC),
                due_on=DEADLINE,
            )
        )  # fmt: skip
    ret.status = status
    ret.submitted_at = datetime(days[-1].year, days[-1].month, days[-1].day, 23, 30, tzinfo=UTC)
    db.add(ret)


def add_action(
    db: Session, york, ret: Return | None, agency_id: int, due_on: date, status="planned"
):  # type: ignore[no-untyped-def]
    db.add(
        Action(
            partnership_id=york.id, agency_id=agency_id, return_id=ret.id if ret else None,
            description="Refresh the safeguarding policy", owner="Head of service",
            due_on=due_on, status=status,
        )
    )  # fmt: skip


@pytest.fixture
def progress(db: Session, york, cycle: Programme) -> dict[str, Return]:
    """Housing on time then accepted; Police late, returned, resubmitted, moderated; the
    council submitted on time; everyone else outstanding. Housing has an action plan."""
    housing = _return(db, cycle, HOUSING)
    police = _return(db, cycle, "North Yorkshire Police")
    council = _return(db, cycle, "City of York Council")
    submit(db, housing, date(2027, 1, 20), status=ReturnStatus.accepted)
    submit(db, police, date(2027, 2, 3), date(2027, 2, 6), status=ReturnStatus.returned)
    submit(db, council, DEADLINE, status=ReturnStatus.submitted)
    requirement = db.exec(select(Requirement.id)).first()
    db.add(ModeratedRating(return_id=police.id, requirement_id=requirement, rating="met",
                           moderated_by_label="Bev Business-Unit"))  # fmt: skip
    add_action(db, york, housing, housing.agency_id, date(2027, 1, 31))  # overdue
    add_action(db, york, housing, housing.agency_id, date(2027, 3, 31))
    add_action(db, york, housing, housing.agency_id, date(2027, 1, 1), status="done")
    add_action(db, york, None, police.agency_id, date(2027, 1, 1))  # from no return: no plan
    db.commit()
    return {"housing": housing, "police": police, "council": council}


def test_the_tracker_counts_every_agency_asked(client, auth, york, cycle, progress, frozen):
    r = client.get(url(york.id, cycle.id), headers=auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["programme_id"], body["deadline"]) == (cycle.id, "2027-01-29")
    assert body["totals"] == {
        "asked": 17, "submitted": 3, "on_time": 2, "late": 15, "outstanding": 14,
        "accepted": 1, "returned": 1, "with_action_plan": 1, "percent_returned": 17,
    }  # fmt: skip
    rows = {row["agency_name"]: row for row in body["rows"]}
    assert len(rows) == 17
    assert [row["agency_name"] for row in body["rows"]] == sorted(rows, key=str.casefold)
    housing, police = rows[HOUSING], rows["North Yorkshire Police"]
    assert housing | {"first_submitted_at": None, "submitted_at": None} == {
        "due_on": "2027-01-29", "extended_to": None,
        "return_id": progress["housing"].id, "agency_id": progress["housing"].agency_id,
        "agency_name": HOUSING, "status": "accepted",
        "first_submitted_at": None, "submitted_at": None,
        "on_time": True, "days_late": None, "version_count": 1, "moderated": False,
        "open_actions": 2, "overdue_actions": 1,
    }  # fmt: skip
    assert housing["first_submitted_at"].startswith("2027-01-20T23:30")
    assert (police["status"], police["on_time"], police["days_late"]) == ("returned", False, 5)
    assert police["first_submitted_at"].startswith("2027-02-03")
    assert police["submitted_at"].startswith("2027-02-06")
    assert (police["version_count"], police["moderated"], police["open_actions"]) == (2, True, 1)
    assert police["overdue_actions"] == 1
    assert rows["City of York Council"]["on_time"] is True  # on the deadline day
    cafcass = rows["Cafcass"]
    assert (cafcass["status"], cafcass["on_time"], cafcass["days_late"]) == (
        "not_started",
        False,
        10,
    )


def test_before_the_deadline_nobody_is_late(client, auth, york, cycle, monkeypatch):
    monkeypatch.setattr(action_service, "today", lambda: date(2026, 11, 26))
    body = client.get(url(york.id, cycle.id), headers=auth("scrutineer")).json()
    assert body["totals"] | {"asked": 0} == {
        "asked": 0, "submitted": 0, "on_time": 0, "late": 0, "outstanding": 17,
        "accepted": 0, "returned": 0, "with_action_plan": 0, "percent_returned": 0,
    }  # fmt: skip
    assert {(r["status"], r["on_time"], r["days_late"]) for r in body["rows"]} == {
        ("not_started", None, None)
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": "accepted"}, [HOUSING]),
        ({"status": "returned"}, ["North Yorkshire Police"]),
        ({"timeliness": "on_time"}, ["City of York Council", HOUSING]),
        ({"timeliness": "late", "status": "returned"}, ["North Yorkshire Police"]),
        ({"moderated": "true"}, ["North Yorkshire Police"]),
        ({"moderated": "true", "status": "accepted"}, []),
        ({"timeliness": "on_time", "sort": "-submitted_at"}, ["City of York Council", HOUSING]),
        ({"timeliness": "on_time", "sort": "submitted_at"}, [HOUSING, "City of York Council"]),
    ],
)
def test_rows_are_filtered_but_totals_are_not(
    client, auth, york, cycle, progress, frozen, params, names
):
    body = client.get(url(york.id, cycle.id), headers=auth("admin"), params=params).json()
    assert [r["agency_name"] for r in body["rows"]] == names
    assert body["totals"]["asked"] == 17


def test_filters_for_outstanding_and_not_started(client, auth, york, cycle, progress, frozen):
    headers = auth("admin")
    outstanding = client.get(url(york.id, cycle.id), headers=headers,
                             params={"timeliness": "outstanding"}).json()  # fmt: skip
    not_started = client.get(url(york.id, cycle.id), headers=headers,
                             params={"status": "not_started"}).json()  # fmt: skip
    late = client.get(url(york.id, cycle.id), headers=headers, params={"timeliness": "late"}).json()
    assert len(outstanding["rows"]) == len(not_started["rows"]) == 14
    assert len(late["rows"]) == 15  # 14 outstanding after the deadline, and the police


def test_sorting_by_actions_and_status(client, auth, york, cycle, progress, frozen):
    headers = auth("admin")
    body = client.get(url(york.id, cycle.id), headers=headers,
                      params={"sort": "-open_actions"}).json()  # fmt: skip
    assert [r["agency_name"] for r in body["rows"][:2]] == [HOUSING, "North Yorkshire Police"]
    body = client.get(url(york.id, cycle.id), headers=headers, params={"sort": "-status"}).json()
    assert [r["status"] for r in body["rows"][:3]] == ["accepted", "returned", "submitted"]
    assert_problem(
        client.get(url(york.id, cycle.id), headers=headers, params={"sort": "name"}),
        422,
        field="sort",
    )
    assert_problem(
        client.get(url(york.id, cycle.id), headers=headers, params={"timeliness": "soon"}),
        422,
        field="timeliness",
    )


def test_a_draft_programme_lists_agencies_without_returns(client, auth, york, cycle, agency_id):
    draft = client.post(
        f"{API}/partnerships/{york.id}/programmes",
        headers=auth("admin"),
        json={"title": "Section 11 self-assessment 2028", "framework_version_id": 1,
              "opens_on": "2028-01-01", "deadline": "2028-03-31",
              "agency_ids": [agency_id(HOUSING), agency_id("Cafcass")]},
    )  # fmt: skip
    assert draft.status_code == 201, draft.text
    body = client.get(url(york.id, draft.json()["id"]), headers=auth("admin")).json()
    assert body["totals"]["asked"] == 2 and body["totals"]["outstanding"] == 2
    assert [(r["agency_name"], r["return_id"], r["status"]) for r in body["rows"]] == [
        ("Cafcass", None, None),
        (HOUSING, None, None),
    ]
    only = client.get(url(york.id, draft.json()["id"]), headers=auth("admin"),
                      params={"status": "not_started"}).json()  # fmt: skip
    assert len(only["rows"]) == 2
    # Only the partnership's oversight reads a draft's tracker.
    assert (
        client.get(url(york.id, draft.json()["id"]), headers=auth("scrutineer")).status_code == 200
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("scrutineer", 200), ("panel", 200), ("executive", 200), ("editor", 403),
     ("approver", 403), ("north_admin", 404), ("platform", 404)],
)  # fmt: skip
def test_oversight_executives_and_panel_members_read_the_tracker(
    client, auth, york, cycle, who, status
):
    """Executives get read-only dashboards (DOMAIN.md), so they and the panel see where each
    return stands; agency staff see only their own agency's."""
    r = client.get(url(york.id, cycle.id), headers=auth(who))
    if status == 200:
        assert r.status_code == 200, r.text
        assert r.json()["totals"]["asked"] == 17
    else:
        assert_problem(r, status)


@pytest.mark.parametrize("who", ["panel", "executive"])
def test_reading_the_tracker_does_not_open_the_returns(client, auth, york, cycle, who):
    """The tracker says where a return stands; what it says stays with oversight."""
    rows = client.get(url(york.id, cycle.id), headers=auth("admin")).json()["rows"]
    return_id = next(r["return_id"] for r in rows if r["return_id"])
    r = client.get(f"{API}/partnerships/{york.id}/returns/{return_id}", headers=auth(who))
    assert r.status_code in (403, 404)


def test_service_tokens_read_the_tracker_with_read(client, york, cycle, service_token):
    """The tracker says who returned and when, never an answer: `read` is enough."""
    reader, _ = service_token(["read"])
    assert client.get(url(york.id, cycle.id), headers=reader).status_code == 200
    people, _ = service_token(["people:read"])
    assert_problem(client.get(url(york.id, cycle.id), headers=people), 403)
    assert_problem(client.get(url(york.id, cycle.id)), 401)


def test_another_partnership_s_programme_is_not_found(client, auth, db, york, north, cycle):
    north_programme = client.post(
        f"{API}/partnerships/{north.id}/programmes",
        headers=auth("north_admin"),
        json={"title": "North 2027", "framework_version_id": 1, "opens_on": "2027-01-01",
              "deadline": "2027-03-31", "all_agencies": True},
    )  # fmt: skip
    assert north_programme.status_code == 201, north_programme.text
    nid = north_programme.json()["id"]
    assert client.get(url(north.id, nid), headers=auth("north_admin")).status_code == 200
    assert_problem(client.get(url(york.id, nid), headers=auth("admin")), 404)
    assert_problem(client.get(url(north.id, cycle.id), headers=auth("north_admin")), 404)
    assert_problem(client.get(url(north.id, nid), headers=auth("admin")), 404)


# A fixed number of statements, however many agencies are asked.

MORE = 25


def _ask_more(db: Session, york, cycle: Programme) -> None:
    """Ask more agencies, each with a submitted, moderated return and actions."""
    requirement = db.exec(select(Requirement.id)).first()
    for i in range(MORE):
        agency = Agency(
            name=f"Extra agency {i:02}", sector=Sector.other, owner_partnership_id=york.id
        )
        db.add(agency)
        db.flush()
        assert agency.id is not None and cycle.id is not None
        db.add(PartnershipAgency(partnership_id=york.id, agency_id=agency.id))
        db.add(ProgrammeAgency(programme_id=cycle.id, agency_id=agency.id))
        ret = Return(programme_id=cycle.id, agency_id=agency.id)
        db.add(ret)
        db.flush()
        submit(db, ret, date(2027, 1, 2), date(2027, 1, 9), status=ReturnStatus.submitted)
        db.add(ModeratedRating(return_id=ret.id, requirement_id=requirement, rating="met",
                               moderated_by_label="Bev Business-Unit"))  # fmt: skip
        add_action(db, york, ret, agency.id, date(2027, 1, 1))
        add_action(db, york, ret, agency.id, date(2027, 6, 1))


def test_the_tracker_takes_the_same_statements_for_17_agencies_or_more(
    client, db, engine, auth, york, cycle, progress, frozen
):
    headers = auth("admin")

    def fetch() -> tuple[dict, list[str]]:
        with counting(engine) as statements:
            r = client.get(url(york.id, cycle.id), headers=headers, params={"sort": "-status"})
        assert r.status_code == 200, r.text
        return r.json(), statements

    fetch()  # warm up anything done once
    few_body, few = fetch()
    _ask_more(db, york, cycle)
    db.commit()
    many_body, many = fetch()

    assert (few_body["totals"]["asked"], many_body["totals"]["asked"]) == (17, 17 + MORE)
    assert many_body["totals"]["with_action_plan"] == 1 + MORE
    assert len(many) == len(few), "\n".join(many)
    # Signing in and the savepoint take five; the programme and the tracker one each.
    assert len(many) <= 7, "\n".join(many)
    assert sum("return_version" in s for s in many) == 1
