"""Returns: the list (for agency staff, their own: "my returns") and a return's page."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.http import MAX_ID
from api.models import ReturnStatus
from api.returns.rules import LABELS
from web.deps import Api, InPartnership
from web.pages import page_params, pager, render

router = APIRouter()


@router.get("/p/{partnership_id}/returns")
async def list_returns(
    request: Request,
    place: InPartnership,
    client: Api,
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    status = status if status in ReturnStatus.__members__ else ""
    result = await client.get(
        f"/partnerships/{place.id}/returns", token=place.token, status=status, **page_params(page)
    )
    return render(
        request,
        "returns/list.html",
        place.context(
            returns=result["items"],
            pages=pager(request, result),
            status=status,
            labels=LABELS,
            everyone=place.may("read_returns"),
        ),
        block="results",
    )


@router.get("/p/{partnership_id}/returns/{return_id}")
async def return_page(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    found = await client.get(f"/partnerships/{place.id}/returns/{return_id}", token=place.token)
    return render(request, "returns/detail.html", place.context(ret=found, labels=LABELS))
