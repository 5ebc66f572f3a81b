"""The partnership's agencies: a searchable list, each agency's page, and sharing an agency
with another partnership (the keeper offers it, the other partnership accepts)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import Sector
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
SHARE_LABELS = {"partnership": "Partnership's short name"}


@router.get("/p/{partnership_id}/agencies")
async def list_agencies(
    request: Request,
    place: InPartnership,
    client: Api,
    q: Annotated[str, Query(max_length=100)] = "",
    sector: Annotated[str, Query(max_length=32)] = "",
    statutory: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
    onboarded: Annotated[int | None, Query(ge=0, le=100_000)] = None,
) -> Response:
    filters = {
        "q": q.strip(),
        "sector": sector if sector in Sector.__members__ else "",
        "statutory": statutory if statutory in ("yes", "no") else "",
    }
    result = await client.get(
        f"/partnerships/{place.id}/agencies",
        token=place.token,
        q=filters["q"],
        sector=filters["sector"],
        statutory_partner={"yes": True, "no": False}.get(filters["statutory"]),
        **page_params(page),
    )
    return render(
        request,
        "agencies/list.html",
        place.context(
            agencies=result["items"],
            pages=pager(request, result),
            filters=filters,
            sectors=list(Sector),
            onboarded=onboarded,
        ),
        block="results",
    )


async def _agency_page(
    request: Request,
    place: Place,
    client: ApiClient,
    agency_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    agency = await client.get(f"/partnerships/{place.id}/agencies/{agency_id}", token=place.token)
    people = None
    if place.may("read_people"):
        people = await client.get(
            f"/partnerships/{place.id}/users", token=place.token, agency_id=agency_id, limit=50
        )
    context = place.context(
        agency=agency,
        people=people,
        may_share=place.may("manage_agencies") and agency["owner_partnership_id"] == place.id,
        values=values or {},
        errors=errors or {},
        labels=SHARE_LABELS,
    )
    return render(request, "agencies/detail.html", context, status=status)


@router.get("/p/{partnership_id}/agencies/{agency_id}")
async def agency_page(
    request: Request, place: InPartnership, client: Api, agency_id: RecordId
) -> Response:
    return await _agency_page(request, place, client, agency_id)


@router.post("/p/{partnership_id}/agencies/{agency_id}/share")
async def share_agency(
    request: Request, place: InPartnership, client: Api, agency_id: RecordId
) -> Response:
    """Offer the agency to another partnership, named by its short name (slug)."""
    values = form_values(await request.form(), ["partnership"])
    try:
        await client.send(
            "POST",
            f"/partnerships/{place.id}/agencies/{agency_id}/offers",
            token=place.token,
            json=values,
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        errors = (
            {"partnership": exc.detail} if exc.status == 409 else field_errors(exc, SHARE_LABELS)
        )
        return await _agency_page(
            request, place, client, agency_id, values=values, errors=errors, status=exc.status
        )
    return redirect(request, f"/p/{place.id}/agency-offers?offered=1")


async def _offers_page(
    request: Request,
    place: Place,
    client: ApiClient,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    place.require("manage_agencies", "Only the partnership's admins share agencies.")
    path = f"/partnerships/{place.id}/agency-offers"
    items = (await client.get(path, token=place.token, limit=100))["items"]
    context = place.context(
        incoming=[o for o in items if o["offered_to"]["id"] == place.id],
        outgoing=[o for o in items if o["offered_by"]["id"] == place.id],
        offered=request.query_params.get("offered") == "1",
        errors=errors or {},
    )
    return render(request, "agencies/offers.html", context, status=status)


@router.get("/p/{partnership_id}/agency-offers")
async def offers_page(request: Request, place: InPartnership, client: Api) -> Response:
    return await _offers_page(request, place, client)


@router.post("/p/{partnership_id}/agency-offers/{offer_id}/accept")
async def accept_offer(
    request: Request, place: InPartnership, client: Api, offer_id: RecordId
) -> Response:
    form = await request.form()
    try:
        agency = await client.send(
            "POST",
            f"/partnerships/{place.id}/agency-offers/{offer_id}/accept",
            token=place.token,
            json={"statutory_partner": form.get("statutory_partner") == "yes"},
        )
    except ApiError as exc:
        if exc.status != 409:
            raise
        return await _offers_page(
            request, place, client, errors={f"offer-{offer_id}": exc.detail}, status=409
        )
    return redirect(request, f"/p/{place.id}/agencies/{agency['id']}")


@router.post("/p/{partnership_id}/agency-offers/{offer_id}/remove")
async def remove_offer(
    request: Request, place: InPartnership, client: Api, offer_id: RecordId
) -> Response:
    """Decline an offer made to the partnership, or withdraw one it made."""
    await client.send(
        "DELETE", f"/partnerships/{place.id}/agency-offers/{offer_id}", token=place.token
    )
    return redirect(request, f"/p/{place.id}/agency-offers")
