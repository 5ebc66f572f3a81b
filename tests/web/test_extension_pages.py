"""Extensions in the browser: the tracker and the return show each agency's due date; the
business unit grants, changes and withdraws an extension from the return's page with a plain
form (htmx swaps only its section); nobody else is offered it, or may send it."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from test_answers import housing_return  # noqa: F401  (the fixture)
from test_compliance_page import cycle, url  # noqa: F401  (the fixture)
from test_pages import assert_accessible_page
from websupport import EDITOR, HTMX, count, page_of

from api.models import AuditEvent, Partnership, Programme, Return

HOUSING = "City of York Council Housing Services"


def day(when: date) -> str:
    return f"{when.day} {when:%b %Y}"


def deadline_of(db: Session, return_id: int) -> date:
    return db.exec(
        select(Programme.deadline)
        .join(Return, col(Return.programme_id) == Programme.id)
        .where(Return.id == return_id)
    ).one()


def return_page(client: TestClient, york: Partnership, return_id: int, status: int = 200):  # type: ignore[no-untyped-def]
    return page_of(client.get(f"/p/{york.id}/returns/{return_id}"), status)


def summary(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The return's summary list, each term with its description."""
    return {d.one("dt").text: d.one("dd").text for d in page.one("dl.summary").find_all("div")}


def grant_form(page):  # type: ignore[no-untyped-def]
    return page.one("section", class_="extension").find_all("form")[0]


def press(client: TestClient, page, button, headers=None, **typed):  # type: ignore[no-untyped-def]
    """Send a button's form as the page holds it, with what the person typed."""
    action, data = page.pressing(button)
    return client.post(action, data={**data, **typed}, headers=headers or {})


def grant(client: TestClient, york: Partnership, return_id: int, due_on: date, reason: str):  # type: ignore[no-untyped-def]
    page = return_page(client, york, return_id)
    button = grant_form(page).one("button")
    return press(client, page, button, due_on=due_on.isoformat(), reason=reason)


