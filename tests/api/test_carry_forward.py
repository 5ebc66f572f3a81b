"""Starting a return from the agency's last accepted return of the same framework."""

import pytest
from apikit import assert_problem
from sqlmodel import col, select
from test_submission import SIGN_OFF, url

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
    # Copied answers count as unrated until someone confirms or changes them.
    assert ret["status"] == "in_progress" and ret["rated"] == 1
    assert sum(s["to_review"] for s in ret["progress"]) == 36
    assert ret["carry_forward_from"] is None  # every requirement has an answer now
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


def _carried(client, auth, york, housing) -> str:  # type: ignore[no-untyped-def]
    base = url(york.id, f"/returns/{housing['id']}")
    assert client.post(f"{base}/carry-forward", headers=auth("editor")).status_code == 200
    return base


def test_a_carried_answer_is_confirmed_unchanged_once(
    client, db, auth, york, housing, accepted_2023
):
    editor = auth("editor")
    base = _carried(client, auth, york, housing)
    first = housing["requirements"][0]
    before = _answers(client, editor, base)[first]
    stale = client.post(f"{base}/responses/{first}/confirm", headers={**editor, "If-Match": '"7"'})
    assert assert_problem(stale, 412)["current"]["version"] == before["version"]
    assert_problem(client.post(f"{base}/responses/{first}/confirm", headers=editor), 428)
    r = client.post(f"{base}/responses/{first}/confirm", headers={**editor, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"'
    confirmed = r.json()
    assert confirmed["carried_forward"] is False and confirmed["version"] == 2
    for field in ("rating", "evidence", "comment"):
        assert confirmed[field] == before[field]
    ret = client.get(base, headers=editor).json()
    assert ret["rated"] == 1 and sum(s["to_review"] for s in ret["progress"]) == 36
    [f] = ret["attachments"]  # its file was confirmed with it
    assert f["requirement_id"] == first and f["carried_forward"] is False
    again = client.post(f"{base}/responses/{first}/confirm", headers={**editor, "If-Match": '"2"'})
    assert_problem(again, 409)
    events = client.get(
        url(york.id, "/audit-events"), headers=auth("admin"), params={"action": "response.confirm"}
    ).json()
    assert events["total"] == 1


def test_a_standard_is_confirmed_at_once(client, auth, york, housing, accepted_2023):
    editor = auth("editor")
    base = _carried(client, auth, york, housing)
    ret = client.get(base, headers=editor).json()
    first_standard = ret["progress"][0]
    sid = first_standard["standard_id"]
    r = client.post(f"{base}/standards/{sid}/confirm", headers=editor)
    assert r.status_code == 200, r.text
    assert r.json()["confirmed"] == first_standard["to_review"] > 0
    after = client.get(base, headers=editor).json()
    assert after["progress"][0]["to_review"] == 0
    assert after["progress"][0]["rated"] == first_standard["requirement_count"]
    assert after["progress"][1]["to_review"] == ret["progress"][1]["to_review"]
    assert client.post(f"{base}/standards/{sid}/confirm", headers=editor).json()["confirmed"] == 0
    assert_problem(client.post(f"{base}/standards/999999/confirm", headers=editor), 404)


def test_only_the_agency_confirms(client, auth, york, housing, accepted_2023):
    base = _carried(client, auth, york, housing)
    first = housing["requirements"][0]
    sid = client.get(base, headers=auth("editor")).json()["progress"][0]["standard_id"]
    for who, status in (("admin", 403), ("scrutineer", 403), ("north_admin", 404)):
        r = client.post(
            f"{base}/responses/{first}/confirm", headers={**auth(who), "If-Match": '"1"'}
        )
        assert_problem(r, status)
        assert_problem(client.post(f"{base}/standards/{sid}/confirm", headers=auth(who)), status)


def test_unconfirmed_answers_stop_the_submission(client, auth, york, housing, accepted_2023):
    base = _carried(client, auth, york, housing)
    first = housing["requirements"][0]
    r = client.post(f"{base}/submit", headers=auth("approver"), json=SIGN_OFF)
    problem = assert_problem(r, 422)
    to_review = [e for e in problem["errors"] if e["field"].endswith(".carried_forward")]
    assert len(to_review) == 37  # every answer was carried in this test
    assert to_review[0]["field"] == f"responses.{first}.carried_forward"
    assert "confirm it or change it" in to_review[0]["message"]
    ret = client.get(base, headers=auth("editor")).json()
    for standard in ret["progress"]:
        confirmed = client.post(
            f"{base}/standards/{standard['standard_id']}/confirm", headers=auth("editor")
        )
        assert confirmed.status_code == 200
    problem = assert_problem(
        client.post(f"{base}/submit", headers=auth("approver"), json=SIGN_OFF), 422
    )
    assert not [e for e in problem["errors"] if e["field"].endswith(".carried_forward")]
