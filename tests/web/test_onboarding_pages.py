"""Onboarding from a spreadsheet in the browser, without JavaScript: upload, a preview of
every line that writes nothing, confirm; a refused line shown where it is; only the
business unit sees the page."""

import base64
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session
from websupport import EDITOR, count, csrf_of, page_of

from api.models import Agency, AuditEvent, Invitation, Partnership

GOOD = (
    b"name,sector,statutory_partner\nYork Hospice,voluntary,no\nSelby Academy Trust,education,yes\n"
)


def upload(client: TestClient, pid: int, content: bytes, kind: str = "agencies"):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client, f"/p/{pid}/onboarding")
    return client.post(
        f"/p/{pid}/onboarding/{kind}/preview",
        data={"csrf_token": csrf},
        files={"file": ("agencies.csv", content, "text/csv")},
    )


def test_preview_then_confirm_adds_the_agencies(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    start = page_of(admin.get(f"/p/{york.id}/agencies"))
    assert start.find("a", href=f"/p/{york.id}/onboarding?kind=agencies") is not None
    before = count(db, Agency), count(db, AuditEvent)
    preview = page_of(upload(admin, york.id, GOOD))
    assert preview.one("h1").text == "Check the agencies before they are added"
    rows = [[td.text for td in tr.find_all("td")] for tr in preview.one("tbody").find_all("tr")]
    assert (
        rows[0][0] == "2"
        and rows[0][1] == "York Hospice"
        and rows[0][-1] == "A new voluntary agency."
    )
    assert (count(db, Agency), count(db, AuditEvent)) == before  # the preview wrote nothing
    form = preview.one("form", action=f"/p/{york.id}/onboarding/agencies")
    fields = {i["name"]: i["value"] for i in form.find_all("input") if i.get("type") == "hidden"}
    done = admin.post(f"/p/{york.id}/onboarding/agencies", data=fields)
    assert done.status_code == 303 and done.headers["location"].endswith("/agencies?onboarded=2")
    listed = page_of(admin.get(done.headers["location"]))
    assert "2 agencies added from the spreadsheet." in listed.one("div", role="status").text
    assert count(db, Agency) == before[0] + 2


def test_a_refused_line_is_shown_and_nothing_can_be_confirmed(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    before = count(db, Agency)
    page = page_of(upload(admin, york.id, GOOD + b"Police,constabulary,no\n"))
    assert "1 line cannot be added" in page.text
    refused = page.one("tr.refused")
    assert refused.find_all("td")[0].text == "4" and "constabulary" in refused.text
    assert page.find("form", action=f"/p/{york.id}/onboarding/agencies") is None
    assert count(db, Agency) == before


def test_a_file_that_is_not_a_csv_is_an_inline_error(admin: TestClient, york: Partnership) -> None:
    response = upload(admin, york.id, b"name,colour\nA,red\n")
    page = page_of(response, 422)
    assert page.summary_links() == {
        "#field-file": "Unknown column 'colour': the columns are name, sector, statutory_partner."
    }
    assert page.field("field-file").get("aria-invalid") == "true"
    empty = admin.post(
        f"/p/{york.id}/onboarding/agencies/preview",
        data={"csrf_token": csrf_of(admin, f"/p/{york.id}/onboarding")},
    )
    assert page_of(empty, 422).summary_links() == {"#field-file": "Choose a CSV file."}


def test_the_template_downloads(admin: TestClient, york: Partnership) -> None:
    r = admin.get(f"/p/{york.id}/onboarding/agencies/template.csv")
    assert r.status_code == 200 and r.text.startswith("name,sector,statutory_partner")
    assert "attachment" in r.headers["content-disposition"]


def test_an_agency_editor_has_no_such_page(
    visitor_as: Callable[[str], TestClient], york: Partnership
) -> None:
    editor = visitor_as(EDITOR)
    assert (
        page_of(editor.get(f"/p/{york.id}/agencies")).find(
            "a", href=f"/p/{york.id}/onboarding?kind=agencies"
        )
        is None
    )
    assert editor.get(f"/p/{york.id}/onboarding").status_code == 403


def test_people_from_a_spreadsheet_are_invited(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    csv = b"name,email,role,agency\nPat Panel,pat.panel@example.org,Panel member,\n"
    preview = page_of(upload(admin, york.id, csv, kind="people"))
    assert preview.one("h1").text == "Check the people before they are added"
    [row] = [[td.text for td in tr.find_all("td")] for tr in preview.one("tbody").find_all("tr")]
    assert row[-1] == "Invited by email to be panel member."
    form = preview.one("form", action=f"/p/{york.id}/onboarding/people")
    fields = {i["name"]: i["value"] for i in form.find_all("input") if i.get("type") == "hidden"}
    done = admin.post(f"/p/{york.id}/onboarding/people", data=fields)
    assert done.status_code == 303 and done.headers["location"].endswith("/people?onboarded=1")
    assert count(db, Invitation, Invitation.email == "pat.panel@example.org") == 1
    people = page_of(admin.get(done.headers["location"]))
    assert "1 line of the spreadsheet done" in people.one("div", role="status").text
    assert people.find("a", href=f"/p/{york.id}/onboarding?kind=people") is not None


def test_a_file_changed_under_the_preview_comes_back_refused(
    admin: TestClient, db: Session, york: Partnership
) -> None:
    """Confirming a file that no longer holds (here: a forged one) writes nothing and shows why."""

    fields = {"csrf_token": csrf_of(admin, f"/p/{york.id}/onboarding"),
              "file": base64.b64encode(b"name,sector\nX,constabulary\n").decode()}  # fmt: skip
    before = count(db, Agency)
    page = page_of(admin.post(f"/p/{york.id}/onboarding/agencies", data=fields), 422)
    assert "nothing was added" in page.error_summary().text
    assert count(db, Agency) == before
