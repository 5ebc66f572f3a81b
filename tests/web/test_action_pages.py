"""Action plans in the browser: the partnership's, an agency's and a programme's lists, and
one action, changed and tracked to done with plain forms (no JavaScript needed)."""

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, col, select
from test_pages import assert_accessible_page
from websupport import ADMIN, APPROVER, EDITOR, EXECUTIVE, HTMX, PANEL, SCRUTINEER, page_of

from api.models import (
    Action,
    ActionRequirement,
    ActionStatus,
    ActionUpdate,
    Agency,
    Partnership,
    Programme,
    Requirement,
    Return,
    Standard,
)

HOUSING = "City of York Council Housing Services"


def _return(db: Session, programme: Programme, agency_name: str) -> Return:
    return db.exec(
        select(Return)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .where(Return.programme_id == programme.id, Agency.name == agency_name)
    ).one()


def _action(db: Session, pid: int, ret: Return, description: str, due_on: date, codes: list[str],
            programme: Programme) -> int:  # fmt: skip
    action = Action(partnership_id=pid, agency_id=ret.agency_id, return_id=ret.id,
                    description=description, owner="Head of Housing", due_on=due_on)  # fmt: skip
    db.add(action)
    db.flush()
    requirements = db.exec(
        select(Requirement.id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(
            Standard.framework_version_id == programme.framework_version_id,
            col(Requirement.code).in_(codes),
        )
    ).all()
    assert action.id is not None
    db.add_all(ActionRequirement(action_id=action.id, requirement_id=r) for r in requirements if r)
    return action.id


def clear_actions(db: Session, partnership_id: int) -> None:
    """Start from a partnership with no actions, whatever the demo holds."""
    mine = select(Action.id).where(Action.partnership_id == partnership_id)
    db.exec(delete(ActionUpdate).where(col(ActionUpdate.action_id).in_(mine)))  # type: ignore[call-overload]
    db.exec(delete(ActionRequirement).where(col(ActionRequirement.action_id).in_(mine)))  # type: ignore[call-overload]
    db.exec(delete(Action).where(col(Action.partnership_id) == partnership_id))  # type: ignore[call-overload]


@pytest.fixture
def plan(db: Session, york: Partnership) -> dict[str, int]:
    """Two of Housing's actions (one overdue) and one of Cafcass's, from the 2026 returns,
    and no others."""
    assert york.id is not None
    clear_actions(db, york.id)
    programme = db.exec(
        select(Programme).where(Programme.title == "Section 11 self-assessment 2026")
    ).one()
    housing, cafcass = _return(db, programme, HOUSING), _return(db, programme, "Cafcass")
    assert york.id is not None and programme.id is not None
    ids = {
        "p": york.id,
        "programme": programme.id,
        "housing": housing.agency_id,
        "cafcass": cafcass.agency_id,
        "policy": _action(db, york.id, housing, "Refresh the tenancy safeguarding policy",
                          date(2027, 6, 30), ["1.1", "1.2"], programme),
        "training": _action(db, york.id, housing, "Train every lettings officer",
                            date(2024, 1, 31), ["9.1"], programme),
        "cafcass_action": _action(db, york.id, cafcass, "Audit supervision records",
                                  date(2027, 3, 31), ["9.2"], programme),
    }  # fmt: skip
    db.add(ActionUpdate(action_id=ids["policy"], note="Draft written for the board",
                        author_label="Ed Editor"))  # fmt: skip
    db.commit()
    return ids


def rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [tr.find_all("td")[0].text for tr in page.one("div#results").one("tbody").find_all("tr")]


def test_the_business_unit_sees_every_agency_s_plan(admin: TestClient, plan: dict[str, int]):
    page = page_of(admin.get(f"/p/{plan['p']}/actions"))
    assert_accessible_page(page)
    assert page.h1 == "Action plan"
    assert rows(page) == [
        "Train every lettings officer",
        "Audit supervision records",
        "Refresh the tenancy safeguarding policy",
    ]
    overdue = page.one("div#results").find_all("tr")[1]
    assert "Overdue" in overdue.text and "9.1" in overdue.text
    nav = page.one("nav", **{"aria-label": "Main"})
    assert nav.one("a", **{"aria-current": "page"}).text == "Action plan"
    assert page.one("select", name="agency") and page.one("select", name="programme")

    by_agency = page_of(admin.get(f"/p/{plan['p']}/actions", params={"agency": plan["cafcass"]}))
    assert rows(by_agency) == ["Audit supervision records"]
    assert by_agency.one("option", value=str(plan["cafcass"])).get("selected") is not None
    late = page_of(admin.get(f"/p/{plan['p']}/actions", params={"overdue": "yes"}))
    assert rows(late) == ["Train every lettings officer"]
    none = page_of(admin.get(f"/p/{plan['p']}/actions", params={"status": "done"}))
    assert rows(none) == ["No actions match these filters. Show every action."]


def test_htmx_gets_only_the_list(admin: TestClient, plan: dict[str, int]):
    response = admin.get(f"/p/{plan['p']}/actions", params={"overdue": "no"}, headers=HTMX)
    fragment = page_of(response)
    assert "<html" not in response.text and fragment.find("h1") is None
    assert len(fragment.one("tbody").find_all("tr")) == 2


def test_agency_staff_see_their_own_agency_s_plan(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int]
):
    page = page_of(visitor_as(EDITOR).get(f"/p/{plan['p']}/actions"))
    assert_accessible_page(page)
    assert page.h1 == "Your agency's action plan"
    assert rows(page) == ["Train every lettings officer", "Refresh the tenancy safeguarding policy"]
    assert page.find("select", name="agency") is None


