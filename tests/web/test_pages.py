"""Every page renders as accessible HTML for the people allowed to see it; htmx requests get
only the fragment they swap; everyone else gets a helpful HTML error page, never JSON and
never a 500."""

import json
import os
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pagekit import Page
from sqlmodel import Session, col, select
from websupport import (
    ADMIN,
    APPROVER,
    EDITOR,
    EXECUTIVE,
    HTMX,
    NORTH_ADMIN,
    PANEL,
    PLATFORM,
    SCRUTINEER,
    page_of,
)

from api.models import Agency, Framework, Partnership, PartnershipAgency, Return
from api.models import Programme as ProgrammeRow
from web.settings import get_settings

HOUSING = "City of York Council Housing Services"
ON_POSTGRES = (os.environ.get("ASSURE_TEST_DATABASE_URL") or "").startswith("postgresql")


@pytest.fixture
def ids(db: Session, york: Partnership) -> dict[str, int]:
    """Records of the York demo the pages are about."""
    section_11 = db.exec(select(Framework).where(Framework.key == "section-11")).one()
    agency = db.exec(
        select(Agency)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .where(PartnershipAgency.partnership_id == york.id, Agency.name == "City of York Council")
    ).one()
    programme = db.exec(
        select(ProgrammeRow).where(
            ProgrammeRow.partnership_id == york.id,
            ProgrammeRow.title == "Section 11 self-assessment 2026",
        )
    ).one()
    housing_return = db.exec(
        select(Return)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .where(Return.programme_id == programme.id, Agency.name == HOUSING)
    ).one()
    assert section_11.id and agency.id and programme.id and york.id and housing_return.id
    return {
        "p": york.id,
        "framework": section_11.id,
        "agency": agency.id,
        "programme": programme.id,
        "housing_return": housing_return.id,
    }


PAGES = {
    "home": "/p/{p}",
    "agencies": "/p/{p}/agencies",
    "agency": "/p/{p}/agencies/{agency}",
    "frameworks": "/p/{p}/frameworks",
    "framework": "/p/{p}/frameworks/{framework}",
    "framework version": "/p/{p}/frameworks/{framework}/versions/1",
    "programmes": "/p/{p}/programmes",
    "new programme": "/p/{p}/programmes/new",
    "programme": "/p/{p}/programmes/{programme}",
    "returns": "/p/{p}/returns",
    "return": "/p/{p}/returns/{housing_return}",
    "challenge events": "/p/{p}/challenge-events",
    "new challenge event": "/p/{p}/challenge-events/new",
    "people": "/p/{p}/people",
    "audit log": "/p/{p}/audit",
    "webhooks": "/p/{p}/webhooks",
    "new webhook": "/p/{p}/webhooks/new",
    "outbox": "/p/{p}/outbox",
}
LIST_PAGES = {
    "agencies": "/p/{p}/agencies",
    "programmes": "/p/{p}/programmes",
    "returns": "/p/{p}/returns",
    "challenge events": "/p/{p}/challenge-events",
    "people": "/p/{p}/people",
    "audit log": "/p/{p}/audit",
}


def assert_accessible_page(page: Page) -> None:
    """What every full page owes its readers."""
    assert page.doctype and page.doctype.lower() == "doctype html"
    assert page.one("html").get("lang") == "en-GB"
    assert page.title.endswith("– Assure") and len(page.title) > len("– Assure")
    assert page.h1  # exactly one <h1>, with text
    skip = page.root.find_all("a")[0]
    assert skip.classes == {"skip-link"} and skip["href"] == "#main"
    assert page.one("main")["id"] == "main"
    assert page.unlabelled_fields() == []
    assert page.broken_references() == []
    # a table may be wider than a phone: it scrolls in a named region the keyboard reaches
    for table in page.find_all("table"):
        region = next(a for a in table.ancestors() if a.get("role") == "region")
        assert "table-scroll" in region.classes and region.get("aria-label")
        assert region.get("tabindex") == "0"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_for_the_admin(
    admin: TestClient, ids: dict[str, int], name: str
) -> None:
    response = admin.get(PAGES[name].format(**ids))
    page = page_of(response)
    assert_accessible_page(page)
    assert response.headers["Vary"] == "HX-Request"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # the signed-in person and the place are always shown
    assert "Signed in as Bev Business-Unit" in page.one("header").text
    assert (
        page.one("span.partnership-name").text == "City of York Safeguarding Children Partnership"
    )


