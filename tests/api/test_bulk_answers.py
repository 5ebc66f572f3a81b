"""Every answer in one request: the rules of one answer, applied to all or none."""

from apikit import assert_problem, count
from sqlmodel import select
from test_submission import submit, url

from api.models import AuditEvent, RequirementResponse, Return, ReturnStatus


def _all(housing, rating="met", version=0, **extra):  # type: ignore[no-untyped-def]
    return {
        "responses": [
            {"requirement_id": rid, "rating": rating, "evidence": f"Evidence {i}",
             "version": version, **extra}
            for i, rid in enumerate(housing["requirements"])
        ]
    }  # fmt: skip


def test_a_whole_return_is_answered_in_one_request_and_submitted(client, db, auth, york, housing):
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses"),
        headers=auth("editor"),
        json=_all(housing),
    )
    assert r.status_code == 200, r.text
    saved = r.json()
    assert len(saved) == 37
    assert {s["version"] for s in saved} == {1}
    assert {s["return_status"] for s in saved} == {"in_progress"}
    assert saved[5]["evidence"] == "Evidence 5"
    events = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "responses.save", AuditEvent.entity_id == housing["id"]
        )
    ).all()
    assert len(events) == 1 and len(events[0].after["requirement_ids"]) == 37
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200


def test_every_problem_is_listed_and_nothing_is_saved(client, db, auth, york, housing):
    body = _all(housing)
    body["responses"][3]["rating"] = "excellent"
    body["responses"][7]["requirement_id"] = body["responses"][6]["requirement_id"]
    body["responses"][9]["requirement_id"] = 999_999_999
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses"), headers=auth("editor"), json=body
    )
    problem = assert_problem(r, 422)
    ids = [a["requirement_id"] for a in body["responses"]]
    # Named by requirement, as submission names its unmet rules, not by place in the list.
    assert {e["field"] for e in problem["errors"]} == {
        f"responses.{ids[3]}.rating",
        f"responses.{ids[7]}.requirement_id",
        "responses.999999999.requirement_id",
    }
    assert count(db, RequirementResponse, RequirementResponse.return_id == housing["id"]) == 0
    assert db.get(Return, housing["id"]).status == ReturnStatus.not_started


def test_stale_answers_refuse_the_whole_request(client, db, auth, york, housing):
    editor = auth("editor")
    first = housing["requirements"][0]
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses/{first}"),
        headers={**editor, "If-Match": '"0"'},
        json={"rating": "not_met", "evidence": "Someone else's answer"},
    )
    assert r.status_code == 200
    r = client.put(url(york.id, f"/returns/{housing['id']}/responses"), headers=editor,
                   json=_all(housing))  # fmt: skip
    problem = assert_problem(r, 412)
    assert [c["evidence"] for c in problem["current"]["responses"]] == ["Someone else's answer"]
    assert count(db, RequirementResponse, RequirementResponse.return_id == housing["id"]) == 1
    body = _all(housing)
    body["responses"][0]["version"] = 1
    r = client.put(url(york.id, f"/returns/{housing['id']}/responses"), headers=editor, json=body)
    assert r.status_code == 200, r.text
    assert r.json()[0]["version"] == 2


def test_the_same_rules_as_one_answer(client, auth, york, housing, agency_id):
    path = f"/returns/{housing['id']}/responses"
    assert_problem(client.put(url(york.id, path), headers=auth("admin"), json=_all(housing)), 403)
    body = {"responses": []}
    assert_problem(client.put(url(york.id, path), headers=auth("editor"), json=body), 422)
    r = client.put(url(york.id, path), headers=auth("editor"), json=_all(housing, colour="red"))
    assert_problem(r, 422)
    cafcass = client.get(url(york.id, "/returns"), headers=auth("admin"),
                         params={"agency_id": agency_id("Cafcass")}).json()["items"][0]  # fmt: skip
    r = client.put(url(york.id, f"/returns/{cafcass['id']}/responses"), headers=auth("editor"),
                   json=_all(housing))  # fmt: skip
    assert_problem(r, 404)
    assert client.put(url(york.id, path), headers=auth("editor"), json=_all(housing)).is_success
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    r = client.put(url(york.id, path), headers=auth("editor"), json=_all(housing, version=1))
    assert_problem(r, 409)
