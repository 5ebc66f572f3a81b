"""Creating a programme through the form, and opening and closing it with its buttons:
errors in a summary and next to each field, values kept, redirects for plain forms and for
htmx, and what ends up in the database."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pagekit import Page
from sqlmodel import Session, col, select
from websupport import HTMX, SCRUTINEER, count, csrf_of, page_of

from api.models import (
    Agency,
    AuditEvent,
    Framework,
    FrameworkVersion,
    Partnership,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
)


@pytest.fixture
def form_url(york: Partnership) -> str:
    return f"/p/{york.id}/programmes/new"


@pytest.fixture
def choices(db: Session, york: Partnership, north: Partnership) -> dict[str, Any]:
    def latest(key: str) -> int:
        version_id = db.exec(
            select(FrameworkVersion.id)
            .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
            .where(Framework.key == key)
            .order_by(col(FrameworkVersion.number).desc())
        ).first()
        assert version_id is not None
        return version_id

    def agency(name: str) -> int:
        return db.exec(select(Agency.id).where(Agency.name == name)).one()  # type: ignore[return-value]

    york_agencies = set(
        db.exec(
            select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == york.id)
        ).all()
    )
    north_only = (
        set(
            db.exec(
                select(PartnershipAgency.agency_id).where(
                    PartnershipAgency.partnership_id == north.id
                )
            ).all()
        )
        - york_agencies
    )
    return {
        "section_11": latest("section-11"),
        "six_steps": latest("six-steps"),
        "council": agency("City of York Council"),
        "police": agency("North Yorkshire Police"),
        "north_only": min(north_only),
    }


def submit(client: TestClient, url: str, fields: dict[str, Any], *, htmx: bool = False) -> Any:
    csrf = csrf_of(client, url)
    if htmx:
        return client.post(url, data=fields, headers={**HTMX, "X-CSRF-Token": csrf})
    return client.post(url, data={"csrf_token": csrf, **fields})


def valid(choices: dict[str, Any], **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Section 11 self-assessment 2027",
        "description": "The 2027 cycle.",
        "framework_version_id": str(choices["section_11"]),
        "opens_on": "2027-04-01",
        "deadline": "2027-06-30",
        "agency_ids": [str(choices["council"]), str(choices["police"])],
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def test_the_form_starts_with_section_11_chosen(
    admin: TestClient, form_url: str, choices: dict[str, Any]
) -> None:
    page = page_of(admin.get(form_url))
    assert page.h1 == "Create a programme"
    assert page.title == "Create a programme – Assure"
    assert page.error_summary() is None
    assert page.unlabelled_fields() == []
    assert page.broken_references() == []
    selected = page.field("field-framework_version_id").one("option", selected=True)
    assert selected["value"] == str(choices["section_11"])
    assert selected.text == "Section 11 self-assessment (version 1)"
    assert page.field("field-title")["aria-describedby"] == "hint-title"
    assert len(page.find_all("input", name="agency_ids")) == 17
    assert page.one("legend").text == "Agencies asked"
    form = page.one("form", action=form_url)
    assert form["method"] == "post" and form["hx-post"] == form_url
    assert form["hx-target"] == "#programme-form"
    page.field("programme-form")


def assert_errors(page: Page, expected: dict[str, str]) -> None:
    """The summary links each message to its field, and each field shows the same message."""
    assert page.title.startswith("Error: ")
    summary = page.error_summary()
    assert summary is not None and summary["role"] == "alert"
    assert page.summary_links() == {f"#field-{f}": m for f, m in expected.items()}
    for name, message in expected.items():
        assert page.field_error(name) == message
        field = page.field(f"field-{name}")
        assert field.get("aria-invalid") == "true"
        assert f"error-{name}" in (field.get("aria-describedby") or "").split()
        wrapper = next(a for a in [field, *field.ancestors()] if "field" in a.classes)
        assert "has-error" in wrapper.classes
    assert page.broken_references() == []


def test_an_empty_form_asks_for_each_field(admin: TestClient, db: Session, form_url: str) -> None:
    before = count(db, Programme)
    page = page_of(
        submit(
            admin,
            form_url,
            {"title": "", "framework_version_id": "", "opens_on": "", "deadline": ""},
        ),
        status=422,
    )
    assert page.h1 == "Create a programme"
    assert_errors(
        page,
        {
            "title": "Enter title",
            "framework_version_id": "Choose framework",
            "opens_on": "Enter opening date as a real date",
            "deadline": "Enter deadline as a real date",
        },
    )
    # fields without a problem are not marked
    assert "aria-invalid" not in page.field("field-description").attrs
    assert count(db, Programme) == before


def test_a_deadline_before_the_opening_date_is_shown_on_the_deadline(
    admin: TestClient, db: Session, form_url: str, choices: dict[str, Any]
) -> None:
    before = count(db, Programme)
    fields = valid(
        choices,
        framework_version_id=str(choices["six_steps"]),
        opens_on="2027-06-30",
        deadline="2027-04-01",
    )
    page = page_of(submit(admin, form_url, fields), status=422)
    assert_errors(page, {"deadline": "Deadline must be on or after the opening date"})
    for name in ("title", "opens_on", "framework_version_id"):
        assert "aria-invalid" not in page.field(f"field-{name}").attrs
    # everything typed and chosen is kept
    assert page.field("field-title")["value"] == "Section 11 self-assessment 2027"
    assert page.field("field-description").text == "The 2027 cycle."
    assert page.field("field-opens_on")["value"] == "2027-06-30"
    assert page.field("field-deadline")["value"] == "2027-04-01"
    chosen = page.field("field-framework_version_id").one("option", selected=True)
    assert chosen["value"] == str(choices["six_steps"])
    ticked = {i["value"] for i in page.find_all("input", name="agency_ids", checked=True)}
    assert ticked == {str(choices["council"]), str(choices["police"])}
    assert "checked" not in page.field("field-all_agencies").attrs
    assert page.one("details").get("open") is not None
    assert count(db, Programme) == before


def test_with_htmx_the_errors_come_back_as_the_form_fragment(
    admin: TestClient, form_url: str, choices: dict[str, Any]
) -> None:
    response = submit(
        admin, form_url, valid(choices, opens_on="2027-06-30", deadline="2027-04-01"), htmx=True
    )
    page = page_of(response, status=422)
    assert response.headers["Vary"] == "HX-Request"
    assert "<html" not in response.text
    assert page.find("h1") is None and page.find("div", id="programme-form") is None
    assert page.summary_links() == {
        "#field-deadline": "Deadline must be on or after the opening date"
    }
    assert page.field("field-deadline")["aria-invalid"] == "true"
    assert page.field("field-title")["value"] == "Section 11 self-assessment 2027"
    # the fragment is the form itself, ready to be swapped in and sent again
    page.one("form", action=form_url)
    assert page.csrf_token()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "x" * 201}, {"title": "Title is too long"}),
        ({"title": "   "}, {"title": "Enter title"}),
        ({"opens_on": "2027-02-30"}, {"opens_on": "Enter opening date as a real date"}),
        ({"opens_on": "next tuesday"}, {"opens_on": "Enter opening date as a real date"}),
        ({"opens_on": "1999-12-31"}, {"opens_on": "Opening date is too far in the past"}),
        ({"deadline": "2101-01-01"}, {"deadline": "Deadline is too far in the future"}),
        ({"framework_version_id": "abc"}, {"framework_version_id": "Choose framework"}),
        (
            {"framework_version_id": "999999"},
            {"framework_version_id": "Framework no such framework version"},
        ),
    ],
)
def test_other_mistakes_are_explained_next_to_their_field(
    admin: TestClient,
    db: Session,
    form_url: str,
    choices: dict[str, Any],
    changes: dict[str, str],
    expected: dict[str, str],
) -> None:
    before = count(db, Programme)
    page = page_of(submit(admin, form_url, valid(choices, **changes)), status=422)
    assert_errors(page, expected)
    assert count(db, Programme) == before


def test_an_agency_of_another_partnership_cannot_be_asked(
    admin: TestClient, db: Session, form_url: str, choices: dict[str, Any]
) -> None:
    fields = valid(choices, agency_ids=[str(choices["council"]), str(choices["north_only"])])
    page = page_of(submit(admin, form_url, fields), status=422)
    links = page.summary_links()
    assert list(links) == ["#field-agency_ids"]
    assert links["#field-agency_ids"].startswith("Agencies asked not agencies of this partnership")
    assert page.field("field-agency_ids").get("aria-invalid") == "true"
    assert count(db, Programme, Programme.title == "Section 11 self-assessment 2027") == 0


def created_programme(db: Session, title: str) -> Programme:
    return db.exec(select(Programme).where(Programme.title == title)).one()


def test_creating_a_programme_with_chosen_agencies(
    admin: TestClient, db: Session, york: Partnership, form_url: str, choices: dict[str, Any]
) -> None:
    audit_before = count(db, AuditEvent, AuditEvent.action == "programme.create")
    response = submit(admin, form_url, valid(choices))
    assert response.status_code == 303
    programme = created_programme(db, "Section 11 self-assessment 2027")
    assert response.headers["location"] == f"/p/{york.id}/programmes/{programme.id}?created=1"
    assert programme.status == "draft"
    assert programme.partnership_id == york.id
    assert programme.framework_version_id == choices["section_11"]
    assert str(programme.opens_on) == "2027-04-01" and str(programme.deadline) == "2027-06-30"
    assert programme.description == "The 2027 cycle."
    asked = set(
        db.exec(
            select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme.id)
        ).all()
    )
    assert asked == {choices["council"], choices["police"]}
    assert count(db, AuditEvent, AuditEvent.action == "programme.create") == audit_before + 1

    page = page_of(admin.get(response.headers["location"]))
    assert page.h1 == "Section 11 self-assessment 2027"
    notice = page.one("div.notice")
    assert notice["role"] == "status"
    assert notice.text == "The programme has been created as a draft."
    assert page.one("strong.tag").text == "Draft"
    assert [a.text for a in page.one("tbody").find_all("a")] == [
        "City of York Council",
        "North Yorkshire Police",
    ]
    assert page.one("button", type="submit", class_="button").text == "Open programme"
    # the notice is for the moment of creating, not for every later visit
    later = page_of(admin.get(f"/p/{york.id}/programmes/{programme.id}"))
    assert later.find("div.notice") is None


def test_creating_a_programme_asking_every_agency_with_htmx(
    admin: TestClient, db: Session, york: Partnership, form_url: str, choices: dict[str, Any]
) -> None:
    response = submit(
        admin,
        form_url,
        valid(choices, title="Everyone asked", agency_ids=None, all_agencies="yes"),
        htmx=True,
    )
    assert response.status_code == 200
    programme = created_programme(db, "Everyone asked")
    assert response.headers["HX-Redirect"] == f"/p/{york.id}/programmes/{programme.id}?created=1"
    assert count(db, ProgrammeAgency, ProgrammeAgency.programme_id == programme.id) == 17
    page = page_of(admin.get(response.headers["HX-Redirect"]))
    assert "created as a draft" in page.one("div.notice").text
    assert page.one("dl").text.count("17") >= 1


@pytest.fixture
def programme(admin: TestClient, db: Session, form_url: str, choices: dict[str, Any]) -> Programme:
    response = submit(admin, form_url, valid(choices, title="Button test"))
    assert response.status_code == 303
    return created_programme(db, "Button test")


def status_of(db: Session, programme: Programme) -> str:
    return str(db.exec(select(Programme.status).where(Programme.id == programme.id)).one())


def press(client: TestClient, page: Page, label: str) -> Any:
    """Submit the form holding the button with this label, as a browser would."""
    button = next(b for b in page.find_all("button") if b.text == label)
    form = next(a for a in button.ancestors() if a.tag == "form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    return client.post(form["action"], data=data)


def test_open_and_close_buttons(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    url = f"/p/{york.id}/programmes/{programme.id}"
    page = page_of(admin.get(url))
    response = press(admin, page, "Open programme")
    assert response.status_code == 303
    assert response.headers["location"] == url
    assert status_of(db, programme) == "open"
    page = page_of(admin.get(url))
    assert page.one("strong.tag").text == "Open"
    assert "Opened" in page.one("dl").text
    assert page.find("div.notice") is None

    response = press(admin, page, "Close programme")
    assert response.status_code == 303
    assert status_of(db, programme) == "closed"
    page = page_of(admin.get(url))
    assert page.one("strong.tag").text == "Closed"
    assert page.find("form", action=f"{url}/open") is None
    assert page.find("form", action=f"{url}/close") is None
    actions = db.exec(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "programme", AuditEvent.entity_id == programme.id
        )
    ).all()
    assert sorted(actions) == ["programme.close", "programme.create", "programme.open"]


def test_a_stale_page_shows_the_problem_inline(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    url = f"/p/{york.id}/programmes/{programme.id}"
    stale = page_of(admin.get(url))
    # someone else opens it in the meantime
    assert press(admin, page_of(admin.get(url)), "Open programme").status_code == 303
    assert status_of(db, programme) == "open"

    response = press(admin, stale, "Open programme")
    page = page_of(response, status=412)
    assert page.h1 == "Button test"
    problem = page.one("div.error-summary")
    assert problem["role"] == "alert"
    assert "Someone changed this record since you read it" in problem.text
    assert page.one("strong.tag").text == "Open"  # the page shows the record as it now is
    assert status_of(db, programme) == "open"


def test_a_stale_close_is_refused_too(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    url = f"/p/{york.id}/programmes/{programme.id}"
    press(admin, page_of(admin.get(url)), "Open programme")
    page = page_of(admin.get(url))
    form = page.one("form", action=f"{url}/close")
    version = form.one("input", name="version")["value"]
    response = admin.post(
        f"{url}/close", data={"csrf_token": page.csrf_token(), "version": str(int(version) - 1)}
    )
    assert page_of(response, status=412).one("div.error-summary")
    assert status_of(db, programme) == "open"


def test_a_programme_asking_nobody_cannot_be_opened(
    admin: TestClient, db: Session, york: Partnership, form_url: str, choices: dict[str, Any]
) -> None:
    response = submit(admin, form_url, valid(choices, title="Nobody asked", agency_ids=None))
    assert response.status_code == 303
    programme = created_programme(db, "Nobody asked")
    url = f"/p/{york.id}/programmes/{programme.id}"
    page = page_of(admin.get(url))
    assert "No agencies are asked yet." in page.one("tbody").text
    page = page_of(press(admin, page, "Open programme"), status=409)
    assert (
        "Ask at least one agency before opening the programme."
        in page.one("div.error-summary").text
    )
    assert status_of(db, programme) == "draft"


def test_closing_a_draft_is_refused_with_the_reason(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    url = f"/p/{york.id}/programmes/{programme.id}"
    csrf = csrf_of(admin, url)
    page = page_of(admin.post(f"{url}/close", data={"csrf_token": csrf}), status=409)
    assert "A programme that is draft cannot become closed." in page.one("div.error-summary").text
    assert status_of(db, programme) == "draft"


@pytest.mark.parametrize("move", ["reopen", "delete"])
def test_an_unknown_move_is_not_a_page(
    admin: TestClient, york: Partnership, programme: Programme, move: str
) -> None:
    url = f"/p/{york.id}/programmes/{programme.id}"
    response = admin.post(f"{url}/{move}", data={"csrf_token": csrf_of(admin, url)})
    assert response.status_code in (400, 404, 405)
    assert response.headers["content-type"].startswith("text/html")


WHOLE_NUMBERS = "Enter reminder days as whole numbers separated by commas, such as 14, 7, 1"
ONE_TO_90 = "Each reminder must be from 1 to 90 days before the deadline"


def test_reminder_days_start_as_the_api_default_and_are_kept(
    admin: TestClient, db: Session, form_url: str, choices: dict[str, Any]
) -> None:
    page = page_of(admin.get(form_url))
    field = page.field("field-reminder_days")
    assert field["value"] == "14, 7, 1" and field["aria-describedby"] == "hint-reminder_days"
    assert "from 1 to 90" in page.field("hint-reminder_days").text
    assert submit(admin, form_url, valid(choices, reminder_days="21 7,3")).status_code == 303
    assert created_programme(db, "Section 11 self-assessment 2027").reminder_days == [21, 7, 3]
    fields = valid(choices, title="No reminders", reminder_days="")
    assert submit(admin, form_url, fields).status_code == 303
    assert created_programme(db, "No reminders").reminder_days == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("14, seven, 1", WHOLE_NUMBERS),
        ("1.5", WHOLE_NUMBERS),
        ("14, 0", ONE_TO_90),
        ("91", ONE_TO_90),
        ("30, 14, 7, 3, 2, 1", "Give at most 5 reminder days"),
        ("7, 14, 7", "Give each number of days once"),
    ],
)
def test_reminder_days_the_api_refuses_are_said_beside_the_field(
    admin: TestClient,
    db: Session,
    form_url: str,
    choices: dict[str, Any],
    typed: str,
    message: str,
) -> None:
    before = count(db, Programme)
    page = page_of(submit(admin, form_url, valid(choices, reminder_days=typed)), status=422)
    assert_errors(page, {"reminder_days": message})
    assert page.field("field-reminder_days")["value"] == typed
    assert count(db, Programme) == before


def _edit(admin: TestClient, york: Partnership, programme: Programme) -> tuple[str, Page]:
    url = f"/p/{york.id}/programmes/{programme.id}/edit"
    return url, page_of(admin.get(url))


def test_a_draft_programme_is_changed_with_its_reminder_days(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    detail = page_of(admin.get(f"/p/{york.id}/programmes/{programme.id}"))
    assert "14, 7, 1 days before the deadline" in detail.one("dl").text
    url, page = _edit(admin, york, programme)
    assert detail.one("a", href=url).text == "Change this programme"
    assert page.h1 == "Change Button test" and page.unlabelled_fields() == []
    assert page.broken_references() == []
    for name in ("title", "description", "framework_version_id", "opens_on", "deadline"):
        page.field(f"field-{name}")
    action, data = page.pressing(page.one("form", action=url).one("button"))
    assert data["reminder_days"] == "14, 7, 1" and data["etag"] == '"1"'
    saved = admin.post(action, data={**data, "reminder_days": "10, 3", "opens_on": "2027-04-02"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/p/{york.id}/programmes/{programme.id}?saved=1"
    db.refresh(programme)
    assert programme.reminder_days == [10, 3] and str(programme.opens_on) == "2027-04-02"
    after = page_of(admin.get(saved.headers["location"]))
    assert "Your changes were saved." in after.text
    assert "10, 3 days before the deadline" in after.one("dl").text
    # The form read before that change is out of date now: refused, the typing kept.
    stale = page_of(admin.post(action, data={**data, "reminder_days": "5"}), status=409)
    assert "Your changes were not saved" in stale.one("div.error-summary").text
    assert stale.field("field-reminder_days")["value"] == "5"
    db.refresh(programme)
    assert programme.reminder_days == [10, 3]
    fresh_action, fresh = stale.pressing(stale.one("form", action=url).one("button"))
    bad = page_of(admin.post(fresh_action, data={**fresh, "reminder_days": "0"}), status=422)
    assert_errors(bad, {"reminder_days": ONE_TO_90})
    none = admin.post(fresh_action, data={**fresh, "reminder_days": ""})
    assert none.status_code == 303
    db.refresh(programme)
    assert programme.reminder_days == []
    empty_title = page_of(admin.post(fresh_action, data={**fresh, "etag": '"3"', "title": ""}), 422)
    assert_errors(empty_title, {"title": "Enter title"})


def test_an_open_programme_offers_only_what_may_change_and_a_closed_one_nothing(
    admin: TestClient, db: Session, york: Partnership, programme: Programme
) -> None:
    programme_url = f"/p/{york.id}/programmes/{programme.id}"
    press(admin, page_of(admin.get(programme_url)), "Open programme")
    url, page = _edit(admin, york, programme)
    assert page.find("input", name="opens_on") is None
    assert page.find("select", name="framework_version_id") is None
    assert "only its title, description, deadline and reminders" in page.text
    action, data = page.pressing(page.one("form", action=url).one("button"))
    assert set(data) == {"csrf_token", "etag", "title", "description", "deadline",
                         "reminder_days"}  # fmt: skip
    saved = admin.post(action, data={**data, "reminder_days": "7", "deadline": "2027-07-31"})
    assert saved.status_code == 303
    db.refresh(programme)
    assert programme.reminder_days == [7] and str(programme.deadline) == "2027-07-31"
    # A form that still thinks it a draft may not change its opening date: said, not saved.
    now = page_of(admin.get(url))
    _, fresh = now.pressing(now.one("form", action=url).one("button"))
    draft_form = {**fresh, "opens_on": "2027-01-01",
                  "framework_version_id": str(programme.framework_version_id)}  # fmt: skip
    refused = page_of(admin.post(action, data=draft_form), status=409)
    assert "these cannot change: opens_on" in refused.one("div.error-summary").text
    press(admin, page_of(admin.get(programme_url)), "Close programme")
    closed = page_of(admin.get(url), status=403)
    assert "nothing in it can change" in closed.text
    assert page_of(admin.get(programme_url)).find("a", href=url) is None


def test_only_admins_change_a_programme(
    visitor_as: Callable[[str], TestClient], york: Partnership, programme: Programme
) -> None:
    scrutineer = visitor_as(SCRUTINEER)
    url = f"/p/{york.id}/programmes/{programme.id}/edit"
    assert page_of(scrutineer.get(url[: -len("/edit")])).find("a", href=url) is None
    assert page_of(scrutineer.get(url), status=403).h1 == "You cannot do this"
