"""Starting a return from the agency's last accepted return of the same framework."""

import pytest
from apikit import assert_problem
from sqlmodel import select
from test_submission import url

from api.models import (
    Attachment,
    EvidenceFile,
    Programme,
    RequirementResponse,
    Return,
    ReturnStatus,
)
from api.models.base import utcnow


@pytest.fixture
def accepted_2023(db, york, housing) -> Return:  # type: ignore[no-untyped-def]
    """Housing's 2023 return, accepted, with two answers and a file."""
    programme = db.exec(
        select(Programme).where(Programme.title == "Section 11 self-assessment 2023")
    ).one()
    old = db.exec(
        select(Return).where(Return.programme_id == programme.id,
                             Return.agency_id == db.get(Return, housing["id"]).agency_id)
    ).first()  # fmt: skip
    if old is None:
        old = Return(programme_id=programme.id, agency_id=db.get(Return, housing["id"]).agency_id)
    old.status, old.accepted_at = ReturnStatus.accepted, utcnow()
    db.add(old)
    db.flush()
    for r in db.exec(select(RequirementResponse).where(RequirementResponse.return_id == old.id)):
        db.delete(r)
    first, second = housing["requirements"][:2]
    db.add(RequirementResponse(return_id=old.id, requirement_id=first, rating="met",
                               evidence="The 2023 policy", comment="Board approved"))  # fmt: skip
    db.add(RequirementResponse(return_id=old.id, requirement_id=second, rating="not_met",
                               evidence="", comment=""))  # fmt: skip
    if db.get(EvidenceFile, "a" * 64) is None:
        db.add(EvidenceFile(sha256="a" * 64, size=4, content=b"text"))
        db.flush()
    db.add(Attachment(return_id=old.id, requirement_id=first, sha256="a" * 64,
                      filename="policy.txt", media_type="text/plain", size=4,
                      uploaded_by_label="Someone"))  # fmt: skip
    db.commit()
    return old


def test_answers_and_files_are_carried_forward_to_be_reviewed(
    client, auth, york, housing, accepted_2023
):
    editor = auth("editor")
    base = url(york.id, f"/returns/{housing['id']}")
    offered = client.get(base, headers=editor).json()["carry_forward_from"]
    assert offered["return_id"] == accepted_2023.id
    assert offered["programme_title"] == "Section 11 self-assessment 2023"
    # Someone has already answered the second requirement: theirs is kept.
    second = housing["requirements"][1]
    r = client.put(f"{base}/responses/{second}", headers={**editor, "If-Match": '"0"'},
                   json={"rating": "met", "evidence": "Done this year"})  # fmt: skip
    assert r.status_code == 200
    r = client.post(f"{base}/carry-forward", headers=editor)
    assert r.status_code == 200, r.text
    assert r.json()["answers"] == 1 and r.json()["files"] == 1
    ret = client.get(base, headers=editor).json()
    answers = {a["requirement_id"]: a for a in ret["responses"]}
    first = housing["requirements"][0]
    assert answers[first]["carried_forward"] is True
    assert (answers[first]["evidence"], answers[first]["comment"]) == (
        "The 2023 policy", "Board approved",
    )  # fmt: skip
    assert answers[second]["evidence"] == "Done this year"
    assert answers[second]["carried_forward"] is False
    [f] = ret["attachments"]
    assert (f["requirement_id"], f["filename"], f["carried_forward"]) == (first, "policy.txt", True)
    # Saving a carried answer is the review: it is no longer marked.
    r = client.put(f"{base}/responses/{first}", headers={**editor, "If-Match": '"1"'},
                   json={"rating": "met", "evidence": "The 2023 policy, checked"})  # fmt: skip
    assert r.json()["carried_forward"] is False


def test_nothing_to_carry_and_who_may(client, auth, york, housing):
    base = url(york.id, f"/returns/{housing['id']}")
    assert client.get(base, headers=auth("editor")).json()["carry_forward_from"] is None
    assert_problem(client.post(f"{base}/carry-forward", headers=auth("editor")), 409)
    assert_problem(client.post(f"{base}/carry-forward", headers=auth("admin")), 403)
    assert_problem(client.post(f"{base}/carry-forward", headers=auth("north_admin")), 404)


def test_a_submitted_return_is_not_carried_into(client, db, auth, york, housing, accepted_2023):
    ret = db.get(Return, housing["id"])
    ret.status = ReturnStatus.submitted
    db.add(ret)
    db.commit()
    base = url(york.id, f"/returns/{housing['id']}")
    assert client.get(base, headers=auth("editor")).json()["carry_forward_from"] is None
    assert_problem(client.post(f"{base}/carry-forward", headers=auth("editor")), 409)