def test_home_shows_the_partnership_at_a_glance(admin: TestClient, ids: dict[str, int]) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}"))
    assert page.h1 == "City of York Safeguarding Children Partnership"
    stats = {a.text for a in page.find_all("a.stat")}
    assert stats == {"17 agencies", "2 programmes", "2 frameworks"}
    assert page.one("a", href=f"/p/{ids['p']}/programmes/new").text == "Create a programme"
    nav = page.one("nav", **{"aria-label": "Main"})
    assert nav.one("a", **{"aria-current": "page"}).text == "Home"


def test_signing_in_with_one_partnership_goes_straight_to_it(
    admin: TestClient, ids: dict[str, int]
) -> None:
    response = admin.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == f"/p/{ids['p']}"


def test_the_platform_admin_without_partnerships_sees_the_start_page(
    visitor_as: Callable[[str], TestClient],
) -> None:
    page = page_of(visitor_as(PLATFORM).get("/"))
    assert_accessible_page(page)
    assert page.h1 == "Your partnerships"
    assert page.find("nav", **{"aria-label": "Main"}) is None


def test_agencies_list_and_detail(
    admin: TestClient, visitor_as: Callable[[str], TestClient], ids: dict[str, int]
) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/agencies"))
    rows = page.one("div#results").one("tbody").find_all("tr")
    assert len(rows) == 17
    assert "Showing 1 to 17 of 17" in page.one("nav.pagination").text
    link = page.one("a", href=f"/p/{ids['p']}/agencies/{ids['agency']}")
    assert link.text == "City of York Council"

    detail = page_of(admin.get(link["href"]))
    assert detail.h1 == "City of York Council"
    assert "Yes, one of the partnership's three statutory partners" in detail.one("dl").text
    headings = [h.text for h in detail.find_all("h2")]
    assert headings == ["People at this agency", "Share with another partnership"]
    assert "Nobody from this agency has an account yet." in detail.one("main").text
    # the nav marks where we are: agencies, not home
    nav = detail.one("nav", **{"aria-label": "Main"})
    assert nav.one("a", **{"aria-current": "page"}).text == "Agencies"

    housing = next(a for a in rows if a.text.startswith("City of York Council Housing"))
    href = housing.one("a")["href"]
    staff = page_of(admin.get(href)).one("main").one("ul").find_all("li")
    assert sorted(li.text for li in staff) == [
        "Ann Approver (Agency approver)",
        "Ed Editor (Agency editor)",
    ]
    # someone who may not read people sees the agency, not its staff
    as_editor = page_of(visitor_as(EDITOR).get(href))
    assert as_editor.h1 == "City of York Council Housing Services"
    assert as_editor.find("h2") is None and "Ed Editor (" not in as_editor.source


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"statutory": "yes"}, 3),
        ({"q": "york council"}, 3),
        ({"q": "HOUSING"}, 1),
        ({"sector": "police"}, 2),
        ({"sector": "health", "statutory": "yes"}, 1),
        ({"q": "zzz-nothing"}, 0),
        ({"sector": "not-a-sector"}, 17),  # an unknown choice is ignored, not an error
        ({"statutory": "no"}, 14),
        ({"statutory": "x"}, 17),
    ],
)
def test_agencies_filters(
    admin: TestClient, ids: dict[str, int], query: dict[str, str], expected: int
) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/agencies", params=query))
    links = page.one("div#results").find_all("a", href=True)
    agencies = [a for a in links if "/agencies/" in a["href"]]
    assert len(agencies) == expected
    if expected == 0:
        assert "No agencies match these filters." in page.one("tbody").text
    # the filter form shows what was asked
    if "q" in query:
        assert page.one("input", id="field-q")["value"] == query["q"]


