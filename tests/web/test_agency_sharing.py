"""Sharing an agency through the web: who keeps its name and sector is shown, the keeper
offers it with a plain form (errors in a summary and at the field), the other partnership
accepts or declines on its offers page, all without JavaScript."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pagekit import Page
from sqlmodel import Session, select
from websupport import EDITOR, NORTH_ADMIN, count, csrf_of, page_of

from api.models import Agency, AgencyOffer, AuditEvent, Partnership, PartnershipAgency

HOUSING = "City of York Council Housing Services"
POLICE = "North Yorkshire Police"


@pytest.fixture
def agency(db: Session) -> Callable[[str], int]:
    def find(name: str) -> int:
        return db.exec(select(Agency.id).where(Agency.name == name)).one()  # type: ignore[return-value]

    return find


@pytest.fixture
def north_admin(visitor_as: Callable[[str], TestClient]) -> TestClient:
    return visitor_as(NORTH_ADMIN)


def post(client: TestClient, page_url: str, action: str, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(action, data={"csrf_token": csrf_of(client, page_url), **fields})


def assert_field_error(page: Page, name: str, message: str) -> None:
    assert page.title.startswith("Error: ")
    summary = page.error_summary()
    assert summary is not None and summary["role"] == "alert"
    assert page.summary_links() == {f"#field-{name}": message}
    assert page.field_error(name) == message
    field = page.field(f"field-{name}")
    assert field.get("aria-invalid") == "true"
    assert f"error-{name}" in (field.get("aria-describedby") or "").split()
    assert page.broken_references() == []


def test_a_member_that_does_not_keep_the_agency_is_told_who_does(
    north_admin: TestClient, north: Partnership, agency: Callable[[str], int]
) -> None:
    page = page_of(north_admin.get(f"/p/{north.id}/agencies/{agency(POLICE)}"))
    assert "City of York Safeguarding Children Partnership, which added it" in page.one("dl").text
    assert page.find("form", action=f"/p/{north.id}/agencies/{agency(POLICE)}/share") is None


def test_the_keeper_offers_and_the_other_partnership_accepts(
    admin: TestClient,
    north_admin: TestClient,
    db: Session,
    york: Partnership,
    north: Partnership,
    agency: Callable[[str], int],
) -> None:
    housing = agency(HOUSING)
    page_url = f"/p/{york.id}/agencies/{housing}"
    page = page_of(admin.get(page_url))
    assert "This partnership" in page.one("dl").text
    assert page.unlabelled_fields() == [] and page.broken_references() == []
    r = post(admin, page_url, f"{page_url}/share", {"partnership": "north-yorkshire"})
    assert r.status_code == 303 and r.headers["location"] == f"/p/{york.id}/agency-offers?offered=1"
    mine = page_of(admin.get(r.headers["location"]))
    assert "The agency has been offered." in mine.one("main").text
    assert f"{HOUSING}, offered to {north.name}" in mine.one("main").text

    offers_url = f"/p/{north.id}/agency-offers"
    theirs = page_of(north_admin.get(offers_url))
    assert theirs.unlabelled_fields() == [] and theirs.broken_references() == []
    offer_id = db.exec(select(AgencyOffer.id)).one()
    r = post(
        north_admin,
        offers_url,
        f"{offers_url}/{offer_id}/accept",
        {"statutory_partner": "yes"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/p/{north.id}/agencies/{housing}"
    link = db.exec(
        select(PartnershipAgency).where(
            PartnershipAgency.agency_id == housing, PartnershipAgency.partnership_id == north.id
        )
    ).one()
    assert link.statutory_partner is True
    joined = page_of(north_admin.get(r.headers["location"]))
    assert joined.h1 == HOUSING and "which added it" in joined.one("dl").text
    assert count(db, AgencyOffer) == 0


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("", "Enter partnership's short name"),
        ("york", "Partnership's short name is not the slug of another partnership."),
        (
            "north-yorkshire!",
            "Partnership's short name: String should match pattern '^[a-z0-9][a-z0-9-]*$'",
        ),
    ],
)
def test_the_offer_form_shows_its_errors(
    admin: TestClient,
    db: Session,
    york: Partnership,
    agency: Callable[[str], int],
    slug: str,
    message: str,
) -> None:
    page_url = f"/p/{york.id}/agencies/{agency(HOUSING)}"
    events = count(db, AuditEvent)
    r = post(admin, page_url, f"{page_url}/share", {"partnership": slug})
    page = page_of(r, status=422)
    assert_field_error(page, "partnership", message)
    assert page.field("field-partnership")["value"] == slug
    assert count(db, AuditEvent) == events


def test_an_offer_already_made_is_shown_at_the_field(
    admin: TestClient, york: Partnership, agency: Callable[[str], int]
) -> None:
    page_url = f"/p/{york.id}/agencies/{agency(POLICE)}"
    r = post(admin, page_url, f"{page_url}/share", {"partnership": "north-yorkshire"})
    page = page_of(r, status=409)
    assert_field_error(
        page,
        "partnership",
        "The agency already belongs to North Yorkshire Safeguarding Children Partnership.",
    )


def test_a_name_taken_on_accepting_is_shown_beside_the_offer(
    admin: TestClient,
    north_admin: TestClient,
    db: Session,
    york: Partnership,
    north: Partnership,
    agency: Callable[[str], int],
) -> None:
    housing = agency(HOUSING)
    page_url = f"/p/{york.id}/agencies/{housing}"
    offered = post(admin, page_url, f"{page_url}/share", {"partnership": "north-yorkshire"})
    assert offered.status_code == 303
    # North Yorkshire already lists an agency of that name (York cannot have known).
    db.add(Agency(name=HOUSING.upper(), sector="housing", owner_partnership_id=north.id))  # type: ignore[arg-type]
    db.flush()
    taken = db.exec(select(Agency.id).where(Agency.name == HOUSING.upper())).one()
    db.add(PartnershipAgency(partnership_id=north.id, agency_id=taken))  # type: ignore[arg-type]
    db.flush()
    offer_id = db.exec(select(AgencyOffer.id)).one()
    offers_url = f"/p/{north.id}/agency-offers"
    r = post(north_admin, offers_url, f"{offers_url}/{offer_id}/accept", {})
    page = page_of(r, status=409)
    assert_field_error(
        page,
        f"offer-{offer_id}",
        f"A partnership of this agency already has an agency called “{HOUSING}”.",
    )
    assert count(db, AgencyOffer) == 1


def test_declining_an_offer(
    admin: TestClient,
    north_admin: TestClient,
    db: Session,
    york: Partnership,
    north: Partnership,
    agency: Callable[[str], int],
) -> None:
    page_url = f"/p/{york.id}/agencies/{agency(HOUSING)}"
    post(admin, page_url, f"{page_url}/share", {"partnership": "north-yorkshire"})
    offer_id = db.exec(select(AgencyOffer.id)).one()
    offers_url = f"/p/{north.id}/agency-offers"
    r = post(north_admin, offers_url, f"{offers_url}/{offer_id}/remove", {})
    assert r.status_code == 303 and r.headers["location"] == offers_url
    assert count(db, AgencyOffer) == 0
    assert (
        "No partnership is offering an agency to this one."
        in page_of(north_admin.get(offers_url)).one("main").text
    )


def test_only_admins_see_the_offers_page(
    visitor_as: Callable[[str], TestClient], york: Partnership
) -> None:
    r = visitor_as(EDITOR).get(f"/p/{york.id}/agency-offers")
    assert r.status_code == 403
