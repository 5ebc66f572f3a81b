"""Lines of enquiry through the API: the panel drafts, the chair publishes, the agency
answers; who sees drafts, and when nothing may change. The demo's enquiries as it tells
them."""

from typing import Any

import pytest
from apikit import API, HOUSING, assert_problem, count
from sqlmodel import Session, col, select

from api.models import (
    Agency,
    AuditEvent,
    ChallengeEvent,
    ChallengeSession,
    EnquiryStandard,
    LineOfEnquiry,
    Programme,
    Standard,
)

PLANNED = "Section 11 challenge day 2026"
HELD = "Section 11 challenge day 2023"


def _event(db: Session, title: str) -> ChallengeEvent:
    return db.exec(select(ChallengeEvent).where(ChallengeEvent.title == title)).one()


def _standards(db: Session, event: ChallengeEvent) -> dict[str, int]:
    programme = db.get(Programme, event.programme_id)
    assert programme is not None
    rows = db.exec(
        select(Standard.code, Standard.id).where(
            Standard.framework_version_id == programme.framework_version_id
        )
    )
    return {code: sid for code, sid in rows if sid is not None}


@pytest.fixture
def housing_at(client, auth, db: Session, york, agency_id) -> dict[str, Any]:
    """Housing invited to the planned event: its session's enquiries URL and the standards."""
    event = _event(db, PLANNED)
    base = f"{API}/partnerships/{york.id}/challenge-events/{event.id}"
    r = client.post(
        f"{base}/invitations",
        headers=auth("admin"),
        json={"agency_id": agency_id(HOUSING), "reason": "Repairs staff in homes"},
    )
    assert r.status_code == 201, r.text
    session = f"{base}/sessions/{r.json()['id']}"
    return {
        "url": f"{session}/enquiries",
        "session": session,
        "standards": _standards(db, event),
        "event": event,
    }


def _draft(client, auth, url: str, who: str = "panel", **body: Any) -> Any:
    r = client.post(
        url, headers=auth(who), json={"question": "How do repairs staff refer?", **body}
    )
    assert r.status_code == 201, r.text
    return r


def _publish(client, auth, url: str, enquiry: dict[str, Any]) -> Any:
    return client.post(
        f"{url}/{enquiry['id']}/publish",
        headers={**auth("scrutineer"), "If-Match": f'"{enquiry["version"]}"'},
    )


def _listed(client, auth, url: str, who: str) -> list[str]:
    r = client.get(url, headers=auth(who))
    assert r.status_code == 200, r.text
    return [e["question"] for e in r.json()]


def test_the_panel_drafts_and_sees_its_drafts_the_agency_does_not(
    client, auth, db: Session, housing_at
) -> None:
    url, standards = housing_at["url"], housing_at["standards"]
    r = _draft(client, auth, url, standard_ids=[standards["4"], standards["10"]])
    made = r.json()
    assert r.headers["ETag"] == '"1"'
    assert (made["status"], made["author_label"], made["answer_version"]) == (
        "draft",
        "Pat Panel",
        0,
    )
    assert made["standard_ids"] == sorted([standards["4"], standards["10"]])
    for who in ("panel", "panel_police", "scrutineer", "admin"):
        assert _listed(client, auth, url, who) == ["How do repairs staff refer?"], who
    for who in ("editor", "approver", "executive"):
        assert _listed(client, auth, url, who) == [], who
    one = f"{url}/{made['id']}"
    assert_problem(client.get(one, headers=auth("editor")), 404)
    assert client.get(one, headers=auth("panel_police")).status_code == 200
    drafts = (AuditEvent.action == "line_of_enquiry.draft", AuditEvent.entity_id == made["id"])
    assert count(db, AuditEvent, *drafts) == 1


def test_drafts_are_refused_to_those_off_the_panel_and_for_unknown_standards(
    client, auth, housing_at
) -> None:
    url = housing_at["url"]
    body = {"question": "Why?"}
    assert_problem(client.post(url, headers=auth("executive"), json=body), 403)
    assert_problem(client.post(url, headers=auth("editor"), json=body), 403)
    assert_problem(
        client.post(url, headers=auth("panel"), json={**body, "standard_ids": [999_999]}),
        422,
        field="standard_ids",
    )
    assert_problem(
        client.post(url, headers=auth("panel"), json={"question": "  "}), 422, field="question"
    )
    twice = {**body, "standard_ids": [housing_at["standards"]["1"]] * 2}
    assert_problem(client.post(url, headers=auth("panel"), json=twice), 422, field="standard_ids")