def test_agencies_pages_keep_their_filters(
    admin: TestClient, client: TestClient, token_for, ids: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(ADMIN)
    for n in range(21):
        r = client.post(
            f"/api/v1/partnerships/{ids['p']}/agencies",
            json={"name": f"Pager test agency {n:02}", "sector": "voluntary"},
            headers=headers,
        )
        assert r.status_code == 201, r.text
    first = page_of(admin.get(f"/p/{ids['p']}/agencies", params={"q": "pager test"}))
    pagination = first.one("nav.pagination")
    assert "Showing 1 to 20 of 21" in pagination.text
    assert pagination.find("a", rel="prev") is None
    next_link = pagination.one("a", rel="next")["href"]
    assert urlsplit(next_link).path == f"/p/{ids['p']}/agencies"
    assert parse_qs(urlsplit(next_link).query) == {"q": ["pager test"], "page": ["2"]}

    second = page_of(admin.get(next_link))
    assert "Showing 21 to 21 of 21" in second.one("nav.pagination").text
    assert len(second.one("tbody").find_all("tr")) == 1
    assert second.one("nav.pagination").find("a", rel="next") is None
    assert parse_qs(urlsplit(second.one("a", rel="prev")["href"]).query)["page"] == ["1"]


def test_a_page_past_the_end_does_not_claim_to_show_rows(
    admin: TestClient, ids: dict[str, int]
) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/agencies", params={"page": "2"}))
    assert "Showing 21 to 17" not in page.one("nav.pagination").text


def test_frameworks_list(admin: TestClient, ids: dict[str, int]) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/frameworks"))
    rows = {
        tr.find_all("td")[0].text: [td.text for td in tr.find_all("td")[1:]]
        for tr in page.one("tbody").find_all("tr")
    }
    assert set(rows) == {"Section 11 self-assessment", "Six Steps for Independent Scrutiny"}
    assert rows["Section 11 self-assessment"][:2] == ["1", "12"]


def test_framework_version_browser_shows_all_12_standards(
    admin: TestClient, ids: dict[str, int]
) -> None:
    latest = page_of(admin.get(f"/p/{ids['p']}/frameworks/{ids['framework']}"))
    assert latest.h1 == "Section 11 self-assessment version 1"
    contents = latest.one("nav", **{"aria-label": "Standards"}).find_all("a")
    assert len(contents) == 12
    standards = latest.find_all("section.standard")
    assert len(standards) == 12
    titles = [s.one("h3").text for s in standards]
    assert titles[0].startswith("1. ")
    assert titles[-1] == "12. Working with the partnership and learning from reviews"
    # each contents link leads to its standard
    assert [a["href"] for a in contents] == [f"#{s['id']}" for s in standards]
    # every requirement's guidance is behind a <details> with a summary naming it
    last = standards[-1]
    requirements = last.find_all("div.requirement")
    assert requirements
    details = requirements[0].one("details")
    assert details.one("summary").text.startswith("Guidance and evidence for 12.")
    # the rating scale is explained
    assert "Met" in latest.one("ul.levels").text

    # the same version by number, and a version that does not exist
    by_number = page_of(admin.get(f"/p/{ids['p']}/frameworks/{ids['framework']}/versions/1"))
    assert by_number.find_all("h3") and len(by_number.find_all("section.standard")) == 12
    missing = page_of(
        admin.get(f"/p/{ids['p']}/frameworks/{ids['framework']}/versions/99"), status=404
    )
    assert missing.h1 == "Page not found"


def test_programmes_list_and_detail(admin: TestClient, ids: dict[str, int]) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/programmes"))
    titles = [tr.find_all("td")[0].text for tr in page.one("tbody").find_all("tr")]
    assert titles == ["Section 11 self-assessment 2026", "Section 11 self-assessment 2023"]
    assert page.one("a.button")["href"] == f"/p/{ids['p']}/programmes/new"
    closed = page_of(admin.get(f"/p/{ids['p']}/programmes", params={"status": "closed"}))
    assert [tr.find_all("td")[0].text for tr in closed.one("tbody").find_all("tr")] == [
        "Section 11 self-assessment 2023"
    ]
    assert closed.one("option", selected=True)["value"] == "closed"

    detail = page_of(admin.get(f"/p/{ids['p']}/programmes/{ids['programme']}"))
    assert detail.h1 == "Section 11 self-assessment 2026"
    assert detail.one("strong.tag").text == "Open"
    assert len(detail.one("tbody").find_all("tr")) == 17
    assert detail.one("button", type="submit", class_="button warning").text == "Close programme"
    assert detail.find("div.notice") is None  # "created as a draft" only after creating


@pytest.mark.parametrize("name", LIST_PAGES)
def test_htmx_requests_get_only_the_results_fragment(
    admin: TestClient, ids: dict[str, int], name: str
) -> None:
    url = LIST_PAGES[name].format(**ids)
    response = admin.get(url, headers=HTMX)
    fragment = page_of(response)
    assert response.headers["Vary"] == "HX-Request"
    assert "<html" not in response.text and "<body" not in response.text
    assert fragment.find("h1") is None and fragment.find("nav", **{"aria-label": "Main"}) is None
    assert fragment.find("div", id="results") is None  # the target's inside, not the target
    fragment.one("table")
    fragment.one("nav.pagination")
    # the same URL without htmx is the whole page, results included
    whole = page_of(admin.get(url))
    assert whole.one("div#results").one("table").text == fragment.one("table").text


def test_htmx_filtering_returns_the_filtered_fragment(
    admin: TestClient, ids: dict[str, int]
) -> None:
    fragment = page_of(admin.get(f"/p/{ids['p']}/agencies", params={"q": "police"}, headers=HTMX))
    names = [a.text for a in fragment.find_all("a") if "/agencies/" in a["href"]]
    assert names and all("police" in n.lower() for n in names)


def test_a_boosted_request_gets_the_whole_page(admin: TestClient, ids: dict[str, int]) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/agencies", headers={**HTMX, "HX-Boosted": "true"}))
    assert page.h1 == "Agencies"


def test_an_htmx_history_restore_gets_the_whole_page(
    admin: TestClient, ids: dict[str, int]
) -> None:
    response = admin.get(
        f"/p/{ids['p']}/agencies",
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    assert page_of(response).h1 == "Agencies"


def test_the_htmx_script_is_pinned_with_subresource_integrity(
    admin: TestClient, ids: dict[str, int]
) -> None:
    settings = get_settings()
    page = page_of(admin.get(f"/p/{ids['p']}"))
    script = page.one("script")
    assert script["src"] == settings.htmx_url
    assert script["integrity"] == settings.htmx_integrity
    assert script["integrity"].startswith("sha384-")
    assert script["crossorigin"] == "anonymous"
    assert "defer" in script.attrs
    assert "@2.0." in settings.htmx_url  # the 2.0 line, one exact version
    # htmx sends the CSRF token with every request it makes
    assert json.loads(page.one("body")["hx-headers"]) == {"X-CSRF-Token": page.csrf_token()}
    # and evaluates nothing it is sent
    assert '"allowEval": false' in page.one("meta", name="htmx-config")["content"]


@pytest.mark.parametrize(
    ("email", "sees_oversight"),
    [
        (ADMIN, True),
        (SCRUTINEER, True),
        (PANEL, False),
        (EXECUTIVE, False),
        (EDITOR, False),
        (APPROVER, False),
    ],
)
def test_the_nav_offers_people_and_audit_log_only_to_oversight_roles(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int], email: str, sees_oversight: bool
) -> None:
    visitor = visitor_as(email)
    # the agencies page: every role may read it
    page = page_of(visitor.get(f"/p/{ids['p']}/agencies"))
    nav = [a.text for a in page.one("nav", **{"aria-label": "Main"}).find_all("a")]
    sees_returns = sees_oversight or email in (EDITOR, APPROVER)
    expected = ["Home", "Programmes"] + (["Returns", "Action plan"] if sees_returns else [])
    expected += ["Challenge events", "Follow-ups"]  # agency staff: their agency's own
    expected += ["Agencies", "Frameworks"]
    expected += ["People", "Audit log"] if sees_oversight else []
    assert nav == expected + (["Service tokens", "Webhooks", "Outbox"] if email == ADMIN else [])


@pytest.mark.parametrize("email", [EDITOR, EXECUTIVE, PANEL, APPROVER])
def test_people_and_audit_log_are_refused_with_an_html_page(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int], email: str
) -> None:
    visitor = visitor_as(email)
    for where in ("people", "audit"):
        response = visitor.get(f"/p/{ids['p']}/{where}")
        page = page_of(response, status=403)
        assert_accessible_page(page)
        assert page.h1 == "You cannot do this"
        assert "does not allow this" in page.one("main").text
        # the same for htmx, which must not swap an error page into the results
        assert visitor.get(f"/p/{ids['p']}/{where}", headers=HTMX).status_code == 403