@pytest.mark.parametrize("who", [PANEL, EXECUTIVE])
def test_those_without_plans_are_told_so(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], who: str
):
    visitor = visitor_as(who)
    page = page_of(visitor.get(f"/p/{plan['p']}/actions"), status=403)
    assert "each agency's own staff" in page.text
    home = page_of(visitor.get(f"/p/{plan['p']}"))
    assert "Action plan" not in home.one("nav", **{"aria-label": "Main"}).text


def test_one_agency_s_plan_is_linked_from_its_page(
    admin: TestClient, visitor_as: Callable[[str], TestClient], plan: dict[str, int]
):
    url = f"/p/{plan['p']}/agencies/{plan['housing']}/actions"
    agency = page_of(admin.get(f"/p/{plan['p']}/agencies/{plan['housing']}"))
    assert agency.one("a", href=url).text == "This agency's action plan"
    page = page_of(admin.get(url))
    assert_accessible_page(page)
    assert page.h1 == f"{HOUSING}: action plan"
    assert len(rows(page)) == 2 and page.find("select", name="agency") is None

    editor = visitor_as(EDITOR)
    assert page_of(editor.get(url)).h1 == f"{HOUSING}: action plan"
    cafcass = f"/p/{plan['p']}/agencies/{plan['cafcass']}"
    assert page_of(editor.get(cafcass)).find("a", href=f"{cafcass}/actions") is None
    refused = page_of(editor.get(f"{cafcass}/actions"), status=403)
    assert "only your own agency's action plan" in refused.text


def test_a_programme_s_actions_are_linked_from_its_page(admin: TestClient, plan: dict[str, int]):
    url = f"/p/{plan['p']}/programmes/{plan['programme']}/actions"
    programme = page_of(admin.get(f"/p/{plan['p']}/programmes/{plan['programme']}"))
    assert programme.one("a", href=url).text == "Actions that began in this programme"
    page = page_of(admin.get(url))
    assert_accessible_page(page)
    assert page.h1 == "Section 11 self-assessment 2026: actions"
    assert len(rows(page)) == 3 and page.find("select", name="programme") is None
    page = page_of(admin.get(url, params={"agency": plan["housing"]}))
    assert len(rows(page)) == 2


def test_an_action_shows_all_it_holds(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int]
):
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    assert_accessible_page(page)
    assert page.h1 == "Refresh the tenancy safeguarding policy"
    summary = {d.find("dt").text: d.find("dd").text for d in page.one("dl.summary").find_all("div")}
    assert summary["Requirements"] == "1.1, 1.2"
    assert (summary["Owner"], summary["Due"], summary["Status"]) == (
        "Head of Housing", "2027-06-30", "Planned",
    )  # fmt: skip
    assert summary["Evidence of completion"] == "None yet"
    note = page.one("ol.progress-notes").one("li")
    assert "Draft written for the board" in note.text and "Ed Editor" in note.text
    assert page.one("input", name="etag")["value"] == '"1"'
    late = page_of(editor.get(f"/p/{plan['p']}/actions/{plan['training']}"))
    assert late.one("strong.overdue").text == "Overdue"


@pytest.mark.parametrize("who", [ADMIN, SCRUTINEER])
def test_oversight_reads_an_action_but_does_not_change_it(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], who: str
):
    page = page_of(visitor_as(who).get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    assert (
        page.find("form", method="post", action=f"/p/{plan['p']}/actions/{plan['policy']}") is None
    )
    assert f"Only the editors and approvers of {HOUSING} change" in page.text


def test_another_agency_s_action_is_not_shown(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int]
):
    editor = visitor_as(EDITOR)
    page_of(editor.get(f"/p/{plan['p']}/actions/{plan['cafcass_action']}"), status=404)
    page_of(visitor_as(EXECUTIVE).get(f"/p/{plan['p']}/actions/{plan['policy']}"), status=404)
    # the 2023 challenge day's panel, which questioned Housing, reads its plan and no more
    seen = page_of(visitor_as(PANEL).get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    assert seen.h1 and not [
        f for f in seen.find_all("form") if "/actions/" in (f.get("action") or "")
    ]


def change(client: TestClient, plan: dict[str, int], page, **values):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": page.csrf_token(),
        "etag": page.one("input", name="etag")["value"],
        "status": "planned",
        "owner": "Head of Housing",
        "due_on": "2027-06-30",
        "completion_evidence": "",
        **values,
    }
    return client.post(f"/p/{plan['p']}/actions/{plan['policy']}", data=data)


