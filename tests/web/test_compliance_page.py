"""The compliance tracker on a programme's page: totals in words, a table sorted by its
column headers' links and filtered by a plain GET form, all without JavaScript."""

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from test_pages import assert_accessible_page
from websupport import EDITOR, EXECUTIVE, HTMX, PANEL, SCRUTINEER, page_of

from api.actions import service as action_service
from api.models import (
    Agency,
    Partnership,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
    Return,
    ReturnStatus,
    ReturnVersion,
)

HOUSING = "City of York Council Housing Services"
POLICE = "North Yorkshire Police"


@pytest.fixture
def cycle(db: Session, york: Partnership, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A fresh open programme asking York's 17 agencies, ten days past its deadline:
    Housing returned on time and was accepted, the police returned late, the rest not yet."""
    monkeypatch.setattr(action_service, "today", lambda: date(2027, 2, 8))
    version = db.exec(
        select(Programme.framework_version_id).where(Programme.partnership_id == york.id)
    ).first()
    assert version is not None and york.id is not None
    programme = Programme(
        partnership_id=york.id, framework_version_id=version, title="Section 11 tracker test",
        opens_on=date(2026, 10, 1), deadline=date(2027, 1, 29), status=ProgrammeStatus.open,
    )  # fmt: skip
    db.add(programme)
    db.flush()
    assert programme.id is not None
    agencies = db.exec(
        select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == york.id)
    ).all()
    db.add_all(ProgrammeAgency(programme_id=programme.id, agency_id=a) for a in agencies)
    db.add_all(Return(programme_id=programme.id, agency_id=a) for a in agencies)
    db.flush()
    returns = {}
    for name, day, status in [
        (HOUSING, date(2027, 1, 20), ReturnStatus.accepted),
        (POLICE, date(2027, 2, 3), ReturnStatus.submitted),
    ]:
        ret = db.exec(
            select(Return)
            .join(Agency, col(Agency.id) == Return.agency_id)
            .where(Return.programme_id == programme.id, Agency.name == name)
        ).one()
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        db.add(ReturnVersion(return_id=ret.id, number=1, snapshot={}, content_sha256="0" * 64,
                             signed_off_name="A Director", signed_off_role="Director",
                             submitted_at=at, due_on=programme.deadline))  # fmt: skip
        ret.status, ret.submitted_at = status, at
        db.add(ret)
        assert ret.id is not None
        returns[name] = ret.id
    db.commit()
    return {"p": york.id, "programme": programme.id, **returns}


def url(cycle: dict[str, int]) -> str:
    return f"/p/{cycle['p']}/programmes/{cycle['programme']}"


def tracker_rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [tr.find_all("td")[0].text for tr in page.one("table.compliance").find_all("tr")[1:]]


def test_the_business_unit_sees_who_has_returned(admin: TestClient, cycle: dict[str, int]):
    page = page_of(admin.get(url(cycle)))
    assert_accessible_page(page)
    section = page.one("section", id="compliance")
    assert section.one("h2").text == "Compliance"
    assert section.one("p.lead").text == "2 of 17 returned (11%)"
    totals = [li.text for li in section.one("ul.compliance-totals").find_all("li")]
    assert totals[:4] == ["1 on time", totals[1], "15 outstanding", "1 accepted"]
    assert totals[1].startswith("16 late")
    table = page.one("table.compliance")
    assert len(table.one("tbody").find_all("tr")) == 17
    assert table.one("a", href=f"/p/{cycle['p']}/returns/{cycle[HOUSING]}").text == HOUSING
    housing = next(tr for tr in table.find_all("tr") if HOUSING in tr.text)
    assert "On time" in housing.text and "Accepted" in housing.text
    police = next(
        tr for tr in table.find_all("tr") if tr.find("td") and tr.find("td").text == POLICE
    )
    assert "Late by 5 days" in police.text
    assert table.one("th", **{"aria-sort": "ascending"}).text.startswith("Agency")


def test_column_headers_sort_the_table(admin: TestClient, cycle: dict[str, int]):
    page = page_of(admin.get(url(cycle)))
    link = page.one("table.compliance").one("thead").find_all("a")[2]
    assert link.text.startswith("Submitted")
    assert link["href"] == f"{url(cycle)}?sort=submitted_at#compliance"
    ascending = page_of(admin.get(link["href"].split("#")[0]))
    assert tracker_rows(ascending)[:2] == [HOUSING, POLICE]
    header = ascending.one("th", **{"aria-sort": "ascending"})
    assert header.text.startswith("Submitted")
    again = header.one("a")["href"]
    assert again == f"{url(cycle)}?sort=-submitted_at#compliance"
    descending = page_of(admin.get(again.split("#")[0]))
    assert tracker_rows(descending)[:2] == [POLICE, HOUSING]
    assert descending.one("th", **{"aria-sort": "descending"}).text.startswith("Submitted")


def test_the_filter_form_works_without_javascript(admin: TestClient, cycle: dict[str, int]):
    page = page_of(admin.get(url(cycle)))
    form = page.one("section", id="compliance").one("form")
    assert form["method"] == "get" and form.one("button").text == "Apply"
    assert {s["name"] for s in form.find_all("select")} == {"status", "timeliness", "moderated"}
    late = page_of(admin.get(url(cycle), params={"timeliness": "late", "status": "submitted"}))
    assert tracker_rows(late) == [POLICE]
    assert late.one("option", value="late").get("selected") is not None
    assert "Showing 1 of 17 agencies" in late.one("section", id="compliance").text
    assert late.one("p.lead").text == "2 of 17 returned (11%)"  # totals are never filtered
    none = page_of(admin.get(url(cycle), params={"moderated": "true"}))
    assert tracker_rows(none) == ["No agencies match these filters. Show every agency asked."]


def test_htmx_swaps_only_the_table(admin: TestClient, cycle: dict[str, int]):
    response = admin.get(url(cycle), params={"timeliness": "on_time"}, headers=HTMX)
    fragment = page_of(response)
    assert "<html" not in response.text and fragment.find("h1") is None
    assert fragment.find("form") is None
    assert tracker_rows(fragment) == [HOUSING]


def test_an_address_that_makes_no_sense_shows_everyone(admin: TestClient, cycle: dict[str, int]):
    page = page_of(
        admin.get(url(cycle), params={"sort": "colour", "status": "x", "moderated": "1"})
    )
    assert len(tracker_rows(page)) == 17
    assert page.one("th", **{"aria-sort": "ascending"}).text.startswith("Agency")


def test_the_scrutineer_sees_it_too(visitor_as: Callable[[str], TestClient], cycle: dict[str, int]):
    page = page_of(visitor_as(SCRUTINEER).get(url(cycle)))
    assert page.find("section", id="compliance") is not None


@pytest.mark.parametrize("who", [EXECUTIVE, PANEL])
def test_executives_and_panel_members_see_the_tracker_read_only(
    visitor_as: Callable[[str], TestClient], cycle: dict[str, int], who: str
):
    """Read-only dashboards (DOMAIN.md): where each return stands, but no way into a return
    they may not read; the agency's page instead."""
    page = page_of(visitor_as(who).get(url(cycle)))
    assert_accessible_page(page)
    assert page.one("section", id="compliance").one("p.lead").text == "2 of 17 returned (11%)"
    assert len(tracker_rows(page)) == 17
    links = [a["href"] for a in page.one("table.compliance").find_all("a")]
    assert not [href for href in links if "/returns/" in href]
    housing = next(tr for tr in page.one("tbody").find_all("tr") if HOUSING in tr.text)
    assert housing.one("a")["href"].startswith(f"/p/{cycle['p']}/agencies/")
    assert page.find("button", type="submit", class_="warning") is None  # no "Close programme"


@pytest.mark.parametrize("who", [EDITOR])
def test_others_see_the_programme_without_the_tracker(
    visitor_as: Callable[[str], TestClient], cycle: dict[str, int], who: str
):
    page = page_of(visitor_as(who).get(url(cycle)))
    assert page.find("section", id="compliance") is None
    assert "Agencies asked" in [h2.text for h2 in page.find_all("h2")]