def test_a_scrutineer_is_not_offered_to_create_or_close_programmes(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int]
) -> None:
    """The scrutineer has oversight (drafts, people, audit) but does not run programmes."""
    scrutineer = visitor_as(SCRUTINEER)
    create = f"/p/{ids['p']}/programmes/new"
    for url in (f"/p/{ids['p']}", f"/p/{ids['p']}/programmes"):
        page = page_of(scrutineer.get(url))
        assert page.find("a", href=create) is None, url
    page = page_of(scrutineer.get(f"/p/{ids['p']}/programmes/{ids['programme']}"))
    assert page.find("form", action=f"/p/{ids['p']}/programmes/{ids['programme']}/close") is None
    assert page.find("button", type="submit", class_="button warning") is None


@pytest.mark.parametrize("email", [SCRUTINEER, EDITOR])
def test_the_create_form_is_refused_to_people_who_may_not_create_programmes(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int], email: str
) -> None:
    page = page_of(visitor_as(email).get(f"/p/{ids['p']}/programmes/new"), status=403)
    assert page.h1 == "You cannot do this"


@pytest.mark.parametrize(
    "email",
    [
        ADMIN,
        SCRUTINEER,
        PANEL,
        EXECUTIVE,
        EDITOR,
        APPROVER,
    ],
)
def test_every_role_can_open_home_and_programmes(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int], email: str
) -> None:
    visitor = visitor_as(email)
    home = page_of(visitor.get(f"/p/{ids['p']}"))
    assert home.h1 == "City of York Safeguarding Children Partnership"
    programmes = page_of(visitor.get(f"/p/{ids['p']}/programmes"))
    assert "Section 11 self-assessment 2026" in programmes.one("tbody").text
    page_of(visitor.get(f"/p/{ids['p']}/programmes/{ids['programme']}"))