def test_the_change_form_works_without_javascript(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], db: Session
):
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    r = change(editor, plan, page, status="in_progress", owner="Director of Housing",
               due_on="2027-09-30")  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == f"/p/{plan['p']}/actions/{plan['policy']}?saved=1"
    after = page_of(editor.get(r.headers["location"]))
    assert "Your changes were saved." in after.one("div.notice").text
    assert after.one("input", name="etag")["value"] == '"2"'
    stored = db.get(Action, plan["policy"])
    db.refresh(stored)
    assert (stored.status, stored.owner, stored.due_on) == (
        ActionStatus.in_progress, "Director of Housing", date(2027, 9, 30),
    )  # fmt: skip


def test_done_without_evidence_is_refused_inline(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], db: Session
):
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    r = change(editor, plan, page, status="done", owner="Director of Housing")
    refused = page_of(r, status=422)
    assert_accessible_page(refused)
    message = "Evidence of completion is needed before the action can be marked done"
    assert refused.summary_links() == {"#field-completion_evidence": message}
    assert refused.field_error("completion_evidence") == message
    field = refused.field("field-completion_evidence")
    assert field["aria-invalid"] == "true"
    assert refused.one("option", value="done").get("selected") is not None  # kept as typed
    assert refused.one("input", name="owner")["value"] == "Director of Housing"
    stored = db.get(Action, plan["policy"])
    db.refresh(stored)
    assert stored.status == ActionStatus.planned

    r = change(editor, plan, page, status="done", completion_evidence="Board minute, 4 March")
    assert r.status_code == 303
    done = page_of(editor.get(r.headers["location"]))
    assert "Board minute, 4 March" in done.one("dl.summary").text


def test_a_bad_owner_or_date_is_refused_inline(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int]
):
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(f"/p/{plan['p']}/actions/{plan['policy']}"))
    refused = page_of(change(editor, plan, page, owner="", due_on=""), status=422)
    assert set(refused.summary_links()) == {"#field-owner", "#field-due_on"}
    assert refused.field_error("owner") == "Enter owner"
    assert refused.field_error("due_on")


def test_a_stale_save_says_so_and_keeps_what_was_typed(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], db: Session
):
    editor, approver = visitor_as(EDITOR), visitor_as(APPROVER)
    url = f"/p/{plan['p']}/actions/{plan['policy']}"
    mine, theirs = page_of(editor.get(url)), page_of(approver.get(url))
    assert change(approver, plan, theirs, owner="Approver's choice").status_code == 303
    r = change(editor, plan, mine, owner="Editor's choice")
    stale = page_of(r, status=409)
    assert "Someone else changed this action" in stale.one("div.error-summary").text
    assert "Approver's choice" in stale.one("dl.summary").text  # theirs, shown
    assert stale.one("input", name="owner")["value"] == "Editor's choice"  # mine, kept
    assert stale.one("input", name="etag")["value"] == '"2"'  # saving again is knowing
    stored = db.get(Action, plan["policy"])
    db.refresh(stored)
    assert stored.owner == "Approver's choice"


def test_a_progress_note_appears(
    visitor_as: Callable[[str], TestClient], plan: dict[str, int], db: Session
):
    approver = visitor_as(APPROVER)
    url = f"/p/{plan['p']}/actions/{plan['policy']}"
    page = page_of(approver.get(url))
    r = approver.post(f"{url}/updates", data={"csrf_token": page.csrf_token(), "note": "  "})
    refused = page_of(r, status=422)
    assert refused.summary_links() == {"#field-note": "Enter progress note"}
    assert refused.field("field-note")["aria-invalid"] == "true"

    note = "Approved by the board on 4 March"
    r = approver.post(f"{url}/updates", data={"csrf_token": page.csrf_token(), "note": note})
    assert r.status_code == 303 and r.headers["location"] == f"{url}?noted=1#updates"
    after = page_of(approver.get(f"{url}?noted=1"))
    newest = after.one("ol.progress-notes").find_all("li")[0]
    assert note in newest.text and "Ann Approver" in newest.text
    assert "Your progress note was added." in after.one("div.notice").text
