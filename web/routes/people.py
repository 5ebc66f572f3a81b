"""The people of a partnership and their roles."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.deps import Api, InPartnership
from web.pages import page_params, pager, render
from web.routes.invitations import INVITE_LABELS, invitation_context

router = APIRouter()


@router.get("/p/{partnership_id}/people")
async def list_people(
    request: Request,
    place: InPartnership,
    client: Api,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
    onboarded: Annotated[int | None, Query(ge=0, le=100_000)] = None,
) -> Response:
    result = await client.get(
        f"/partnerships/{place.id}/users", token=place.token, q=q.strip(), **page_params(page)
    )
    return render(
        request,
        "people/list.html",
        place.context(
            people=result["items"],
            pages=pager(request, result),
            q=q.strip(),
            errors={},
            values={},
            labels=INVITE_LABELS,
            onboarded=onboarded,
            **await invitation_context(client, place),
        ),
        block="results",
    )