@pytest.mark.parametrize("email", [ADMIN, EDITOR])
def test_another_partnership_is_not_found(
    visitor_as: Callable[[str], TestClient], north: Partnership, email: str
) -> None:
    """Not 403: a person is not told that a partnership they are not in exists."""
    visitor = visitor_as(email)
    paths = ["", "/agencies", "/programmes", "/frameworks", "/people", "/audit", "/programmes/new"]
    for path in paths:
        page = page_of(visitor.get(f"/p/{north.id}{path}"), status=404)
        assert_accessible_page(page)
        assert page.h1 == "Page not found"


def test_another_partnerships_records_are_not_found(
    visitor_as: Callable[[str], TestClient], db: Session, ids: dict[str, int], north: Partnership
) -> None:
    """York's agency seen from North Yorkshire, and North's admin asking for York."""
    north_admin = visitor_as(NORTH_ADMIN)
    page_of(north_admin.get(f"/p/{ids['p']}"), status=404)
    page_of(north_admin.get(f"/p/{ids['p']}/programmes/{ids['programme']}"), status=404)
    page_of(north_admin.get(f"/p/{north.id}/programmes/{ids['programme']}"), status=404)
    north_only = db.exec(
        select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == north.id)
    ).all()
    york_only = set(
        db.exec(
            select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == ids["p"])
        ).all()
    ) - set(north_only)
    page_of(north_admin.get(f"/p/{north.id}/agencies/{min(york_only)}"), status=404)


def test_an_unknown_address_is_an_html_404(admin: TestClient) -> None:
    page = page_of(admin.get("/no-such-page"), status=404)
    assert page.h1 == "Page not found"


