"""The partnership's review of a return: back to the agency for more information with reasons
by requirement, its own ratings beside the agency's, and acceptance; and who may do each."""

import pytest
from apikit import assert_problem, count
from sqlmodel import col, select
from test_submission import answer_all, submit, url

from api.models import (
    AuditEvent,
    Framework,
    FrameworkVersion,
    ModeratedRating,
    Requirement,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.problems import Conflict
from api.reviews import rules


def review(pid: int, ret: int, tail: str) -> str:
    return url(pid, f"/returns/{ret}/{tail}")


@pytest.fixture
def submitted(client, auth, york, housing) -> dict:
    """York's housing return for 2026, answered in full and submitted (version 1)."""
    answer_all(client, auth("editor"), york.id, housing)
    r = submit(client, auth("approver"), york.id, housing["id"])
    assert r.status_code == 200, r.text
    return housing


@pytest.fixture
def standards(client, auth, york, housing) -> list[dict]:
    """The standards of the return's framework version, with their requirements."""
    ref = client.get(url(york.id, f"/returns/{housing['id']}"), headers=auth("admin")).json()[
        "framework_version"
    ]
    version = client.get(
        url(york.id, f"/frameworks/{ref['framework_id']}/versions/{ref['number']}"),
        headers=auth("admin"),
    ).json()
    return version["standards"]


@pytest.fixture
def six_steps(db) -> tuple[int, int]:
    """A requirement and a standard of another framework (the scrutineer's Six Steps)."""
    requirement_id, standard_id = db.exec(
        select(Requirement.id, Standard.id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .join(FrameworkVersion, col(FrameworkVersion.id) == Standard.framework_version_id)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
        .where(Framework.key == "six-steps")
    ).first()
    return requirement_id, standard_id


def send_back(client, headers, pid, ret, reason="", notes=(), **extra):  # type: ignore[no-untyped-def]
    body = {"reason": reason, "requirements": [{"requirement_id": r, "note": n} for r, n in notes]}
    return client.post(review(pid, ret, "return"), headers={**headers, **extra}, json=body)


def moderate(client, headers, pid, ret, subject, rating, etag='"0"', note=""):  # type: ignore[no-untyped-def]
    return client.put(
        review(pid, ret, f"moderation/{subject}"),
        headers={**headers, "If-Match": etag},
        json={"rating": rating, "note": note},
    )


def accept(client, headers, pid, ret, **body):  # type: ignore[no-untyped-def]
    return client.post(review(pid, ret, "accept"), headers=headers, json=body)


def test_the_whole_review_cycle(client, db, auth, york, submitted, standards):
    pid, ret = york.id, submitted["id"]
    first, second = submitted["requirements"][:2]
    admin, editor = auth("admin"), auth("editor")

    read = client.get(url(pid, f"/returns/{ret}"), headers=admin)
    assert read.json()["may_review"] is True
    r = send_back(
        client, admin, pid, ret, reason="Please add the March board minutes.",
        notes=[(first, "Which policy? Attach it."), (second, "Name the lead.")],
        **{"If-Match": read.headers["ETag"]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "returned" and r.headers["ETag"] == f'"{body["version"]}"'
    assert body["editable"] is True

    # The agency reads the reasons where it answers.
    seen = client.get(url(pid, f"/returns/{ret}"), headers=editor).json()
    assert seen["may_review"] is False
    notes = {n["requirement_id"]: n for n in seen["review_notes"]}
    assert notes[first]["note"] == "Which policy? Attach it."
    assert notes[second]["version_number"] == 1
    assert notes[None]["note"] == "Please add the March board minutes."
    assert notes[None]["author_label"]
    moved = db.exec(
        select(ReturnEvent).where(ReturnEvent.return_id == ret).order_by(col(ReturnEvent.id))
    ).all()
    assert (moved[-1].to_status, moved[-1].reason) == (
        ReturnStatus.returned,
        "Please add the March board minutes.",
    )

    # The editor fixes an answer; the approver submits again, as version 2.
    answer = next(a for a in seen["responses"] if a["requirement_id"] == first)
    fixed = client.put(
        url(pid, f"/returns/{ret}/responses/{first}"),
        headers={**editor, "If-Match": f'"{answer["version"]}"'},
        json={"rating": "met", "evidence": "Safeguarding policy v4, attached to the minutes"},
    )
    assert fixed.status_code == 200, fixed.text
    again = submit(client, auth("approver"), pid, ret)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "submitted"

    # The partnership rates a requirement and a standard itself, then accepts.
    r = moderate(client, admin, pid, ret, f"requirements/{first}", "partially_met", note="Thin")
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"1"'
    assert r.json()["requirement_id"] == first and r.json()["rating"] == "partially_met"
    changed = moderate(client, admin, pid, ret, f"requirements/{first}", "met", etag='"1"')
    assert changed.status_code == 200 and changed.json()["version"] == 2
    standard_id = standards[0]["id"]
    r = moderate(client, admin, pid, ret, f"standards/{standard_id}", "met", note="Good")
    assert r.status_code == 200, r.text
    assert (r.json()["standard_id"], r.json()["requirement_id"]) == (standard_id, None)
    r = accept(client, admin, pid, ret, note="Thorough; thank you.")
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "accepted" and done["accepted_at"]
    assert {(m["requirement_id"], m["standard_id"], m["rating"]) for m in done["moderation"]} == {
        (first, None, "met"),
        (None, standard_id, "met"),
    }
    # The agency's own rating stands beside the partnership's, unchanged.
    assert next(a for a in done["responses"] if a["requirement_id"] == first)["rating"] == "met"
    assert [n["version_number"] for n in done["review_notes"]] == [1, 1, 1]
    numbers = select(ReturnVersion.number).where(ReturnVersion.return_id == ret)
    assert sorted(db.exec(numbers).all()) == [1, 2]
    assert db.get(Return, ret).accepted_at is not None
    last = db.exec(
        select(ReturnEvent).where(ReturnEvent.return_id == ret).order_by(col(ReturnEvent.id).desc())
    ).first()
    assert (last.to_status, last.reason) == (ReturnStatus.accepted, "Thorough; thank you.")
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.entity_id == ret).order_by(col(AuditEvent.id))
    ).all()
    assert actions.count("return.send_back") == 1
    assert actions.count("return.moderate") == 3
    assert actions[-1] == "return.accept"


@pytest.mark.parametrize("who", ["editor", "approver", "scrutineer"])
def test_only_the_partnership_reviews(client, db, auth, york, submitted, standards, who):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    headers = auth(who)
    assert_problem(send_back(client, headers, pid, ret, reason="More, please"), 403)
    assert_problem(moderate(client, headers, pid, ret, f"requirements/{first}", "met"), 403)
    standard = standards[0]["id"]
    assert_problem(moderate(client, headers, pid, ret, f"standards/{standard}", "met"), 403)
    assert_problem(accept(client, headers, pid, ret), 403)
    assert db.get(Return, ret).status == ReturnStatus.submitted
    assert count(db, ReviewNote, ReviewNote.return_id == ret) == 0
    assert count(db, ModeratedRating, ModeratedRating.return_id == ret) == 0


@pytest.mark.parametrize("who", ["north_admin", "panel", "executive", "platform"])
def test_those_who_cannot_see_the_return_are_told_it_does_not_exist(
    client, auth, york, submitted, who
):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    headers = auth(who)
    assert_problem(send_back(client, headers, pid, ret, reason="More, please"), 404)
    assert_problem(moderate(client, headers, pid, ret, f"requirements/{first}", "met"), 404)
    assert_problem(accept(client, headers, pid, ret), 404)


def test_another_agencys_staff_see_nothing_of_the_review(
    client, auth, york, submitted, agency_id, token_for
):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    admin = auth("admin")
    r = client.post(
        url(pid, "/users"),
        headers=admin,
        json={"email": "cafcass.editor@york.example", "name": "Cass Editor",
              "password": "a long enough password",
              "roles": [{"role": "agency_editor", "agency_id": agency_id("Cafcass")}]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    send_back(client, admin, pid, ret, notes=[(first, "Private to Housing")])
    other = token_for("cafcass.editor@york.example")
    assert_problem(client.get(url(pid, f"/returns/{ret}"), headers=other), 404)
    assert_problem(accept(client, other, pid, ret), 404)
    mine = client.get(url(pid, "/returns"), headers=other).json()["items"]
    assert ret not in {x["id"] for x in mine}


def test_a_service_token_reviews_only_with_its_scope(client, auth, york, submitted, service_token):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    reader, _ = service_token(["read", "returns:read"])
    assert_problem(moderate(client, reader, pid, ret, f"requirements/{first}", "met"), 403)
    reviewer, _ = service_token(["read", "returns:read", "returns:review"], name="reviewer")
    r = moderate(client, reviewer, pid, ret, f"requirements/{first}", "met")
    assert r.status_code == 200, r.text
    assert r.json()["moderated_by_label"]


def test_a_return_not_yet_submitted_cannot_be_reviewed(client, db, auth, york, housing):
    pid, ret, first = york.id, housing["id"], housing["requirements"][0]
    admin = auth("admin")
    problem = assert_problem(send_back(client, admin, pid, ret, reason="More, please"), 409)
    assert "not started" in problem["detail"]
    problem = assert_problem(moderate(client, admin, pid, ret, f"requirements/{first}", "met"), 409)
    assert "nothing to moderate" in problem["detail"]
    assert_problem(accept(client, admin, pid, ret), 409)
    assert db.get(Return, ret).status == ReturnStatus.not_started
    assert count(db, ReviewNote, ReviewNote.return_id == ret) == 0


def test_a_closed_programmes_return_is_accepted_not_returned(client, db, auth, york, submitted):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    admin = auth("admin")
    programme = client.get(url(pid, f"/returns/{ret}"), headers=admin).json()["programme_id"]
    closed = client.post(url(pid, f"/programmes/{programme}/close"), headers=admin)
    assert closed.status_code == 200, closed.text
    problem = assert_problem(send_back(client, admin, pid, ret, reason="More, please"), 409)
    assert "closed" in problem["detail"]
    assert count(db, ReviewNote, ReviewNote.return_id == ret) == 0
    r = moderate(client, admin, pid, ret, f"requirements/{first}", "not_met")
    assert r.status_code == 200, r.text
    assert accept(client, admin, pid, ret).json()["status"] == "accepted"


def test_a_rating_must_come_from_the_frameworks_scale(client, db, auth, york, submitted):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    r = moderate(client, auth("admin"), pid, ret, f"requirements/{first}", "outstanding")
    problem = assert_problem(r, 422, field="rating")
    assert "met, partially_met, not_met, not_applicable" in problem["detail"]
    assert count(db, ModeratedRating, ModeratedRating.return_id == ret) == 0


def test_a_stale_moderation_is_refused_with_the_newer_rating(client, db, auth, york, submitted):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    admin = auth("admin")
    assert moderate(client, admin, pid, ret, f"requirements/{first}", "met").status_code == 200
    r = moderate(client, admin, pid, ret, f"requirements/{first}", "not_met", note="Mine")
    problem = assert_problem(r, 412)
    assert problem["current"]["rating"] == "met" and problem["current"]["version"] == 1
    assert_problem(
        client.put(
            review(pid, ret, f"moderation/requirements/{first}"),
            headers=admin,
            json={"rating": "met"},
        ),
        428,
    )
    [stored] = db.exec(select(ModeratedRating).where(ModeratedRating.return_id == ret)).all()
    assert (stored.rating, stored.version) == ("met", 1)


def test_accepting_ends_the_review(client, db, auth, york, submitted, standards):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    admin = auth("admin")
    assert accept(client, admin, pid, ret).status_code == 200
    problem = assert_problem(accept(client, admin, pid, ret), 409)
    assert "accepted" in problem["detail"]
    problem = assert_problem(moderate(client, admin, pid, ret, f"requirements/{first}", "met"), 409)
    assert "review is over" in problem["detail"]
    standard = standards[0]["id"]
    assert_problem(moderate(client, admin, pid, ret, f"standards/{standard}", "met"), 409)
    assert_problem(send_back(client, admin, pid, ret, reason="More, please"), 409)
    moves = db.exec(select(ReturnEvent.to_status).where(ReturnEvent.return_id == ret)).all()
    assert moves.count(ReturnStatus.accepted) == 1


def test_a_requirement_or_standard_of_another_framework(
    client, db, auth, york, submitted, six_steps
):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    admin = auth("admin")
    requirement, standard = six_steps
    r = send_back(client, admin, pid, ret, notes=[(first, "Fine"), (requirement, "Elsewhere")])
    assert_problem(r, 422, field="requirements.1.requirement_id")
    assert_problem(moderate(client, admin, pid, ret, f"requirements/{requirement}", "met"), 404)
    assert_problem(moderate(client, admin, pid, ret, f"standards/{standard}", "met"), 404)
    assert count(db, ReviewNote, ReviewNote.return_id == ret) == 0
    assert count(db, ModeratedRating, ModeratedRating.return_id == ret) == 0
    assert db.get(Return, ret).status == ReturnStatus.submitted


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "   ", "requirements": []}, "reason"),
        ({}, "reason"),
        ({"requirements": [{"requirement_id": 1, "note": ""}]}, "requirements.0.note"),
        ({"reason": "x" * 5001}, "reason"),
        ({"reason": "Why", "extra": 1}, "extra"),
    ],
)
def test_a_return_for_information_needs_a_note(client, db, auth, york, submitted, body, field):
    r = client.post(review(york.id, submitted["id"], "return"), headers=auth("admin"), json=body)
    assert_problem(r, 422, field=field)
    assert count(db, ReviewNote, ReviewNote.return_id == submitted["id"]) == 0


