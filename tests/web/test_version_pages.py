"""Submitted versions in the browser: each one as it was signed off, what changed between
two, and starting a return from the agency's last accepted one."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, APPROVER, EDITOR, page_of

from api.models import Agency, Partnership, Programme, Return, ReturnStatus

HOUSING = "City of York Council Housing Services"
SIGN_OFF = {"name": "Ann Approver", "role": "Head of Housing", "declaration": True}


@pytest.fixture
def housing_2026(db: Session) -> Return:
    return db.exec(
        select(Return)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Agency.name == HOUSING, Programme.title == "Section 11 self-assessment 2026")
    ).one()


class Api:
    """The API of the same app, as the demo people, to set the scene quickly."""

    def __init__(self, app: FastAPI, token_for: Callable[[str], dict[str, str]], pid: int):
        self.client = TestClient(app, base_url="http://testserver")
        self.token_for, self.base = token_for, f"/api/v1/partnerships/{pid}"

    def __call__(self, method: str, path: str, who: str, headers=None, **kw):  # type: ignore[no-untyped-def]
        headers = {**self.token_for(who), **(headers or {})}
        r = self.client.request(method, self.base + path, headers=headers, **kw)
        assert r.is_success, r.text
        return r.json() if r.content else None

    def requirements(self, return_id: int) -> list[int]:
        ref = self("GET", f"/returns/{return_id}", EDITOR)["framework_version"]
        version = self("GET", f"/frameworks/{ref['framework_id']}/versions/{ref['number']}", EDITOR)
        return [r["id"] for s in version["standards"] for r in s["requirements"]]


@pytest.fixture
def api(site_app: FastAPI, token_for, york: Partnership) -> Api:  # type: ignore[no-untyped-def]
    return Api(site_app, token_for, york.id)


@pytest.fixture
def two_versions(api: Api, db: Session, housing_2026: Return) -> int:
    """Housing's return submitted twice: the second time with one answer changed."""
    rid = housing_2026.id
    assert rid is not None
    ids = api.requirements(rid)
    answers = [{"requirement_id": r, "rating": "met", "evidence": "The safeguarding policy",
                "version": 0} for r in ids]  # fmt: skip
    api("PUT", f"/returns/{rid}/responses", EDITOR, json={"responses": answers})
    api("POST", f"/returns/{rid}/submit", APPROVER, json=SIGN_OFF)
    db.refresh(housing_2026)
    housing_2026.status = ReturnStatus.returned
    db.add(housing_2026)
    db.commit()
    api("PUT", f"/returns/{rid}/responses/{ids[0]}", EDITOR, headers={"If-Match": '"1"'},
        json={"rating": "met", "evidence": "The revised safeguarding policy"})  # fmt: skip
    api("POST", f"/returns/{rid}/submit", APPROVER, json=SIGN_OFF)
    return rid


def test_the_return_page_lists_versions_and_offers_a_comparison(
    visitor_as: Callable[[str], TestClient], york: Partnership, two_versions: int
) -> None:
    page = page_of(visitor_as(ADMIN).get(f"/p/{york.id}/returns/{two_versions}"))
    section = page.one("section.versions")
    links = [a["href"] for a in section.find_all("a")]
    assert links == [f"/p/{york.id}/returns/{two_versions}/versions/{n}" for n in (1, 2)]
    form = section.one("form")
    assert form["method"] == "get" and form["action"].endswith("/compare")
    assert page.unlabelled_fields() == []


def test_a_version_is_shown_as_it_was_signed_off(
    visitor_as: Callable[[str], TestClient], york: Partnership, two_versions: int
) -> None:
    page = page_of(visitor_as(EDITOR).get(f"/p/{york.id}/returns/{two_versions}/versions/1"))
    text = page.text
    assert "Ann Approver, Head of Housing" in text
    assert "The safeguarding policy" in text and "revised" not in text
    assert len(page.one("code.hash").text) == 64
    current = page.one("section.versions").one("a", **{"aria-current": "page"})
    assert current.text == "Version 1"


