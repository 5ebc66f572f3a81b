"""Submitting a return: every rule listed at once; a submission is a frozen, hashed version."""

import hashlib
import json
from datetime import date

from apikit import API, assert_problem, count
from sqlmodel import col, select

from api.models import (
    Action,
    ActionRequirement,
    Programme,
    Requirement,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
    Standard,
)
from api.returns import submission

SIGN_OFF = {"name": "Ann Approver", "role": "Head of Housing", "declaration": True}


def url(pid: int, tail: str = "") -> str:
    return f"{API}/partnerships/{pid}{tail}"


def answer_all(client, headers, pid, housing, rating="met", **body):  # type: ignore[no-untyped-def]
    for rid in housing["requirements"]:
        r = client.put(
            url(pid, f"/returns/{housing['id']}/responses/{rid}"),
            headers={**headers, "If-Match": '"0"'},
            json={"rating": rating, "evidence": "Policy and board minutes", **body},
        )
        assert r.status_code == 200, r.text


def submit(client, headers, pid, ret, **sign_off):  # type: ignore[no-untyped-def]
    return client.post(
        url(pid, f"/returns/{ret}/submit"), headers=headers, json={**SIGN_OFF, **sign_off}
    )


def test_every_unmet_rule_is_listed_at_once(client, db, auth, york, housing):
    first = housing["requirements"][0]
    client.put(
        url(york.id, f"/returns/{housing['id']}/responses/{first}"),
        headers={**auth("editor"), "If-Match": '"0"'},
        json={"rating": "partially_met"},
    )
    r = submit(client, auth("approver"), york.id, housing["id"], declaration=False)
    problem = assert_problem(r, 422)
    fields = [e["field"] for e in problem["errors"]]
    assert fields[:2] == [f"responses.{first}.evidence", f"responses.{first}.actions"]
    assert sum(f.endswith(".rating") for f in fields) == 36
    assert fields[-1] == "sign_off.declaration"
    assert problem["detail"].startswith(f"{len(fields)} things to do")
    assert db.get(Return, housing["id"]).status == ReturnStatus.in_progress
    assert count(db, ReturnVersion, ReturnVersion.return_id == housing["id"]) == 0


def test_a_complete_return_is_submitted_as_version_one(client, db, auth, york, housing):
    answer_all(client, auth("editor"), york.id, housing)
    r = submit(client, auth("approver"), york.id, housing["id"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["submitted_at"]
    [version] = db.exec(select(ReturnVersion).where(ReturnVersion.return_id == housing["id"])).all()
    assert version.number == 1 and len(version.content_sha256) == 64
    assert version.signed_off_name == "Ann Approver"
    assert len(version.snapshot["responses"]) == 37
    assert "accurate" in version.snapshot["sign_off"]["declaration"]
    # The stored content and its hash keep the shape every earlier version was frozen in.
    assert list(version.snapshot) == [
        "return_id", "programme_id", "agency_id", "framework_version_id",
        "responses", "attachments", "actions", "sign_off",
    ]  # fmt: skip
    assert list(version.snapshot["responses"][0]) == [
        "requirement_id",
        "code",
        "rating",
        "evidence",
        "comment",
    ]
    assert list(version.snapshot["sign_off"]) == ["name", "role", "declaration"]
    canonical = json.dumps(version.snapshot, sort_keys=True, ensure_ascii=False)
    assert version.content_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    moves = db.exec(
        select(ReturnEvent.to_status).where(ReturnEvent.return_id == housing["id"])
    ).all()
    assert moves == [ReturnStatus.in_progress, ReturnStatus.submitted]


def test_a_submitted_return_cannot_be_submitted_again_or_edited(client, db, auth, york, housing):
    answer_all(client, auth("editor"), york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    assert_problem(submit(client, auth("approver"), york.id, housing["id"]), 409)
    first = housing["requirements"][0]
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses/{first}"),
        headers={**auth("editor"), "If-Match": '"1"'},
        json={"rating": "not_met"},
    )
    assert_problem(r, 409)
    assert count(db, ReturnVersion, ReturnVersion.return_id == housing["id"]) == 1


def test_a_rating_that_needs_an_action_is_met_by_an_open_action(client, auth, york, housing):
    editor = auth("editor")
    answer_all(client, editor, york.id, housing, rating="partially_met")
    r = submit(client, auth("approver"), york.id, housing["id"])
    assert len(assert_problem(r, 422)["errors"]) == 37  # an action for each
    r = client.post(
        url(york.id, f"/returns/{housing['id']}/actions"),
        headers=editor,
        json={"description": "Close the gaps", "owner": "Head of Housing",
              "due_on": "2027-06-30", "requirement_ids": housing["requirements"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200


def test_only_the_approver_submits(client, auth, york, housing):
    answer_all(client, auth("editor"), york.id, housing)
    assert_problem(submit(client, auth("editor"), york.id, housing["id"]), 403)


def test_not_applicable_needs_a_reason(client, auth, york, housing):
    answer_all(client, auth("editor"), york.id, housing, rating="not_applicable", evidence="")
    problem = assert_problem(submit(client, auth("approver"), york.id, housing["id"]), 422)
    assert {e["field"].rsplit(".", 1)[1] for e in problem["errors"]} == {"comment"}


def test_a_shared_agency_freezes_only_this_partnerships_actions(db, york, north, agency_id):
    """The police are in York and North Yorkshire, each with its own action plan: what York
    freezes (and counts towards its rules) is York's plan alone."""
    police = agency_id("North Yorkshire Police")
    ret, version_id = db.exec(
        select(Return, Programme.framework_version_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Programme.partnership_id == york.id, Return.agency_id == police)
        .order_by(col(Programme.id).desc())
    ).first()
    requirement = db.exec(
        select(Requirement.id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version_id)
    ).first()

    def plan(partnership_id: int, description: str) -> int:
        action = Action(
            partnership_id=partnership_id, agency_id=police, description=description,
            owner="Safeguarding lead", due_on=date(2027, 3, 31),
        )  # fmt: skip
        db.add(action)
        db.flush()
        assert action.id is not None
        db.add(ActionRequirement(action_id=action.id, requirement_id=requirement))
        return action.id

    def facts() -> submission.SubmissionFacts:
        return submission.facts(
            db, partnership_id=york.id, ret=ret, framework_version_id=version_id
        )

    def open_on_requirement(found: submission.SubmissionFacts) -> int:
        return next(a.open_actions for a in found.answers if a.requirement_id == requirement)

    before = open_on_requirement(facts())
    ours, theirs = plan(york.id, "York's own plan"), plan(north.id, "North Yorkshire's plan")
    db.commit()

    found = facts()
    frozen = {a.id for a in found.actions}
    assert ours in frozen and theirs not in frozen
    assert open_on_requirement(found) == before + 1