def test_a_requirement_is_named_once(client, db, auth, york, submitted):
    pid, ret, first = york.id, submitted["id"], submitted["requirements"][0]
    r = send_back(client, auth("admin"), pid, ret, notes=[(first, "One"), (first, "Two")])
    assert_problem(r, 422, field="requirements.1.requirement_id")
    assert count(db, ReviewNote, ReviewNote.return_id == ret) == 0


def test_a_return_for_information_made_against_an_old_read_is_refused(
    client, db, auth, york, submitted
):
    pid, ret = york.id, submitted["id"]
    r = send_back(client, auth("admin"), pid, ret, reason="More", **{"If-Match": '"1"'})
    assert_problem(r, 412)
    assert db.get(Return, ret).status == ReturnStatus.submitted


def test_notes_without_a_whole_return_note_are_counted_in_the_history(
    client, db, auth, york, submitted
):
    pid, ret = york.id, submitted["id"]
    first, second = submitted["requirements"][:2]
    r = send_back(client, auth("admin"), pid, ret, notes=[(first, "A"), (second, "B")])
    assert r.status_code == 200, r.text
    assert [n["requirement_id"] for n in r.json()["review_notes"]] == [first, second]
    last = db.exec(
        select(ReturnEvent.reason)
        .where(ReturnEvent.return_id == ret)
        .order_by(col(ReturnEvent.id).desc())
    ).first()
    assert last == "returned with 2 notes"


# The rules, without a database.


def test_what_a_review_may_do_at_each_status():
    s = ReturnStatus
    assert [x for x in s if rules.may_moderate(x)] == [s.submitted, s.returned]
    assert [x for x in s if rules.may_accept(x)] == [s.submitted]
    assert [x for x in s if rules.may_send_back(x, programme_open=True)] == [s.submitted]
    assert not rules.may_send_back(s.submitted, programme_open=False)
    with pytest.raises(Conflict, match="review is over"):
        rules.check_moderate(s.accepted)
    with pytest.raises(Conflict, match="nothing to moderate"):
        rules.check_moderate(s.in_progress)
    with pytest.raises(Conflict, match="closed"):
        rules.check_send_back(programme_open=False)


def test_send_back_problems_and_reasons():
    assert rules.send_back_problems("", []) == {
        "reason": rules.send_back_problems("", [])["reason"]
    }
    assert rules.send_back_problems("Why", []) == {}
    assert set(rules.send_back_problems("", [4, 5, 4])) == {"requirements.2.requirement_id"}
    assert rules.send_back_reason("  Why  ", 3) == "Why"
    assert rules.send_back_reason("", 1) == "returned with 1 note"
    assert rules.send_back_reason("", 2) == "returned with 2 notes"