def test_the_comparison_marks_the_words_that_changed(
    visitor_as: Callable[[str], TestClient], york: Partnership, two_versions: int
) -> None:
    url = f"/p/{york.id}/returns/{two_versions}/compare?from=1&to=2"
    page = page_of(visitor_as(ADMIN).get(url))
    assert [n.text for n in page.find_all("ins")][1:] == ["revised"]
    assert "1.1" in page.one("h3").text
    same = page_of(
        visitor_as(ADMIN).get(f"/p/{york.id}/returns/{two_versions}/compare?from=2&to=2")
    )
    assert "The two versions are the same." in same.text


def test_another_agency_cannot_see_the_versions(
    visitor_as: Callable[[str], TestClient], db: Session, york: Partnership, two_versions: int
) -> None:
    other = db.exec(select(Return).where(Return.id != two_versions)).first()
    assert other is not None
    page_of(visitor_as(EDITOR).get(f"/p/{york.id}/returns/{other.id}/versions/1"), 404)
    bad = visitor_as(ADMIN).get(f"/p/{york.id}/returns/{two_versions}/compare?from=x&to=1")
    page_of(bad, 400)


def test_starting_from_the_last_accepted_return(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_2026: Return
) -> None:
    """The demo's Housing accepted its 2023 return: its editor may start 2026 from it."""
    editor = visitor_as(EDITOR)
    url = f"/p/{york.id}/returns/{housing_2026.id}"
    page = page_of(editor.get(url))
    offer = page.one("section.carry")
    assert "Section 11 self-assessment 2023" in offer.text
    r = editor.post(offer.one("form")["action"], data={"csrf_token": page.csrf_token()})
    assert r.status_code == 303 and r.headers["location"] == f"{url}?carried=37&files=1"
    after = page_of(editor.get(r.headers["location"] + "&standard=1"))
    assert "37 answers and 1 evidence file were copied" in after.one("div.notice").text
    first = after.find_all("section.answer")[0]
    assert "Carried forward: confirm it or change it" in first.text
    assert "safeguarding-policy.txt" in first.text
    assert after.find("section.carry") is None  # nothing is left unanswered to copy into
    assert "37 carried forward" in after.text  # the summary's "To review"


def test_carried_answers_are_confirmed_without_javascript(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_2026: Return
) -> None:
    editor = visitor_as(EDITOR)
    url = f"/p/{york.id}/returns/{housing_2026.id}"
    page = page_of(editor.get(url))
    editor.post(
        page.one("section.carry").one("form")["action"], data={"csrf_token": page.csrf_token()}
    )
    page = page_of(editor.get(f"{url}?standard=1"))
    first = page.find_all("section.answer")[0]
    form = first.one("form.confirm")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    r = editor.post(form["action"], data=fields)
    assert r.status_code == 303, r.text
    after = page_of(editor.get(r.headers["location"]))
    assert "1 carried-forward answer confirmed" in after.one("p.notice").text
    first = after.find_all("section.answer")[0]
    assert first.find("form.confirm") is None
    assert "Carried forward" not in first.text
    assert "36 carried forward" in after.text
    # A stale confirmation (the answer moved on) says so and confirms nothing.
    stale = editor.post(form["action"], data=fields)
    assert stale.status_code == 409
    assert page_of(stale, 409).one("div.error-summary")
    # The rest of the standard at once.
    [whole] = [f for f in after.find_all("form.confirm") if "/standards/" in f["action"]]
    left = int(whole.one("button").text.split()[2])
    r = editor.post(
        whole["action"], data={i["name"]: i.get("value", "") for i in whole.find_all("input")}
    )
    assert r.status_code == 303
    done = page_of(editor.get(r.headers["location"]))
    assert f"{left} carried-forward answers confirmed" in done.one("p.notice").text
    assert not done.find_all("form.confirm")
