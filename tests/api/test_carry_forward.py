"""Starting a return from the agency's last accepted return of the same framework."""

import pytest
from apikit import assert_problem
from sqlmodel import col, select
from test_submission import url

from api.models import Programme, Return, ReturnStatus


@pytest.fixture
def accepted_2023(db, housing) -> Return:  # type: ignore[no-untyped-def]
    """Housing's accepted 2023 return, from the demo: 37 answers and one evidence file."""
    agency = db.get(Return, housing["id"]).agency_id
    return db.exec(
        select(Return)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Return.agency_id == agency, Programme.title == "Section 11 self-assessment 2023")
    ).one()


def _answers(client, headers, url_of_return) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    return {
        a["requirement_id"]: a
        for a in client.get(url_of_return, headers=headers).json()["responses"]
    }


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
    assert r.json()["answers"] == 36 and r.json()["files"] == 1
    assert r.json()["source"]["return_id"] == accepted_2023.id
    old = _answers(client, auth("admin"), url(york.id, f"/returns/{accepted_2023.id}"))
    ret = client.get(base, headers=editor).json()
    # Carried-forward answers count as unrated until someone reviews them.
    assert ret["status"] == "in_progress" and ret["rated"] == 1
    answers = {a["requirement_id"]: a for a in ret["responses"]}
    first = housing["requirements"][0]
    assert answers[first]["carried_forward"] is True
    for field in ("rating", "evidence", "comment"):
        assert answers[first][field] == old[first][field]
    assert answers[second]["evidence"] == "Done this year"
    assert answers[second]["carried_forward"] is False
    [f] = ret["attachments"]
    assert (f["requirement_id"], f["carried_forward"]) == (first, True)
    assert f["filename"] == "safeguarding-policy.txt"
    # Saving a carried answer is the review: it is no longer marked.
    r = client.put(f"{base}/responses/{first}", headers={**editor, "If-Match": '"1"'},
                   json={"rating": "met", "evidence": "Checked and still true"})  # fmt: skip
    assert r.json()["carried_forward"] is False


def test_nothing_to_carry_and_who_may(client, db, auth, york, housing, accepted_2023):
    accepted_2023.status = ReturnStatus.submitted  # not yet accepted: nothing to start from
    db.add(accepted_2023)
    db.commit()
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


def test_unreviewed_carried_answers_are_unmet_rules_at_submission(
    client, auth, york, housing, accepted_2023
):
    base = url(york.id, f"/returns/{housing['id']}")
    assert client.post(f"{base}/carry-forward", headers=auth("editor")).status_code == 200
    r = client.post(
        f"{base}/submit",
        headers=auth("approver"),
        json={"name": "Ann Approver", "role": "Head of Housing", "declaration": True},
    )
    problem = assert_problem(r, 422)
    carried = [e for e in problem["errors"] if e["field"].endswith(".carried_forward")]
    assert [e["field"] for e in carried] == [
        f"responses.{rid}.carried_forward" for rid in housing["requirements"]
    ]
    assert "confirm it or change it" in carried[0]["message"]
