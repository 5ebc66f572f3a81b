"""Submitted versions: each one readable as it was signed off, and any two comparable."""

from apikit import API, assert_problem
from sqlmodel import select
from test_submission import answer_all, submit, url

from api.models import Return, ReturnStatus, ReturnVersion


def _send_back(db, return_id: int) -> None:  # type: ignore[no-untyped-def]
    """Put a submitted return back in the agency's hands, as a reviewer would."""
    ret = db.get(Return, return_id)
    ret.status = ReturnStatus.returned
    db.add(ret)
    db.commit()


def _two_versions(client, db, auth, york, housing) -> None:  # type: ignore[no-untyped-def]
    editor = auth("editor")
    answer_all(client, editor, york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    _send_back(db, housing["id"])
    first, second = housing["requirements"][:2]
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses/{first}"),
        headers={**editor, "If-Match": '"1"'},
        json={"rating": "partially_met", "evidence": "Policy, minutes and the audit"},
    )
    assert r.status_code == 200, r.text
    r = client.post(
        url(york.id, f"/returns/{housing['id']}/actions"),
        headers=editor,
        json={"description": "Audit the policy", "owner": "Head of Housing",
              "due_on": "2027-06-30", "requirement_ids": [first]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.put(
        url(york.id, f"/returns/{housing['id']}/responses/{second}"),
        headers={**editor, "If-Match": '"1"'},
        json={"rating": "met", "evidence": "Policy and board minutes", "comment": "Reviewed"},
    )
    assert r.status_code == 200, r.text
    r = submit(client, auth("approver"), york.id, housing["id"], role="Director of Housing")
    assert r.status_code == 200, r.text


def test_versions_are_listed_and_read_as_submitted(client, db, auth, york, housing):
    _two_versions(client, db, auth, york, housing)
    r = client.get(url(york.id, f"/returns/{housing['id']}/versions"), headers=auth("admin"))
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [v["number"] for v in listed] == [1, 2]
    assert [v["signed_off_role"] for v in listed] == ["Head of Housing", "Director of Housing"]
    stored = db.exec(
        select(ReturnVersion.content_sha256)
        .where(ReturnVersion.return_id == housing["id"])
        .order_by(ReturnVersion.number)
    ).all()
    assert [v["content_sha256"] for v in listed] == stored
    one = client.get(
        url(york.id, f"/returns/{housing['id']}/versions/1"), headers=auth("editor")
    ).json()
    assert one["number"] == 1 and len(one["responses"]) == 37 and one["actions"] == []
    first = one["responses"][0]
    assert (first["rating"], first["evidence"]) == ("met", "Policy and board minutes")
    assert "accurate" in one["declaration"]


def test_two_versions_are_compared(client, db, auth, york, housing):
    _two_versions(client, db, auth, york, housing)
    first, second = housing["requirements"][:2]
    r = client.get(
        url(york.id, f"/returns/{housing['id']}/compare"),
        params={"from": 1, "to": 2},
        headers=auth("scrutineer"),
    )
    assert r.status_code == 200, r.text
    diff = r.json()
    assert (diff["from_version"]["number"], diff["to_version"]["number"]) == (1, 2)
    changes = {c["requirement_id"]: c["changes"] for c in diff["responses"]}
    assert set(changes) == {first, second}
    assert changes[first] == [
        {"field": "rating", "before": "met", "after": "partially_met"},
        {"field": "evidence", "before": "Policy and board minutes",
         "after": "Policy, minutes and the audit"},
    ]  # fmt: skip
    assert changes[second] == [{"field": "comment", "before": "", "after": "Reviewed"}]
    assert [a["description"] for a in diff["actions_added"]] == ["Audit the policy"]
    assert diff["actions_removed"] == [] and diff["actions_changed"] == []
    assert diff["sign_off"] == [
        {"field": "signed_off_role", "before": "Head of Housing", "after": "Director of Housing"}
    ]
    back = client.get(
        url(york.id, f"/returns/{housing['id']}/compare"),
        params={"from": 2, "to": 1},
        headers=auth("admin"),
    ).json()
    assert [a["description"] for a in back["actions_removed"]] == ["Audit the policy"]
    same = client.get(
        url(york.id, f"/returns/{housing['id']}/compare"),
        params={"from": 2, "to": 2},
        headers=auth("admin"),
    ).json()
    assert same["responses"] == [] and same["sign_off"] == []


def test_missing_versions_and_other_agencies(client, db, auth, york, housing, agency_id):
    answer_all(client, auth("editor"), york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    base = url(york.id, f"/returns/{housing['id']}")
    assert_problem(client.get(f"{base}/versions/2", headers=auth("admin")), 404)
    r = client.get(f"{base}/compare", params={"from": 1, "to": 3}, headers=auth("admin"))
    assert_problem(r, 404)
    r = client.get(f"{base}/compare", params={"from": 0, "to": 1}, headers=auth("admin"))
    assert_problem(r, 422)
    only = client.get(f"{base}/compare", headers=auth("admin")).json()
    assert (only["from_version"]["number"], only["to_version"]["number"]) == (1, 1)
    # Another agency's staff, and other partnerships, do not learn the return exists.
    cafcass = agency_id("Cafcass")
    other = client.get(
        f"{API}/partnerships/{york.id}/returns",
        params={"agency_id": cafcass},
        headers=auth("admin"),
    ).json()["items"]
    for path in ("/versions", "/versions/1", "/compare?from=1&to=1"):
        foreign = url(york.id, f"/returns/{other[0]['id']}{path}")
        assert_problem(client.get(foreign, headers=auth("editor")), 404)
        assert_problem(client.get(base + path, headers=auth("north_admin")), 404)


def test_an_empty_list_before_the_first_submission(client, auth, york, housing):
    r = client.get(url(york.id, f"/returns/{housing['id']}/versions"), headers=auth("editor"))
    assert r.status_code == 200 and r.json() == []
    r = client.get(url(york.id, f"/returns/{housing['id']}/compare"), headers=auth("editor"))
    assert_problem(r, 404)


def test_by_default_the_latest_two_are_compared(client, db, auth, york, housing):
    _two_versions(client, db, auth, york, housing)
    r = client.get(url(york.id, f"/returns/{housing['id']}/compare"), headers=auth("editor"))
    assert (r.json()["from_version"]["number"], r.json()["to_version"]["number"]) == (1, 2)


def test_a_version_frozen_before_files_existed_still_reads(client, db, auth, york, housing):
    answer_all(client, auth("editor"), york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    version = db.exec(select(ReturnVersion).where(ReturnVersion.return_id == housing["id"])).one()
    version.snapshot = {k: v for k, v in version.snapshot.items() if k != "attachments"}
    db.add(version)
    db.commit()
    base = url(york.id, f"/returns/{housing['id']}")
    r = client.get(f"{base}/versions/1", headers=auth("editor"))
    assert r.status_code == 200, r.text
    assert r.json()["attachments"] == [] and len(r.json()["responses"]) == 37
    r = client.get(f"{base}/compare", params={"from": 1, "to": 1}, headers=auth("editor"))
    assert r.status_code == 200 and r.json()["attachments_added"] == []
    assert_problem(client.get(f"{base}/versions/1/attachments/1", headers=auth("editor")), 404)
