"""On time means on time when submitted: each submission records the due date then in
force, so moving the deadline later relabels nobody."""

from datetime import UTC, date, datetime, timedelta

import pytest
from apikit import API, assert_problem, count, open_programme_asking_all
from sqlmodel import Session, select

from api.models import (
    AuditEvent,
    Programme,
    Requirement,
    Return,
    Standard,
)
from api.permissions import ReturnsView
from api.returns import answers, service
from api.returns.schemas import BulkAnswer, SignOffIn
from api.security import Principal

EVERY = ReturnsView(agencies=None)

TODAY = datetime.now(UTC).date()
APPROVER = Principal(label="An approver", token_id=None)


@pytest.fixture
def cycle(db: Session, york) -> Programme:  # type: ignore[no-untyped-def]
    """An open programme, due in a month, asking York's 17 agencies."""
    return open_programme_asking_all(
        db, york.id, title="Due dates test cycle", opens_on=TODAY - timedelta(days=60),
        deadline=TODAY + timedelta(days=30), opened_at=datetime.now(UTC),
    )  # fmt: skip


def _submit(db: Session, york, programme: Programme, ret: Return) -> None:  # type: ignore[no-untyped-def]
    """Answer every requirement as met, and submit, through the services the API uses."""
    db.expire_all()  # read what the API wrote
    requirements = db.exec(
        select(Requirement.id)
        .join(Standard)
        .where(Standard.framework_version_id == programme.framework_version_id)
    ).all()
    assert ret.id is not None
    found = service.get(db, partnership_id=york.id, return_id=ret.id, view=EVERY)
    answers.save_responses(
        db, principal=APPROVER, partnership_id=york.id, found=found,
        answers=[BulkAnswer(requirement_id=r, rating="met", evidence="Policy", version=0)
                 for r in requirements if r is not None],
    )  # fmt: skip
    found = service.get(db, partnership_id=york.id, return_id=ret.id, view=EVERY)
    service.submit(
        db, principal=APPROVER, partnership_id=york.id, found=found,
        sign_off=SignOffIn(name="A Director", role="Director", declaration=True),
    )  # fmt: skip
    db.commit()


def anyone(headers: dict[str, str]) -> dict[str, str]:
    """These tests are not about staleness: change whatever version is current."""
    return {**headers, "If-Match": "*"}


def _tracker(client, auth, york, programme: Programme) -> dict:  # type: ignore[no-untyped-def]
    r = client.get(
        f"{API}/partnerships/{york.id}/programmes/{programme.id}/compliance",
        headers=auth("admin"),
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_moving_the_deadline_earlier_relabels_no_earlier_submission(client, db, auth, york, cycle):
    returns = db.exec(select(Return).where(Return.programme_id == cycle.id)).all()
    assert len(returns) == 17
    for ret in returns[:16]:
        _submit(db, york, cycle, ret)
    moved = client.patch(
        f"{API}/partnerships/{york.id}/programmes/{cycle.id}",
        headers={**auth("admin"), "If-Match": f'"{cycle.version}"'},
        json={"deadline": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert moved.status_code == 200, moved.text
    _submit(db, york, cycle, returns[16])
    body = _tracker(client, auth, york, cycle)
    assert (body["totals"]["on_time"], body["totals"]["late"]) == (16, 1)
    late = [r for r in body["rows"] if r["on_time"] is False]
    assert [(r["return_id"], r["days_late"]) for r in late] == [(returns[16].id, 1)]
    assert late[0]["due_on"] == (TODAY - timedelta(days=1)).isoformat()


def test_an_extension_makes_a_later_submission_on_time(client, db, auth, york, cycle):
    cycle.deadline = TODAY - timedelta(days=3)
    db.add(cycle)
    db.commit()
    ret = db.exec(select(Return).where(Return.programme_id == cycle.id)).first()
    assert ret is not None
    extension = f"{API}/partnerships/{york.id}/returns/{ret.id}/extension"
    later = (TODAY + timedelta(days=7)).isoformat()
    reason = "A new safeguarding lead starts this month"
    early = {"due_on": cycle.deadline.isoformat(), "reason": reason}
    assert_problem(
        client.put(extension, headers=anyone(auth("admin")), json=early), 422, field="due_on"
    )
    assert_problem(
        client.put(
            extension, headers=anyone(auth("scrutineer")), json={"due_on": later, "reason": reason}
        ),
        403,
    )
    r = client.put(
        extension, headers=anyone(auth("admin")), json={"due_on": later, "reason": reason}
    )
    assert r.status_code == 200, r.text
    assert r.json()["due_on"] == later and r.json()["extension"]["reason"] == reason
    assert count(db, AuditEvent, AuditEvent.action == "return.extend") == 1
    _submit(db, york, cycle, ret)
    row = next(r for r in _tracker(client, auth, york, cycle)["rows"] if r["return_id"] == ret.id)
    assert (row["on_time"], row["days_late"]) == (True, None)
    assert row["due_on"] == row["extended_to"] == later
    # Once submitted, the date it was due is history.
    assert_problem(client.delete(extension, headers=anyone(auth("admin"))), 409)


def test_the_due_date_is_the_deadline_or_a_later_extension():
    from api.returns.rules import due_date

    deadline = date(2027, 1, 29)
    assert due_date(deadline, None) == deadline
    assert due_date(deadline, date(2027, 2, 5)) == date(2027, 2, 5)
    assert due_date(deadline, date(2027, 1, 1)) == deadline  # never earlier than everyone's


def test_an_extension_sent_against_a_stale_version_is_refused(client, db, auth, york, cycle):
    """If-Match, when sent, must name the return as it now is: the pages always send it."""
    ret = db.exec(select(Return).where(Return.programme_id == cycle.id)).first()
    assert ret is not None
    extension = f"{API}/partnerships/{york.id}/returns/{ret.id}/extension"
    later = (cycle.deadline + timedelta(days=7)).isoformat()
    stale = {**auth("admin"), "If-Match": f'"{ret.version}"'}
    first = client.put(extension, headers=stale, json={"due_on": later, "reason": "First"})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == f'"{ret.version + 1}"'
    again = client.put(extension, headers=stale, json={"due_on": later, "reason": "Second"})
    assert_problem(again, 412)
    assert_problem(client.delete(extension, headers=stale), 412)
    assert (
        client.get(extension.removesuffix("/extension"), headers=auth("admin")).json()["extension"][
            "reason"
        ]
        == "First"
    )
