"""The audit log, for those who may read it."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.deps import Api, InPartnership
from web.pages import page_params, pager, render

router = APIRouter()


@router.get("/p/{partnership_id}/audit")
async def audit_log(
    request: Request,
    place: InPartnership,
    client: Api,
    action: Annotated[str, Query(max_length=64)] = "",
    entity_type: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    filters = {"action": action.strip(), "entity_type": entity_type.strip()}
    result = await client.get(
        f"/partnerships/{place.id}/audit-events",
        token=place.token,
        **filters,
        **page_params(page),
    )
    return render(
        request,
        "audit/list.html",
        place.context(events=result["items"], pages=pager(request, result), filters=filters),
        block="results",
    )
