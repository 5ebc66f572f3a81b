"""Reviewing a return in the browser: the partnership's ratings saved with a button (or in
place with htmx), notes that reach the agency beside its answers, and acceptance."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, APPROVER, EDITOR, HTMX, SCRUTINEER, page_of

from api.models import (
    Agency,
    ModeratedRating,
    Partnership,
    Programme,
    Return,
    ReturnStatus,
    ReviewNote,
)

HOUSING = "City of York Council Housing Services"
API = "/api/v1"


@pytest.fixture
def submitted(
    db: Session,
    york: Partnership,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> dict:
    """York's housing return for 2026, answered in full through the API and submitted."""
    ret = db.exec(
        select(Return.id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Agency.name == HOUSING, Programme.title == "Section 11 self-assessment 2026")
    ).one()
    p = f"{API}/partnerships/{york.id}"
    editor = token_for(EDITOR)
    ref = client.get(f"{p}/returns/{ret}", headers=editor).json()["framework_version"]
    version = client.get(
        f"{p}/frameworks/{ref['framework_id']}/versions/{ref['number']}", headers=editor
    ).json()
    for s in version["standards"]:
        for r in s["requirements"]:
            saved = client.put(
                f"{p}/returns/{ret}/responses/{r['id']}",
                headers={**editor, "If-Match": '"0"'},
                json={"rating": "met", "evidence": f"Evidence for {r['code']}"},
            )
            assert saved.status_code == 200, saved.text
    sent = client.post(
        f"{p}/returns/{ret}/submit",
        headers=token_for(APPROVER),
        json={"name": "Ann Approver", "role": "Head of Housing", "declaration": True},
    )
    assert sent.status_code == 200, sent.text
    return {"id": ret, "standards": version["standards"]}


def review_url(york: Partnership, ret: dict, tail: str = "") -> str:
    return f"/p/{york.id}/returns/{ret['id']}/review{tail}"


def test_the_review_page_shows_the_agencys_answers_beside_the_partnerships_ratings(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict
) -> None:
    admin = visitor_as(ADMIN)
    return_page = page_of(admin.get(f"/p/{york.id}/returns/{submitted['id']}"))
    link = return_page.one("a", href=review_url(york, submitted))
    assert link.text == "Review this return"
    page = page_of(admin.get(link["href"]))
    assert page.h1.startswith(f"Review: {HOUSING}")
    first = submitted["standards"][0]
    assert page.find("a", href=review_url(york, submitted, "?standard=1"))["aria-current"] == "page"
    sections = page.find_all("section.review-item")
    assert len(sections) == len(first["requirements"])
    assert f"Evidence for {first['requirements'][0]['code']}" in sections[0].text
    moderation = [
        b for b in page.find_all("button") if "/review/requirements/" in b.get("formaction", "")
    ]
    assert len(moderation) == len(first["requirements"])
    assert page.find("button", formaction=review_url(york, submitted, f"/standards/{first['id']}"))
    sent_back = page.find_all("textarea", form="send-back")
    notes = [n for n in sent_back if n["name"].startswith("note-")]
    assert [n["name"] for n in notes] == [f"note-{r['id']}" for r in first["requirements"]]
    assert page.one("form", id="send-back")["action"] == review_url(york, submitted, "/return")
    assert page.find("form", action=review_url(york, submitted, "/accept"))
    assert page.unlabelled_fields() == []
    assert page.broken_references() == []
    other = page_of(admin.get(review_url(york, submitted, "?standard=2")))
    assert other.one("h2", id="standard-title").text.startswith("Standard 2.")


@pytest.mark.parametrize("who", [EDITOR, APPROVER, SCRUTINEER])
def test_only_the_partnership_opens_the_review(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, who: str
) -> None:
    visitor = visitor_as(who)
    page = page_of(visitor.get(review_url(york, submitted)), status=403)
    assert "reviews returns" in page.text
    return_page = page_of(visitor.get(f"/p/{york.id}/returns/{submitted['id']}"))
    assert return_page.find("a", href=review_url(york, submitted)) is None


def test_a_rating_is_saved_with_its_button(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    rid = submitted["standards"][0]["requirements"][0]["id"]
    button = page.one("button", formaction=review_url(york, submitted, f"/requirements/{rid}"))
    action, data = page.pressing(button)
    assert data[f"mod-version-r{rid}"] == "0" and data["standard"] == "1"
    data |= {f"rating-r{rid}": "partially_met", f"mod-note-r{rid}": "Evidence is thin"}
    r = admin.post(action, data=data)
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"saved=r{rid}#moderate-r{rid}")
    after = page_of(admin.get(r.headers["location"]))
    block = after.one("div", id=f"moderate-r{rid}")
    assert block.one("input", value="partially_met").get("checked") is not None
    assert block.one("textarea", name=f"mod-note-r{rid}").text == "Evidence is thin"
    assert block.one("span.save-state").text == "Saved"
    assert block.one("input", name=f"mod-version-r{rid}")["value"] == "1"
    stored = db.exec(
        select(ModeratedRating).where(ModeratedRating.return_id == submitted["id"])
    ).one()
    assert (stored.requirement_id, stored.rating) == (rid, "partially_met")


