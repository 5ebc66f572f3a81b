"""Lines of enquiry on the session page: the panel drafts, changes and deletes them, the
chair publishes one or every draft, and the invited agency answers without JavaScript or
as it types (htmx); a stale answer shows the one now saved and keeps what was typed. Uses
the demo's 2026 day (Cafcass's draft) and, for answers, Housing invited to it."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from test_challenge_pages import DAY_2026, HOUSING, _agency, _event, _session, session_url
from test_pages import assert_accessible_page
from websupport import ADMIN, APPROVER, EDITOR, EXECUTIVE, HTMX, PANEL, SCRUTINEER, count, page_of

from api.models import ChallengeSession, LineOfEnquiry, Partnership

API = "/api/v1"
CAFCASS_DRAFT = "What has changed since you rated standard 6 partially met?"


def _drafts(db: Session, s: ChallengeSession) -> list[LineOfEnquiry]:
    return list(db.exec(select(LineOfEnquiry).where(LineOfEnquiry.session_id == s.id)).all())


def _housing_asked(
    client: TestClient, token_for: Callable[[str], dict[str, str]], york: Partnership,
    db: Session,
) -> tuple[ChallengeSession, int]:  # fmt: skip
    """Housing invited to the 2026 day, and one question published to it by the chair."""
    event = _event(db, DAY_2026)
    base = f"{API}/partnerships/{york.id}/challenge-events/{event.id}"
    invited = client.post(
        f"{base}/invitations",
        headers=token_for(ADMIN),
        json={"agency_id": _agency(db, HOUSING), "reason": "Repairs."},
    )
    assert invited.status_code == 201, invited.text
    s = _session(db, event, HOUSING)
    chair = token_for(SCRUTINEER)
    made = client.post(f"{base}/sessions/{s.id}/enquiries", headers=chair,
                       json={"question": "How do repairs teams spot neglect?"})  # fmt: skip
    assert made.status_code == 201, made.text
    q = made.json()
    published = client.post(f"{base}/sessions/{s.id}/enquiries/{q['id']}/publish",
                            headers={**chair, "If-Match": f'"{q["version"]}"'})  # fmt: skip
    assert published.status_code == 200, published.text
    return s, q["id"]


def test_the_panel_drafts_a_line_of_enquiry_without_javascript(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    panel = visitor_as(PANEL)
    page = page_of(panel.get(session_url(york, cafcass)))
    assert_accessible_page(page)
    listed = page.one("li.enquiry")
    assert CAFCASS_DRAFT in listed.text and "Draft" in listed.text and "Standards 6." in listed.text
    form = page.one("form", action=session_url(york, cafcass, "/enquiries"))
    action, data = page.pressing(form.one("button"))
    refused = page_of(panel.post(action, data=data), status=422)
    assert refused.summary_links() == {"#field-question": "Enter the question"}
    assert refused.broken_references() == []
    box = form.find_all("input", name="standard_ids")
    assert len(box) == 12
    r = panel.post(action, data={**data, "question": "Who reads the audits?",
                                 "standard_ids": [box[0]["value"], box[2]["value"]]})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("?done=drafted#enquiries")
    made = next(q for q in _drafts(db, cafcass) if q.question == "Who reads the audits?")
    after = page_of(panel.get(r.headers["location"]))
    block = after.one("li", id=f"enquiry-{made.id}")
    assert "Standards 1, 3." in block.text and "Draft" in block.text
    assert after.find("form", action=session_url(york, cafcass, "/publish-enquiries")) is None


def test_a_draft_is_changed_and_deleted_against_its_version(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    draft = _drafts(db, cafcass)[0]
    panel = visitor_as(PANEL)
    page = page_of(panel.get(session_url(york, cafcass)))
    url = session_url(york, cafcass, f"/enquiries/{draft.id}")
    action, data = page.pressing(page.one("form", action=url).one("button"))
    blank = page_of(panel.post(action, data={**data, f"question-{draft.id}": ""}), status=422)
    assert blank.summary_links() == {f"#field-question-{draft.id}": "Enter the question"}
    r = panel.post(action, data={**data, f"question-{draft.id}": "What changed in 2026?"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=changed#enquiries")
    db.refresh(draft)
    assert draft.question == "What changed in 2026?"
    changed = page_of(panel.get(r.headers["location"])).one("li", id=f"enquiry-{draft.id}")
    assert "Standards 6." in changed.text  # its standard's box was still ticked
    stale = page_of(panel.post(action, data=data), status=409)
    assert "Someone changed this line of enquiry" in stale.text
    page = page_of(panel.get(session_url(york, cafcass)))
    action, data = page.pressing(page.one("form", action=f"{url}/delete").one("button"))
    assert panel.post(action, data=data).status_code == 303
    assert _drafts(db, cafcass) == []


def test_the_chair_publishes_one_draft_then_all_drafts(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    chair = visitor_as(SCRUTINEER)
    page = page_of(chair.get(session_url(york, cafcass)))
    form = page.one("form", action=session_url(york, cafcass, "/enquiries"))
    action, data = page.pressing(form.one("button"))
    for question in ("First extra?", "Second extra?"):
        assert chair.post(action, data={**data, "question": question}).status_code == 303
    first = _drafts(db, cafcass)[0]
    page = page_of(chair.get(session_url(york, cafcass)))
    one = session_url(york, cafcass, f"/enquiries/{first.id}/publish")
    action, data = page.pressing(page.one("form", action=one).one("button"))
    r = chair.post(action, data=data)
    assert r.status_code == 303 and r.headers["location"].endswith("done=published#enquiries")
    db.refresh(first)
    assert first.published_at is not None
    page = page_of(chair.get(r.headers["location"]))
    assert "Published: the agency can now read and answer it." in page.text
    every = page.one("form", action=session_url(york, cafcass, "/publish-enquiries"))
    action, data = page.pressing(every.one("button"))
    assert every.one("button").text == "Publish all drafts (2)"
    drafts = [i["value"] for i in every.find_all("input", name="draft")]
    assert len(drafts) == 2
    assert chair.post(action, data={**data, "draft": drafts}).status_code == 303
    db.expire_all()
    assert all(q.published_at is not None for q in _drafts(db, cafcass))
    stale = page_of(chair.post(action, data={**data, "draft": drafts}), status=409)
    assert "#field-publish-all" in stale.summary_links()


def test_the_agency_answers_without_javascript_and_never_sees_drafts(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    db: Session,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> None:
    s, qid = _housing_asked(client, token_for, york, db)
    chair = token_for(SCRUTINEER)
    base = f"{API}/partnerships/{york.id}/challenge-events/{s.event_id}/sessions/{s.id}"
    unseen = client.post(f"{base}/enquiries", headers=chair, json={"question": "A draft only"})
    assert unseen.status_code == 201
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(session_url(york, s)))
    assert_accessible_page(page)
    assert "A draft only" not in page.text and "Draft" not in page.one("ul.enquiries").text
    form = page.one("form", action=session_url(york, s, f"/enquiries/{qid}/answer"))
    box = form.one("textarea", name="answer")
    assert (
        box["hx-trigger"] == "change, keyup changed delay:1s" and box["hx-post"] == form["action"]
    )
    action, data = page.pressing(form.one("button"))
    assert data["answer_version"] == "0"
    r = editor.post(action, data={**data, "answer": "They are trained each year."})
    assert r.status_code == 303 and r.headers["location"].endswith(f"done=answered#enquiry-{qid}")
    db.expire_all()
    assert db.get(LineOfEnquiry, qid).answer == "They are trained each year."  # type: ignore[union-attr]
    shown = page_of(editor.get(r.headers["location"]))
    assert "Your answer was saved." in shown.text
    assert shown.one("input", name="answer_version")["value"] == "1"
    executive = page_of(visitor_as(EXECUTIVE).get(session_url(york, s)))
    assert "They are trained each year." in executive.text
    assert (
        executive.find("textarea", name="answer") is None and "A draft only" not in executive.text
    )


def test_with_htmx_the_answer_is_saved_as_it_is_typed_and_a_stale_one_is_shown(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    db: Session,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> None:
    s, qid = _housing_asked(client, token_for, york, db)
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(session_url(york, s)))
    form = page.one("form", action=session_url(york, s, f"/enquiries/{qid}/answer"))
    action, data = page.pressing(form.one("button"))
    r = editor.post(action, data={**data, "answer": "A first answer."}, headers=HTMX)
    assert r.status_code == 200, r.text
    assert "<html" not in r.text and f'id="enquiry-{qid}"' in r.text
    assert "Saved" in r.text and "A first answer." in r.text
    again = editor.post(action, data={**data, "answer": "A first answer."}, headers=HTMX)
    assert again.status_code == 200 and "Saved" in again.text  # the same: no conflict
    approver = visitor_as(APPROVER)
    data["csrf_token"] = page_of(approver.get(session_url(york, s))).csrf_token()
    stale = approver.post(action, data={**data, "answer": "Mine instead."}, headers=HTMX)
    assert stale.status_code == 409
    assert "Someone else answered this" in stale.text and "A first answer." in stale.text
    assert "Mine instead." in stale.text  # kept in the box
    plain = page_of(approver.post(action, data={**data, "answer": "Mine instead."}), status=409)
    assert f"#field-answer-{qid}" in plain.summary_links()
    assert plain.one("textarea", name="answer").text == "Mine instead."
    assert plain.one("input", name="answer_version")["value"] == "1"
    empty = approver.post(action, data={**data, "answer_version": "1", "answer": ""},
                          headers=HTMX)  # fmt: skip
    assert empty.status_code == 422 and "Enter your answer" in empty.text
    before = count(db, LineOfEnquiry)
    cafcass = _session(db, _event(db, DAY_2026), "Cafcass")
    other = session_url(york, cafcass, f"/enquiries/{qid}/answer")
    page_of(approver.post(other, data={**data, "answer": "x"}), status=404)
    assert count(db, LineOfEnquiry) == before
