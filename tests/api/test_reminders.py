"""The time-driven notices the worker queues: deadlines near, overdue actions and follow-ups,
the weekly digest; each once per person and occasion, however often the worker asks."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from apikit import API, PEOPLE
from sqlalchemy import func
from sqlmodel import col, select
from test_submission import answer_all, submit

from api.models import Action, ActionStatus, OutboxMessage, Programme, Return
from api.notices import reminders

DEADLINE = date(2027, 1, 29)  # the demo's 2026 programme
HOUSING_STAFF = [PEOPLE["approver"], PEOPLE["editor"]]


def on(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)


@pytest.fixture
def outbox(db):  # type: ignore[no-untyped-def]
    """What the test queued, of one kind (the demo's own notices came before it began)."""
    start = db.exec(select(func.max(OutboxMessage.id))).one() or 0

    def queued(kind: str, *, to: list[str] | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(
            col(OutboxMessage.id) > start, OutboxMessage.kind == kind
        )
        if to is not None:
            query = query.where(col(OutboxMessage.recipient).in_(to))
        return list(db.exec(query.order_by(col(OutboxMessage.recipient))).all())

    return queued


def test_a_return_not_submitted_is_reminded_14_7_and_1_days_before(db, outbox, housing):  # type: ignore[no-untyped-def]
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=20)))
    assert outbox("deadline_near", to=HOUSING_STAFF) == []

    reminders.write_due(db, now=on(DEADLINE - timedelta(days=7)))
    [approver, editor] = outbox("deadline_near", to=HOUSING_STAFF)
    assert editor.recipient == PEOPLE["editor"]
    assert editor.subject == "City of York Council Housing Services's return is due in 7 days"
    assert "due on 29 January 2027 and has not been submitted" in editor.body
    assert f"/returns/{housing['id']}" in editor.body

    # Asked again the same day, and the next: nothing new (the 7-days reminder was sent).
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=7)))
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=6)))
    assert len(outbox("deadline_near", to=HOUSING_STAFF)) == 2

    reminders.write_due(db, now=on(DEADLINE - timedelta(days=1)))
    subjects = [m.subject for m in outbox("deadline_near", to=[PEOPLE["editor"]])]
    assert subjects[-1] == "City of York Council Housing Services's return is due tomorrow"
    assert len(subjects) == 2


def test_a_worker_that_missed_days_sends_the_nearest_reminder_only(db, outbox, housing):  # type: ignore[no-untyped-def]
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=5)))
    [message] = outbox("deadline_near", to=[PEOPLE["editor"]])
    assert "due in 5 days" in message.subject


def test_a_submitted_return_is_not_reminded(client, db, auth, york, housing, outbox):  # type: ignore[no-untyped-def]
    answer_all(client, auth("editor"), york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=1)))
    assert outbox("deadline_near", to=HOUSING_STAFF) == []


def test_the_programme_chooses_its_reminder_days(client, db, auth, york, housing, outbox):  # type: ignore[no-untyped-def]
    ret = db.get(Return, housing["id"])
    programme = db.get(Programme, ret.programme_id)
    url = f"{API}/partnerships/{york.id}/programmes/{programme.id}"
    r = client.patch(
        url, headers={**auth("admin"), "If-Match": f'"{programme.version}"'},
        json={"reminder_days": [3, 3]},
    )  # fmt: skip
    assert r.status_code == 422  # each number of days once
    r = client.patch(
        url, headers={**auth("admin"), "If-Match": f'"{programme.version}"'},
        json={"reminder_days": [3, 30]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["reminder_days"] == [30, 3]
    db.expire_all()  # the test's session read the programme before the change
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=31)))
    assert outbox("deadline_near", to=HOUSING_STAFF) == []  # no 14-days reminder now
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=30)))
    assert len(outbox("deadline_near", to=HOUSING_STAFF)) == 2
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=7)))
    assert len(outbox("deadline_near", to=HOUSING_STAFF)) == 2  # nor a 7-days one
    reminders.write_due(db, now=on(DEADLINE - timedelta(days=3)))
    assert len(outbox("deadline_near", to=HOUSING_STAFF)) == 4


def test_an_overdue_action_is_told_once_and_again_if_its_date_moves(  # type: ignore[no-untyped-def]
    db, york, agency_id, outbox
):
    action = Action(
        partnership_id=york.id, agency_id=agency_id(), description="Refresh the training plan",
        owner="Head of Housing", due_on=date(2026, 11, 30), status=ActionStatus.in_progress,
    )  # fmt: skip
    db.add(action)
    db.flush()
    reminders.write_due(db, now=on(date(2026, 11, 30)))
    mine = [m for m in outbox("action_overdue") if f"/actions/{action.id}" in m.body]
    assert mine == []  # due today is not overdue
    for day in (date(2026, 12, 1), date(2026, 12, 5)):
        reminders.write_due(db, now=on(day))
    mine = [m for m in outbox("action_overdue") if f"/actions/{action.id}" in m.body]
    assert sorted(m.recipient for m in mine) == HOUSING_STAFF
    assert "Refresh the training plan" in mine[0].body

    action.due_on = date(2026, 12, 10)
    db.add(action)
    db.flush()
    reminders.write_due(db, now=on(date(2026, 12, 11)))
    mine = [m for m in outbox("action_overdue") if f"/actions/{action.id}" in m.body]
    assert len(mine) == 4


def test_the_business_unit_gets_one_digest_a_week(db, york, outbox):  # type: ignore[no-untyped-def]
    monday = date(2027, 2, 1)  # after the 2026 deadline: returns not submitted are late
    reminders.write_due(db, now=on(monday))
    digests = outbox("weekly_digest")
    york_digests = [m for m in digests if m.partnership_id == york.id]
    assert york_digests and all(m.subject.endswith("the week in Section 11") for m in digests)
    body = york_digests[0].body
    assert "Returns past their deadline and not submitted" in body
    assert "Actions overdue:" in body
    reminders.write_due(db, now=on(monday + timedelta(days=4)))
    assert len(outbox("weekly_digest")) == len(digests)
    reminders.write_due(db, now=on(monday + timedelta(days=7)))
    assert len(outbox("weekly_digest")) == 2 * len(digests)
