"""The emails that changes send, queued in the outbox in the change's own transaction: who
gets each, what it says, and that a failed change or a turned-off kind sends nothing."""

import pytest
from apikit import API, PEOPLE, assert_problem
from sqlalchemy import func
from sqlmodel import col, select
from test_review import accept, send_back
from test_submission import answer_all, submit

from api.models import AuditEvent, Membership, NoticeOptOut, OutboxMessage, Role, User

HOUSING_STAFF = [PEOPLE["approver"], PEOPLE["editor"]]


@pytest.fixture
def outbox(db):  # type: ignore[no-untyped-def]
    """What the test queues (the demo's own notices were queued before it began)."""
    start = db.exec(select(func.max(OutboxMessage.id))).one() or 0

    def queued(kind: str) -> list[OutboxMessage]:
        return list(
            db.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > start, OutboxMessage.kind == kind)
                .order_by(col(OutboxMessage.recipient))
            ).all()
        )

    return queued


@pytest.fixture
def answered(client, auth, york, housing) -> dict:  # type: ignore[no-untyped-def]
    answer_all(client, auth("editor"), york.id, housing)
    return housing


def admins_of(db, partnership_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        db.exec(
            select(User.email)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(
                Membership.partnership_id == partnership_id,
                Membership.role == Role.partnership_admin,
            )
            .distinct()
        ).all()
    )


def test_a_submission_tells_the_business_unit(client, db, auth, york, answered, outbox):  # type: ignore[no-untyped-def]
    assert submit(client, auth("approver"), york.id, answered["id"]).status_code == 200
    messages = outbox("return_submitted")
    assert [m.recipient for m in messages] == admins_of(db, york.id)
    first = messages[0]
    assert first.subject == "City of York Council Housing Services submitted its return"
    assert '"Section 11 self-assessment 2026"' in first.body
    assert f"http://127.0.0.1:8000/p/{york.id}/returns/{answered['id']}" in first.body
    assert "because you are a partnership admin in City of York" in first.body
    assert "/account/notices" in first.body
    assert first.partnership_id == york.id
    # Nobody at an agency is told of its own submission.
    assert outbox("return_returned") == outbox("return_accepted") == []


def test_a_return_sent_back_tells_its_agency_why(client, auth, york, answered, outbox):  # type: ignore[no-untyped-def]
    submit(client, auth("approver"), york.id, answered["id"])
    first = answered["requirements"][0]
    r = send_back(
        client, auth("admin"), york.id, answered["id"], reason="Please add the board minutes.",
        notes=[(first, "Which policy? Attach it.")],
    )  # fmt: skip
    assert r.status_code == 200, r.text
    messages = outbox("return_returned")
    assert [m.recipient for m in messages] == HOUSING_STAFF
    body = messages[0].body
    assert "Please add the board minutes." in body
    assert ": Which policy? Attach it." in body  # under the requirement's code
    assert "an editor or approver for City of York Council Housing Services" in body
    assert len({m.key for m in messages}) == 2  # one per person


def test_acceptance_tells_the_agency(client, auth, york, answered, outbox):  # type: ignore[no-untyped-def]
    submit(client, auth("approver"), york.id, answered["id"])
    r = accept(client, auth("admin"), york.id, answered["id"], note="Thorough, thank you.")
    assert r.status_code == 200, r.text
    messages = outbox("return_accepted")
    assert [m.recipient for m in messages] == HOUSING_STAFF
    assert "Thorough, thank you." in messages[0].body


def test_a_person_who_turned_a_kind_off_is_not_sent_it(  # type: ignore[no-untyped-def]
    client, db, auth, york, answered, outbox, user_id
):
    db.add(NoticeOptOut(user_id=user_id("editor"), kind="return_accepted"))
    db.flush()
    submit(client, auth("approver"), york.id, answered["id"])
    accept(client, auth("admin"), york.id, answered["id"])
    assert [m.recipient for m in outbox("return_accepted")] == [PEOPLE["approver"]]


def test_nobody_is_sent_a_notice_when_the_change_fails(client, db, auth, york, answered, outbox):  # type: ignore[no-untyped-def]
    submit(client, auth("approver"), york.id, answered["id"])
    events = db.exec(select(func.count()).select_from(AuditEvent)).one()
    r = send_back(client, auth("admin"), york.id, answered["id"], notes=[(2**40, "No such")])
    assert_problem(r, 422)
    assert outbox("return_returned") == []
    assert db.exec(select(func.count()).select_from(AuditEvent)).one() == events


def test_each_person_chooses_the_kinds_they_are_sent(client, auth, york, answered, outbox):  # type: ignore[no-untyped-def]
    editor = auth("editor")
    settings = client.get(f"{API}/me/notices", headers=editor).json()["notices"]
    assert all(n["on"] for n in settings) and len(settings) == 8
    r = client.put(f"{API}/me/notices", headers=editor, json={"off": ["return_accepted"]})
    assert r.status_code == 200, r.text
    off = [n["kind"] for n in r.json()["notices"] if not n["on"]]
    assert off == ["return_accepted"]
    submit(client, auth("approver"), york.id, answered["id"])
    accept(client, auth("admin"), york.id, answered["id"])
    assert [m.recipient for m in outbox("return_accepted")] == [PEOPLE["approver"]]
    # Turning every kind on again is an empty list; an unknown kind is refused.
    assert_problem(client.put(f"{API}/me/notices", headers=editor, json={"off": ["spam"]}), 422)
    r = client.put(f"{API}/me/notices", headers=editor, json={"off": []})
    assert all(n["on"] for n in r.json()["notices"])


def test_a_service_token_has_no_notices(client, service_token):  # type: ignore[no-untyped-def]
    headers, _ = service_token(["read"])
    assert_problem(client.get(f"{API}/me/notices", headers=headers), 403)