def api_return(client: TestClient, token_for, york: Partnership, return_id: int):  # type: ignore[no-untyped-def]
    r = client.get(
        f"/api/v1/partnerships/{york.id}/returns/{return_id}",
        headers=token_for("admin@york.example"),
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_the_tracker_shows_each_due_date_and_marks_an_extension(
    admin: TestClient,
    db: Session,
    cycle: dict[str, int],  # noqa: F811
) -> None:
    waiting = db.exec(
        select(Return).where(
            Return.programme_id == cycle["programme"], col(Return.submitted_at).is_(None)
        )
    ).first()
    assert waiting is not None
    waiting.extended_to, waiting.extension_reason = date(2027, 2, 26), "Inspection in January"
    db.add(waiting)
    db.commit()
    page = page_of(admin.get(url(cycle)))
    assert_accessible_page(page)
    table = page.one("table.compliance")
    assert "Due" in [th.text for th in table.one("thead").find_all("th")]
    rows = {tr.find_all("td")[0].text: tr for tr in table.one("tbody").find_all("tr")}
    housing_due = rows[HOUSING].find_all("td")[3]
    assert housing_due.text == "29 Jan 2027"
    assert housing_due.one("time")["datetime"] == "2027-01-29"
    extended = [tr for tr in rows.values() if "Extended to" in tr.text]
    assert len(extended) == 1
    assert extended[0].find_all("td")[3].text == "Extended to 26 Feb 2027"
    # the programme's deadline is still said, above the table
    assert "The deadline is 29 Jan 2027" in page.one("section", id="compliance").text


def test_the_business_unit_grants_an_extension_and_the_agency_sees_it(
    admin: TestClient,
    visitor_as: Callable[[str], TestClient],
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
    client: TestClient,
    token_for,  # type: ignore[no-untyped-def]
) -> None:
    deadline = deadline_of(db, housing_return)
    page = return_page(admin, york, housing_return)
    assert_accessible_page(page)
    form = grant_form(page)
    assert form["method"] == "post" and form["action"].endswith("/extension")
    assert page.one("label", for_="field-due_on").text == "New due date"
    assert page.one("label", for_="field-reason").text == "Reason"
    assert page.find("button.warning") is None  # nothing to withdraw yet
    later = deadline + timedelta(days=21)
    response = grant(admin, york, housing_return, later, "Flooding closed the office")
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("?extension=granted#extension")
    after = page_of(admin.get(response.headers["location"].split("#")[0]))
    assert after.one("div.notice", role="status").text == (
        f"The extension has been saved. {HOUSING} is now due to return by {day(later)}."
    )
    body = api_return(client, token_for, york, housing_return)
    assert body["due_on"] == later.isoformat()
    assert body["extension"]["reason"] == "Flooding closed the office"
    # the agency reads the new date and why, and is offered no form
    agency = return_page(visitor_as(EDITOR), york, housing_return)
    assert_accessible_page(agency)
    said = summary(agency)
    assert said["Deadline"] == day(deadline)
    assert said["Due"] == f"Extended to {day(later)}"
    assert said["Reason for the extension"].startswith("Flooding closed the office (")
    assert agency.find("section", class_="extension") is None
    assert not [f for f in agency.find_all("form") if "extension" in (f.get("action") or "")]


def test_without_an_extension_the_agency_is_due_by_the_deadline(
    visitor_as: Callable[[str], TestClient],
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    deadline = deadline_of(db, housing_return)
    said = summary(return_page(visitor_as(EDITOR), york, housing_return))
    assert said["Due"] == f"{day(deadline)}, the deadline"
    assert "Reason for the extension" not in said


def test_a_due_date_on_the_deadline_is_refused_beside_the_field_keeping_what_was_typed(
    admin: TestClient,
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    deadline = deadline_of(db, housing_return)
    audit = count(db, AuditEvent)
    response = grant(admin, york, housing_return, deadline, "Needs more time")
    page = page_of(response, 422)
    assert_accessible_page(page)
    assert page.title.startswith("Error: ")
    message = f"New due date must be after the programme's deadline, {deadline.isoformat()}"
    assert page.summary_links() == {"#field-due_on": message}
    assert page.field_error("due_on") == message
    field = page.field("field-due_on")
    assert field["value"] == deadline.isoformat() and field["aria-invalid"] == "true"
    assert "error-due_on" in field["aria-describedby"].split()
    assert page.field("field-reason").text == "Needs more time"
    assert count(db, AuditEvent) == audit
    assert db.get(Return, housing_return).extended_to is None  # type: ignore[union-attr]


def test_a_missing_reason_and_date_are_each_named(
    admin: TestClient,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    page = return_page(admin, york, housing_return)
    response = press(admin, page, grant_form(page).one("button"), due_on="", reason="")
    errors = page_of(response, 422)
    assert errors.field_error("due_on") == "Enter new due date as a real date"
    assert errors.field_error("reason") == "Enter reason"


def test_with_htmx_only_the_extension_section_comes_back(
    admin: TestClient,
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    page = return_page(admin, york, housing_return)
    button = grant_form(page).one("button")
    deadline = deadline_of(db, housing_return)
    bad = press(admin, page, button, HTMX, due_on=deadline.isoformat(), reason="Why")
    fragment = page_of(bad, 422)
    assert "<html" not in bad.text and fragment.find("h1") is None
    assert fragment.one("section", class_="extension").find("div", class_="error-summary")
    later = (deadline + timedelta(days=7)).isoformat()
    good = press(admin, page, button, HTMX, due_on=later, reason="Why")
    assert good.status_code == 200
    assert good.headers["HX-Redirect"].endswith("?extension=granted#extension")


def test_a_page_made_stale_by_someone_else_says_so_and_changes_nothing(
    admin: TestClient,
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    deadline = deadline_of(db, housing_return)
    stale = return_page(admin, york, housing_return)
    assert grant(admin, york, housing_return, deadline + timedelta(days=7), "First").is_redirect
    response = press(
        admin, stale, grant_form(stale).one("button"),
        due_on=(deadline + timedelta(days=30)).isoformat(), reason="Second",
    )  # fmt: skip
    page = page_of(response, 412)
    assert "Someone changed this return" in page.error_summary().text  # type: ignore[union-attr]
    assert page.field("field-reason").text == "Second"  # kept, to send again
    ret = db.get(Return, housing_return)
    assert ret is not None and ret.extension_reason == "First"
    # the form now carries the newer version: sending it again works
    again = press(admin, page, grant_form(page).one("button"))
    assert again.status_code == 303
    db.refresh(ret)
    assert ret.extension_reason == "Second"


def test_the_business_unit_withdraws_an_extension(
    admin: TestClient,
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
    client: TestClient,
    token_for,  # type: ignore[no-untyped-def]
) -> None:
    deadline = deadline_of(db, housing_return)
    assert grant(admin, york, housing_return, deadline + timedelta(days=7), "Ill").is_redirect
    page = return_page(admin, york, housing_return)
    section = page.one("section", class_="extension")
    assert section.one("h2").text == "Change or withdraw the extension"
    assert page.field("field-reason").text == "Ill"  # the form shows the extension in force
    response = press(admin, page, section.one("button.warning"))
    assert response.status_code == 303
    after = page_of(admin.get(response.headers["location"].split("#")[0]))
    assert "The extension has been withdrawn" in after.one("div.notice", role="status").text
    assert summary(after)["Due"] == f"{day(deadline)}, the deadline"
    body = api_return(client, token_for, york, housing_return)
    assert body["extension"] is None and body["due_on"] == deadline.isoformat()


def test_a_submitted_return_offers_no_extension_and_a_late_post_is_told_why(
    admin: TestClient,
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
) -> None:
    """The page knew the return was open; by the time the form is sent the programme has
    closed: the API's reason is shown where the form was."""
    page = return_page(admin, york, housing_return)
    programme = db.get(Programme, db.get(Return, housing_return).programme_id)  # type: ignore[union-attr]
    assert programme is not None
    programme.status = "closed"  # type: ignore[assignment]
    db.add(programme)
    db.commit()
    later = (deadline_of(db, housing_return) + timedelta(days=7)).isoformat()
    response = press(admin, page, grant_form(page).one("button"), due_on=later, reason="Late")
    errors = page_of(response, 409)
    assert "The programme is not open" in errors.error_summary().text  # type: ignore[union-attr]
    assert errors.find("form", action=grant_form(page)["action"]) is None
    assert db.get(Return, housing_return).extended_to is None  # type: ignore[union-attr]


@pytest.mark.parametrize("action", ["extension", "extension/withdraw"])
def test_an_agency_editor_is_offered_no_form_and_cannot_send_one(
    visitor_as: Callable[[str], TestClient],
    db: Session,
    york: Partnership,
    housing_return: int,  # noqa: F811
    action: str,
) -> None:
    editor = visitor_as(EDITOR)
    page = return_page(editor, york, housing_return)
    assert page.find("section", class_="extension") is None
    audit = count(db, AuditEvent)
    later = (deadline_of(db, housing_return) + timedelta(days=7)).isoformat()
    response = editor.post(
        f"/p/{york.id}/returns/{housing_return}/{action}",
        data={"csrf_token": page.csrf_token(), "version": "0", "due_on": later, "reason": "Us"},
    )
    refused = page_of(response, 403)
    assert refused.h1 == "You cannot do this"
    assert count(db, AuditEvent) == audit
    assert db.get(Return, housing_return).extended_to is None  # type: ignore[union-attr]
