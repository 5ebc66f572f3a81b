"""The partnership's outbox, for its admins: the emails sent, waiting and failed, each one's
text (never a security email's, whose link is a secret), and a failed one sent again."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiError
from web.contract import MESSAGE_LABELS, MessageState
from web.deps import Api, InPartnership, Place
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
ONLY_ADMINS = "Only the partnership's admins see the emails it sent."


def _state(value: str) -> str:
    return value if value in MessageState.__members__ else ""


async def _outbox_page(
    request: Request,
    place: Place,
    client: Api,
    *,
    state: str,
    page: int,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    place.require("manage_outbox", ONLY_ADMINS)
    result = await client.get(
        f"/partnerships/{place.id}/outbox", token=place.token, state=state, **page_params(page)
    )
    return render(
        request,
        "outbox/list.html",
        place.context(
            messages=result["items"],
            pages=pager(request, result),
            mail_server=result["mail_server"],
            state=state,
            state_labels=MESSAGE_LABELS,
            problem=problem,
            retried=request.query_params.get("retried") == "1",
        ),
        block="results",
        status=status,
    )


@router.get("/p/{partnership_id}/outbox")
async def outbox(
    request: Request,
    place: InPartnership,
    client: Api,
    state: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    return await _outbox_page(request, place, client, state=_state(state), page=page)


@router.post("/p/{partnership_id}/outbox/{message_id}/retry")
async def retry(
    request: Request, place: InPartnership, client: Api, message_id: RecordId
) -> Response:
    """Send a failed email again; back to the list as it was filtered."""
    place.require("manage_outbox", ONLY_ADMINS)
    state = _state(str((await request.form()).get("state", "")))
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/outbox/{message_id}/retry", token=place.token
        )
    except ApiError as exc:
        if exc.status != 409:
            raise
        return await _outbox_page(
            request, place, client, state=state, page=1, problem=exc.detail, status=409
        )
    query = urlencode({k: v for k, v in {"state": state, "retried": "1"}.items() if v})
    return redirect(request, f"/p/{place.id}/outbox?{query}")
