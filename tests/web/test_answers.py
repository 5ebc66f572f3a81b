"""Answering a return in the browser: each answer saves as the person goes (htmx), or with
its Save button without JavaScript; a stale save never overwrites a newer answer."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, APPROVER, EDITOR, HTMX, page_of

from api.models import (
    Action,
    Agency,
    Partnership,
    Programme,
    ProgrammeStatus,
    RequirementResponse,
    Return,
    ReturnStatus,
)

HOUSING = "City of York Council Housing Services"


@pytest.fixture
def housing_return(db: Session, york: Partnership) -> int:
    found = db.exec(
        select(Return.id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Agency.name == HOUSING, Programme.status == ProgrammeStatus.open)
    ).one()
    assert found is not None
    return found


def answer_forms(page):  # type: ignore[no-untyped-def]
    return [f for f in page.find_all("form") if "/answers/" in (f.get("action") or "")]


def first_answer_form(client: TestClient, pid: int, ret: int):  # type: ignore[no-untyped-def]
    page = page_of(client.get(f"/p/{pid}/returns/{ret}?standard=1"))
    return page, answer_forms(page)[0]


def post_answer(client: TestClient, page, form, headers=None, **values):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": page.csrf_token(),
        "version": form.one("input", name="version")["value"],
        "standard": "1",
        "rating": "",
        "evidence": "",
        "comment": "",
        **values,
    }
    return client.post(form["action"], data=data, headers=headers or {})


def test_the_agency_answers_standard_by_standard(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    editor = visitor_as(EDITOR)
    page, form = first_answer_form(editor, york.id, housing_return)
    assert page.h1.startswith(HOUSING)
    assert len(answer_forms(page)) == 3  # the requirements of standard 1
    assert page.unlabelled_fields() == []
    radios = form.find_all("input", type="radio")
    assert [r["value"] for r in radios] == ["met", "partially_met", "not_met", "not_applicable"]
    assert form.get("hx-trigger") == "change delay:600ms, submit"


def test_without_javascript_save_returns_to_the_page(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page, form = first_answer_form(editor, york.id, housing_return)
    r = post_answer(editor, page, form, rating="met", evidence="Board report, March 2026")
    assert r.status_code == 303
    assert "saved=" in r.headers["location"] and "#answer-" in r.headers["location"]
    after = page_of(editor.get(r.headers["location"]))
    assert "Your answer was saved." in after.text
    assert "1 of 37" in after.text
    stored = db.exec(
        select(RequirementResponse).where(RequirementResponse.return_id == housing_return)
    ).one()
    assert (stored.rating, stored.evidence) == ("met", "Board report, March 2026")
    assert db.get(Return, housing_return).status == ReturnStatus.in_progress


def test_with_htmx_the_answer_comes_back_saved(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    editor = visitor_as(EDITOR)
    page, form = first_answer_form(editor, york.id, housing_return)
    r = post_answer(editor, page, form, headers=HTMX, rating="not_met", evidence="Draft")
    assert r.status_code == 200
    assert "<html" not in r.text and "<h1" not in r.text
    fragment = page_of(r)
    assert fragment.one("input", name="version")["value"] == "1"
    assert fragment.one("span.save-state").text.strip() == "Saved"
    assert fragment.one("input", value="not_met").get("checked") is not None


def test_a_stale_save_keeps_both_answers_in_view(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor, approver = visitor_as(EDITOR), visitor_as(APPROVER)
    page_e, form_e = first_answer_form(editor, york.id, housing_return)
    page_a, form_a = first_answer_form(approver, york.id, housing_return)
    assert post_answer(editor, page_e, form_e, rating="met", evidence="Editor's").status_code == 303
    r = post_answer(approver, page_a, form_a, headers=HTMX, rating="not_met", evidence="Approver's")
    assert r.status_code == 409
    fragment = page_of(r, status=409)
    assert "Not saved" in fragment.text and "Editor's" in fragment.text  # theirs, shown
    assert fragment.one("textarea", name="evidence").text == "Approver's"  # mine, kept
    assert fragment.one("input", name="version")["value"] == "1"  # a new save would be knowing
    stored = db.exec(
        select(RequirementResponse).where(RequirementResponse.return_id == housing_return)
    ).one()
    assert stored.evidence == "Editor's"


def test_the_partnership_reads_but_does_not_answer(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    page = page_of(visitor_as(ADMIN).get(f"/p/{york.id}/returns/{housing_return}?standard=1"))
    assert answer_forms(page) == []
    assert "0 of 37" in page.text


def test_the_approver_sees_every_unmet_rule_with_a_link_to_it(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    editor, approver = visitor_as(EDITOR), visitor_as(APPROVER)
    page, form = first_answer_form(editor, york.id, housing_return)
    post_answer(editor, page, form, rating="met", evidence="Board minutes")  # starts it
    assert (
        page_of(editor.get(f"/p/{york.id}/returns/{housing_return}")).find(
            "form", action=f"/p/{york.id}/returns/{housing_return}/submit"
        )
        is None
    )  # an editor answers but does not sign off
    page = page_of(approver.get(f"/p/{york.id}/returns/{housing_return}"))
    sign = page.one("form", action=f"/p/{york.id}/returns/{housing_return}/submit")
    assert sign.one("input", name="name")["value"] == "Ann Approver"
    r = approver.post(
        sign["action"],
        data={"csrf_token": page.csrf_token(), "name": "Ann Approver", "role": ""},
    )
    after = page_of(r, status=422)
    summary = after.one("div.error-summary")
    links = summary.find_all("a")
    assert len(links) == 36 + 2  # 36 requirements unrated, the role, the declaration
    page_url = f"/p/{york.id}/returns/{housing_return}"
    assert links[0]["href"].startswith(f"{page_url}?standard=1#answer-")
    assert [a["href"] for a in links[-2:]] == [
        "#field-sign_off-role",
        "#field-sign_off-declaration",
    ]
    assert after.title.startswith("Error: ")
    # each sign-off rule is said again beside its field, and the field points at it
    for name in ("role", "declaration"):
        error = after.field(f"error-sign_off-{name}")
        assert (
            error.text.removeprefix("Error:").strip()
            == summary.one("a", href=f"#field-sign_off-{name}").text
        )
        control = after.field(f"field-sign_off-{name}")
        assert control.get("aria-invalid") == "true"
        assert f"error-sign_off-{name}" in (control.get("aria-describedby") or "").split()
    assert after.by_id("error-sign_off-name") is None  # the name was given
    assert after.broken_references() == [] or all(
        ref.startswith("answer-") for ref in after.broken_references()
    )


def test_a_complete_return_is_signed_off_and_submitted(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    housing_return: int,
    db: Session,
    client: TestClient,
    token_for: Callable[[str], dict[str, str]],
) -> None:
    editor_api = token_for(EDITOR)
    full = client.get(
        f"/api/v1/partnerships/{york.id}/returns/{housing_return}", headers=editor_api
    )
    ref = full.json()["framework_version"]
    version = client.get(
        f"/api/v1/partnerships/{york.id}/frameworks/{ref['framework_id']}/versions/1",
        headers=editor_api,
    ).json()
    for s in version["standards"]:
        for req in s["requirements"]:
            r = client.put(
                f"/api/v1/partnerships/{york.id}/returns/{housing_return}/responses/{req['id']}",
                headers={**editor_api, "If-Match": '"0"'},
                json={"rating": "met", "evidence": "Seen"},
            )
            assert r.status_code == 200
    approver = visitor_as(APPROVER)
    page = page_of(approver.get(f"/p/{york.id}/returns/{housing_return}"))
    r = approver.post(
        f"/p/{york.id}/returns/{housing_return}/submit",
        data={"csrf_token": page.csrf_token(), "name": "Ann Approver",
              "role": "Head of Housing", "declaration": "yes"},
    )  # fmt: skip
    assert r.status_code == 303
    done = page_of(approver.get(r.headers["location"]))
    assert "signed off and submitted" in done.text
    assert done.find("form", action=f"/p/{york.id}/returns/{housing_return}/submit") is None
    assert db.get(Return, housing_return).status == ReturnStatus.submitted


def test_without_javascript_a_stale_save_shows_the_whole_page_with_both_answers(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    editor, approver = visitor_as(EDITOR), visitor_as(APPROVER)
    page_e, form_e = first_answer_form(editor, york.id, housing_return)
    page_a, form_a = first_answer_form(approver, york.id, housing_return)
    post_answer(editor, page_e, form_e, rating="met", evidence="Editor's")
    r = post_answer(approver, page_a, form_a, rating="not_met", evidence="Approver's")
    page = page_of(r, status=409)
    assert page.h1.startswith(HOUSING)  # the whole page, not a fragment
    failed = page.one("section", id=form_a["action"].rsplit("/", 1)[1].join(("answer-", "")))
    assert "Not saved" in failed.text and "Editor's" in failed.text
    assert failed.one("textarea", name="evidence").text == "Approver's"


def test_an_action_is_added_beside_the_answer(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:

    editor = visitor_as(EDITOR)
    page, _ = first_answer_form(editor, york.id, housing_return)
    add = [b for b in page.find_all("button") if b.text == "Add action"][0]
    bad = editor.post(
        add["hx-post"],
        data={"csrf_token": page.csrf_token(), "standard": "1", "description": "", "owner": ""},
        headers=HTMX,
    )
    fragment = page_of(bad, status=409)
    assert "The action was not added" in fragment.text
    assert fragment.one("textarea", name="description").get("aria-invalid") == "true"
    assert db.exec(select(Action).where(Action.return_id == housing_return)).all() == []
    # Without JavaScript "Add action" sends the answer's form too: what was typed is kept
    action, data = page.pressing(add)
    ok = editor.post(
        action,
        data={**data, "owner": "Head of Housing", "description": "Refresh the policy",
              "due_on": "2027-03-31", "rating": "partially_met", "evidence": "Policy of 2019"},
    )  # fmt: skip
    assert ok.status_code == 303 and "#answer-" in ok.headers["location"]
    after = page_of(editor.get(ok.headers["location"]))
    assert "Refresh the policy" in after.text and "Head of Housing, due 2027-03-31" in after.text
    requirement = action.rsplit("/", 1)[1]
    assert after.field(f"evidence-{requirement}").text == "Policy of 2019"
    assert after.field(f"rating-{requirement}-partially_met").get("checked") is not None
    [action] = db.exec(select(Action).where(Action.return_id == housing_return)).all()