def test_a_draft_is_changed_and_deleted_with_its_version(
    client, auth, db: Session, housing_at
) -> None:
    url, standards = housing_at["url"], housing_at["standards"]
    made = _draft(client, auth, url).json()
    one = f"{url}/{made['id']}"
    change = {"question": "How do lettings staff refer?", "standard_ids": [standards["4"]]}
    assert_problem(
        client.patch(one, headers={**auth("panel_police"), "If-Match": '"9"'}, json=change), 412
    )
    r = client.patch(one, headers={**auth("panel_police"), "If-Match": '"1"'}, json=change)
    assert r.status_code == 200, r.text
    assert (r.json()["question"], r.json()["standard_ids"], r.headers["ETag"]) == (
        "How do lettings staff refer?",
        [standards["4"]],
        '"2"',
    )
    assert_problem(client.delete(one, headers={**auth("executive"), "If-Match": '"2"'}), 404)
    assert client.delete(one, headers={**auth("panel"), "If-Match": '"2"'}).status_code == 204
    assert count(db, LineOfEnquiry, LineOfEnquiry.id == made["id"]) == 0
    assert count(db, EnquiryStandard, EnquiryStandard.enquiry_id == made["id"]) == 0
    actions = {
        a
        for a in db.exec(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "line_of_enquiry", AuditEvent.entity_id == made["id"]
            )
        )
    }
    assert actions == {"line_of_enquiry.draft", "line_of_enquiry.change", "line_of_enquiry.delete"}


def test_the_chair_publishes_and_the_agency_answers(client, auth, db: Session, housing_at) -> None:
    url = housing_at["url"]
    made = _draft(client, auth, url).json()
    one = f"{url}/{made['id']}"
    refused = client.post(f"{one}/publish", headers={**auth("panel"), "If-Match": '"1"'})
    assert "chair" in assert_problem(refused, 403)["detail"]
    assert_problem(
        client.put(
            f"{one}/answer", headers={**auth("editor"), "If-Match": '"0"'}, json={"answer": "Early"}
        ),
        404,
    )  # a draft, unseen
    published = _publish(client, auth, url, made)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert_problem(_publish(client, auth, url, published.json()), 409)
    assert _listed(client, auth, url, "editor") == ["How do repairs staff refer?"]

    # published: the panel may no longer change or delete it
    etag = {"If-Match": published.headers["ETag"]}
    edit = client.patch(one, headers={**auth("panel"), **etag}, json={"question": "Other?"})
    assert "published" in assert_problem(edit, 409)["detail"]
    assert_problem(client.delete(one, headers={**auth("panel"), **etag}), 409)

    answer = {"answer": "Through the safeguarding champion in each team."}
    assert_problem(
        client.put(f"{one}/answer", headers={**auth("panel"), "If-Match": '"0"'}, json=answer), 403
    )
    first = client.put(f"{one}/answer", headers={**auth("editor"), "If-Match": '"0"'}, json=answer)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    body = first.json()
    assert (body["answer"], body["answer_version"], body["answered_by_label"]) == (
        answer["answer"],
        1,
        "Ed Editor",
    )
    assert body["answered_at"] is not None
    stale = client.put(
        f"{one}/answer",
        headers={**auth("approver"), "If-Match": '"0"'},
        json={"answer": "Something else"},
    )
    assert assert_problem(stale, 412)["current"]["answer"] == answer["answer"]
    again = client.put(
        f"{one}/answer",
        headers={**auth("approver"), "If-Match": first.headers["ETag"]},
        json={"answer": "Champions, and a weekly huddle."},
    )
    assert again.status_code == 200, again.text
    assert (again.headers["ETag"], again.json()["answer"]) == (
        '"2"',
        "Champions, and a weekly huddle.",
    )
    same = client.put(f"{one}/answer", headers={**auth("approver"), "If-Match": '"2"'},
                      json={"answer": "Champions, and a weekly huddle."})  # fmt: skip
    assert (same.status_code, same.headers["ETag"]) == (200, '"2"')  # unchanged: no new version
    seen = client.get(url, headers=auth("executive")).json()
    assert [e["answer"] for e in seen] == ["Champions, and a weekly huddle."]
    actions = [
        a
        for a in db.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "line_of_enquiry", AuditEvent.entity_id == made["id"])
            .order_by(col(AuditEvent.id))
        )
    ]
    assert actions == [
        "line_of_enquiry.draft",
        "line_of_enquiry.publish",
        "line_of_enquiry.answer",
        "line_of_enquiry.answer",
    ]