BAD_ADDRESSES = [
    "/p/{p}/agencies?page=abc",
    "/p/{p}/agencies?page=0",
    "/p/{p}/agencies?page=-1",
    "/p/{p}/agencies?page=50001",
    "/p/{p}/agencies?page=1.5",
    "/p/{p}/agencies?q=" + "x" * 101,
    "/p/{p}/programmes?page=abc",
    "/p/{p}/people?page=abc",
    "/p/{p}/audit?page=abc",
    "/p/{p}/agencies/abc",
    "/p/{p}/agencies/0",
    "/p/{p}/agencies/99999999999999999999",
    "/p/{p}/programmes/abc",
    "/p/{p}/programmes/-3",
    "/p/{p}/frameworks/abc",
    "/p/{p}/frameworks/{framework}/versions/0",
    "/p/{p}/frameworks/{framework}/versions/x",
    "/p/abc",
]


def test_a_bad_address_is_a_400_page_not_a_500(admin: TestClient, ids: dict[str, int]) -> None:
    wrong = {}
    for address in BAD_ADDRESSES:
        response = admin.get(address.format(**ids))
        if response.status_code != 400 or "<h1>Check the address</h1>" not in response.text:
            wrong[address] = response.status_code
        else:
            assert_accessible_page(page_of(response, status=400))
    assert wrong == {}


def test_an_address_of_nothing_is_a_404_page(admin: TestClient, ids: dict[str, int]) -> None:
    addresses = [
        "/p/0",
        "/p/99999999999999999999999",
        "/p/{p}/agencies/999999",
        "/p/{p}/programmes/999999",
        "/p/{p}/frameworks/999999",
        "/p/{p}/nothing-here",
    ]
    wrong = {}
    for address in addresses:
        response = admin.get(address.format(**ids))
        if response.status_code != 404 or "<h1>Page not found</h1>" not in response.text:
            wrong[address] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize(
    "address",
    [
        "/p/{p}/agencies?q=a%00b",
        "/p/{p}/agencies?sector=%00",
        "/p/{p}/programmes?status=%00",
        "/sign-in?next=%00",
    ],
)
def test_odd_characters_in_the_address_never_break_a_page(
    admin: TestClient,
    ids: dict[str, int],
    address: str,
) -> None:
    response = admin.get(address.format(**ids))
    assert response.status_code in (200, 400), response.status_code
    assert response.headers["content-type"].startswith("text/html")


def test_agency_staff_see_their_own_returns_only(
    visitor_as: Callable[[str], TestClient], ids: dict[str, int], db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(f"/p/{ids['p']}/returns"))
    assert page.h1 == "Your returns"
    rows = page.one("tbody").find_all("tr")
    assert [r.find_all("td")[0].text.strip() for r in rows] == [HOUSING, HOUSING]
    assert "2026" in rows[0].text and "0 of 37" in rows[0].text
    assert "2023" in rows[1].text and "Accepted" in rows[1].text
    mine = page_of(editor.get(f"/p/{ids['p']}/returns/{ids['housing_return']}"))
    assert mine.h1.startswith(HOUSING)
    assert len(mine.one("tbody").find_all("tr")) == 12  # one row per standard
    other = db.exec(
        select(Return).where(
            Return.programme_id == ids["programme"], Return.id != ids["housing_return"]
        )
    ).first()
    assert other is not None
    page_of(editor.get(f"/p/{ids['p']}/returns/{other.id}"), status=404)


def test_the_partnership_sees_every_agency_s_return(admin: TestClient, ids: dict[str, int]) -> None:
    page = page_of(admin.get(f"/p/{ids['p']}/returns"))
    assert page.h1 == "Returns"
    # The closed 2023 programme and the open 2026 one each asked the 17 agencies.
    assert "Showing 1 to 20 of 34" in page.one("nav.pagination").text
    waiting = page_of(admin.get(f"/p/{ids['p']}/returns", params={"status": "not_started"}))
    assert "Showing 1 to 8 of 8" in waiting.one("nav.pagination").text
