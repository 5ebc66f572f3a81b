"""The partnership's agencies: a searchable list and each agency's page."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.contract import Sector
from web.deps import Api, InPartnership
from web.pages import MAX_ID, page_params, pager, render

router = APIRouter()


@router.get("/p/{partnership_id}/agencies")
async def list_agencies(
    request: Request,
    place: InPartnership,
    client: Api,
    q: Annotated[str, Query(max_length=100)] = "",
    sector: Annotated[str, Query(max_length=32)] = "",
    statutory: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
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
        ),
        block="results",
    )


@router.get("/p/{partnership_id}/agencies/{agency_id}")
async def agency_page(
    request: Request,
    place: InPartnership,
    client: Api,
    agency_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    agency = await client.get(f"/partnerships/{place.id}/agencies/{agency_id}", token=place.token)
    people = None
    if place.may("read_people"):
        people = await client.get(
            f"/partnerships/{place.id}/users", token=place.token, agency_id=agency_id, limit=50
        )
    return render(request, "agencies/detail.html", place.context(agency=agency, people=people))