def test_a_closed_session_takes_no_drafts_nor_answers(client, auth, housing_at) -> None:
    url, session = housing_at["url"], housing_at["session"]
    made = _draft(client, auth, url).json()
    assert _publish(client, auth, url, made).status_code == 200
    chair = auth("scrutineer")
    etag = client.get(session, headers=chair).headers["ETag"]
    closed = client.post(
        f"{session}/close", headers={**chair, "If-Match": etag}, json={"outcome": "assured"}
    )
    assert closed.status_code == 200, closed.text
    assert (
        "closed"
        in assert_problem(client.post(url, headers=auth("panel"), json={"question": "Late?"}), 409)[
            "detail"
        ]
    )
    assert_problem(
        client.put(
            f"{url}/{made['id']}/answer",
            headers={**auth("editor"), "If-Match": '"0"'},
            json={"answer": "Late"},
        ),
        409,
    )


def test_other_agencies_and_partnerships_find_nothing(
    client, auth, db: Session, york, housing_at
) -> None:
    event = housing_at["event"]
    cafcass = db.exec(
        select(ChallengeSession)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(ChallengeSession.event_id == event.id, Agency.name == "Cafcass")
    ).one()
    other = f"{API}/partnerships/{york.id}/challenge-events/{event.id}/sessions/{cafcass.id}"
    assert_problem(client.get(f"{other}/enquiries", headers=auth("editor")), 404)
    assert _listed(client, auth, f"{other}/enquiries", "panel") == [
        "What has changed since you rated standard 6 partially met?"
    ]
    assert_problem(client.get(housing_at["url"], headers=auth("north_admin")), 404)
    assert_problem(
        client.post(housing_at["url"], headers=auth("north_admin"), json={"question": "Why?"}), 404
    )


def test_the_demo_publishes_and_answers_the_2023_enquiries(client, auth, db: Session, york) -> None:
    event = _event(db, HELD)
    housing = db.exec(
        select(ChallengeSession)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(ChallengeSession.event_id == event.id, Agency.name == HOUSING)
    ).one()
    url = (
        f"{API}/partnerships/{york.id}/challenge-events/{event.id}/sessions/{housing.id}/enquiries"
    )
    seen = client.get(url, headers=auth("editor")).json()
    assert len(seen) >= 2 and all(e["status"] == "published" and e["answer"] for e in seen)
    assert all(e["published_at"].startswith("2023-10-16") for e in seen)
    for action in ("line_of_enquiry.draft", "line_of_enquiry.publish", "line_of_enquiry.answer"):
        assert count(db, AuditEvent, AuditEvent.action == action) >= len(seen), action


def test_the_chair_publishes_several_drafts_at_once_all_or_none(
    client, auth, db: Session, housing_at
) -> None:
    url = housing_at["url"]
    batch = url.removesuffix("/enquiries") + "/publish-enquiries"
    first, second = (_draft(client, auth, url).json() for _ in range(2))
    changed = client.patch(
        f"{url}/{second['id']}",
        headers={**auth("panel"), "If-Match": '"1"'},
        json={"question": "How do lettings staff refer?"},
    )
    assert changed.status_code == 200, changed.text
    both = {"enquiries": [{"id": first["id"], "version": 1}, {"id": second["id"], "version": 1}]}
    assert_problem(
        client.post(batch, headers=auth("panel"), json=both),
        403,
    )
    stale = assert_problem(
        client.post(
            batch,
            headers=auth("scrutineer"),
            json=both,
        ),
        412,
    )
    assert [e["question"] for e in stale["current"]["enquiries"]] == [
        "How do lettings staff refer?"
    ]
    assert _listed(client, auth, url, "editor") == []  # nothing was published
    unknown = {"enquiries": [{"id": 999_999, "version": 1}]}
    assert_problem(
        client.post(
            batch,
            headers=auth("scrutineer"),
            json=unknown,
        ),
        422,
        field="enquiries.0.id",
    )
    both["enquiries"][1]["version"] = 2
    r = client.post(batch, headers=auth("scrutineer"), json=both)
    assert r.status_code == 200, r.text
    assert [e["status"] for e in r.json()] == ["published", "published"]
    assert len(_listed(client, auth, url, "editor")) == 2
    assert_problem(
        client.post(
            batch,
            headers=auth("scrutineer"),
            json=both,
        ),
        409,
    )
    publishes = (
        AuditEvent.action == "line_of_enquiry.publish",
        col(AuditEvent.entity_id).in_([first["id"], second["id"]]),
    )
    assert count(db, AuditEvent, *publishes) == 2