def test_with_htmx_a_rating_comes_back_in_place_and_a_stale_one_shows_both(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    sid = submitted["standards"][0]["id"]
    action = review_url(york, submitted, f"/standards/{sid}")
    base = {"csrf_token": page.csrf_token(), f"mod-version-s{sid}": "0", "standard": "1"}
    r = admin.post(action, data={**base, f"rating-s{sid}": "met"}, headers=HTMX)
    assert r.status_code == 200 and "<h1" not in r.text
    fragment = page_of(r)
    assert fragment.one("span.save-state").text == "Saved"
    stale = admin.post(
        action, data={**base, f"rating-s{sid}": "not_met", f"mod-note-s{sid}": "Mine"}, headers=HTMX
    )
    fragment = page_of(stale, status=409)
    assert "Someone else gave a rating" in fragment.text
    assert "Met" in fragment.one("fieldset").text  # theirs, shown
    assert fragment.one("input", value="not_met").get("checked") is not None  # mine, kept
    assert fragment.one("input", name=f"mod-version-s{sid}")["value"] == "1"
    mine = select(ModeratedRating.rating).where(ModeratedRating.return_id == submitted["id"])
    assert db.exec(mine).one() == "met"


def test_a_rating_must_be_chosen(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    rid = submitted["standards"][0]["requirements"][1]["id"]
    r = admin.post(
        review_url(york, submitted, f"/requirements/{rid}"),
        data={
            "csrf_token": page.csrf_token(),
            f"mod-version-r{rid}": "0",
            "standard": "1",
            f"mod-note-r{rid}": "Hm",
        },
    )
    after = page_of(r, status=422)
    assert after.summary_links() == {f"#mod-rating-r{rid}": "Choose one of the ratings for the "
                                     "partnership's rating."}  # fmt: skip
    assert after.one("fieldset", id=f"mod-rating-r{rid}").get("aria-describedby")
    assert after.broken_references() == []


def test_notes_reach_the_agency_beside_its_answers(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    first, second = submitted["standards"][0]["requirements"][:2]
    later = submitted["standards"][4]["requirements"][0]
    # The notes typed beside standard 1 come to the check step, where others are added.
    check = admin.post(
        review_url(york, submitted, "/return"),
        data={"csrf_token": page.csrf_token(), "reason": "",
              f"note-{first['id']}": "Attach the policy, please."},
    )  # fmt: skip
    step = page_of(check)
    assert step.one("textarea", name=f"note-{first['id']}").text == "Attach the policy, please."
    assert step.one("textarea", name=f"note-{later['id']}").text == ""
    assert step.unlabelled_fields() == [] and step.broken_references() == []
    form = step.one("form", action=review_url(york, submitted, "/return"))
    data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    data |= {t["name"]: t.text for t in form.find_all("textarea")}
    data |= {f"note-{later['id']}": "Who is the named lead?", "reason": "Two small gaps.",
             "send": "yes"}  # fmt: skip
    sent = admin.post(form["action"], data=data)
    assert sent.status_code == 303, sent.text
    done = page_of(admin.get(sent.headers["location"]))
    assert "gone back to the agency" in done.text
    assert db.get(Return, submitted["id"]).status == ReturnStatus.returned
    assert (
        len(db.exec(select(ReviewNote).where(ReviewNote.return_id == submitted["id"])).all()) == 3
    )

    editor = visitor_as(EDITOR)
    mine = page_of(editor.get(f"/p/{york.id}/returns/{submitted['id']}?standard=1"))
    assert "Two small gaps." in mine.field("returned-title").parent.text
    answer = mine.one("section", id=f"answer-{first['id']}")
    assert "Attach the policy, please." in answer.one("div.review-note").text
    assert mine.one("section", id=f"answer-{second['id']}").find("div.review-note") is None
    fifth = page_of(editor.get(f"/p/{york.id}/returns/{submitted['id']}?standard=5"))
    assert "Who is the named lead?" in fifth.one("section", id=f"answer-{later['id']}").text


def test_an_empty_return_for_information_is_refused_with_a_summary(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    step = page_of(admin.get(review_url(york, submitted, "/return")))
    r = admin.post(
        review_url(york, submitted, "/return"),
        data={
            "csrf_token": step.csrf_token(),
            "reason": "  ",
            "send": "yes",
            "version": step.one("input", name="version")["value"],
        },  # fmt: skip
    )
    page = page_of(r, status=422)
    assert page.title.startswith("Error:")
    assert list(page.summary_links()) == ["#field-reason"]
    assert page.field_error("reason")
    assert page.one("textarea", id="field-reason").get("aria-invalid") == "true"
    assert db.get(Return, submitted["id"]).status == ReturnStatus.submitted


def test_accepting_shows_the_accepted_return_and_the_partnerships_ratings(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict
) -> None:
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    sid = submitted["standards"][0]["id"]
    admin.post(
        review_url(york, submitted, f"/standards/{sid}"),
        data={"csrf_token": page.csrf_token(), f"mod-version-s{sid}": "0", "standard": "1",
              f"rating-s{sid}": "partially_met", f"mod-note-s{sid}": "Leadership is new"},
    )  # fmt: skip
    page = page_of(admin.get(review_url(york, submitted)))
    accept = page.one("form", action=review_url(york, submitted, "/accept"))
    assert "Accepting ends the review" in accept.text
    data = {i["name"]: i["value"] for i in accept.find_all("input", type="hidden")}
    r = admin.post(accept["action"], data=data)
    assert r.status_code == 303
    done = page_of(admin.get(r.headers["location"]))
    assert "The return has been accepted." in done.text
    assert done.one("strong.tag-accepted").text == "Accepted"
    assert done.find("form", action=review_url(york, submitted, "/accept")) is None
    assert [f for f in done.find_all("form") if "/review/" in f["action"]] == []

    editor = visitor_as(EDITOR)
    theirs = page_of(editor.get(f"/p/{york.id}/returns/{submitted['id']}"))
    assert theirs.one("strong.tag-accepted").text == "Accepted"
    assert "The partnership's ratings" in theirs.text
    assert "Leadership is new" in theirs.text and "Partially met" in theirs.text
    again = admin.post(accept["action"], data=data)
    summary = page_of(again, status=409).error_summary()
    assert summary is not None and "changed after you opened this page" in summary.text


def test_a_return_not_yet_submitted_has_nothing_to_review(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    ret = db.exec(
        select(Return.id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(
            Programme.title == "Section 11 self-assessment 2026",
            Return.status == ReturnStatus.not_started,
        )
    ).first()
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(f"/p/{york.id}/returns/{ret}/review"))
    assert "nothing to review" in page.text
    assert [f for f in page.find_all("form") if "/review" in f["action"]] == []
    step = page_of(admin.get(f"/p/{york.id}/returns/{ret}/review/return"))
    assert "cannot go back to the agency now" in step.text
    assert step.find("textarea") is None


def test_after_acceptance_the_review_reads_without_forms(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    submitted: dict,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> None:
    p = f"{API}/partnerships/{york.id}/returns/{submitted['id']}"
    rid = submitted["standards"][0]["requirements"][0]["id"]
    admin_api = token_for(ADMIN)
    client.put(
        f"{p}/moderation/requirements/{rid}",
        headers={**admin_api, "If-Match": '"0"'},
        json={"rating": "not_met", "note": "No policy seen"},
    )
    assert client.post(f"{p}/accept", headers=admin_api, json={}).status_code == 200
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    assert "has been accepted" in page.text
    assert page.find("textarea") is None
    block = page.one("div", id=f"moderate-r{rid}")
    assert "Not met" in block.text and "No policy seen" in block.text
    assert page.broken_references() == []
    late = admin.post(
        review_url(york, submitted, f"/requirements/{rid}"),
        data={
            "csrf_token": page.csrf_token(),
            f"mod-version-r{rid}": "1",
            "standard": "1",
            f"rating-r{rid}": "met",
        },
    )
    summary = page_of(late, status=409).error_summary()
    assert summary is not None and "review is over" in summary.text


def test_without_javascript_a_note_being_written_is_kept_when_a_rating_is_saved(
    visitor_as: Callable[[str], TestClient], york: Partnership, submitted: dict, db: Session
) -> None:
    """While the return can go back, the ratings belong to the send-back form: saving one
    sends the notes being written too, and the page comes back with them as typed."""
    admin = visitor_as(ADMIN)
    page = page_of(admin.get(review_url(york, submitted)))
    first, second = submitted["standards"][0]["requirements"][:2]
    button = page.one(
        "button", formaction=review_url(york, submitted, f"/requirements/{first['id']}")
    )
    action, data = page.pressing(button)
    data |= {f"rating-r{first['id']}": "not_met", f"note-{second['id']}": "Who is the named lead?",
             "reason": "Two small gaps."}  # fmt: skip
    r = admin.post(action, data=data)
    after = page_of(r, status=200)
    assert after.field(f"note-{second['id']}").text == "Who is the named lead?"
    assert after.field("field-reason").text == "Two small gaps."
    block = after.one("div", id=f"moderate-r{first['id']}")
    assert block.one("input", value="not_met").get("checked") is not None
    assert block.one("span.save-state").text == "Saved"
    stored = db.exec(
        select(ModeratedRating).where(ModeratedRating.return_id == submitted["id"])
    ).one()
    assert (stored.requirement_id, stored.rating) == (first["id"], "not_met")
    assert db.exec(select(ReviewNote).where(ReviewNote.return_id == submitted["id"])).all() == []
