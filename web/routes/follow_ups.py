"""The follow-ups of challenge sessions: the list (filtered without JavaScript; the
Executive's "due to the Executive" among them) and one follow-up, tracked to done with
dated notes of progress."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import ACTION_LABELS, ActionStatus
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_etag, form_values, refused_status
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {
    "status": "Status",
    "owner": "Owner",
    "due_on": "Due date",
    "completion_evidence": "Evidence of completion",
    "note": "Progress note",
}
TRACKED = ["status", "completion_evidence"]
MANAGED = ["owner", "due_on"]


async def _events(client: ApiClient, place: Place) -> dict[int, dict[str, Any]]:
    """The challenge events the viewer sees, by id: to name each follow-up's event."""
    found = await client.get(
        f"/partnerships/{place.id}/challenge-events", token=place.token, limit=100
    )
    return {e["id"]: e for e in found["items"]}


@router.get("/p/{partnership_id}/follow-ups")
async def follow_up_list(
    request: Request,
    place: InPartnership,
    client: Api,
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    to_executive: Annotated[str, Query(max_length=3)] = "",
    event: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    """Follow-ups by due date, as the API shows them to the viewer."""
    events = await _events(client, place)
    filters = {
        "status": status if status in ActionStatus.__members__ else "",
        "overdue": "yes" if overdue == "yes" else "",
        "to_executive": "yes" if to_executive == "yes" else "",
        "event": event if event.isdigit() and int(event) in events else "",
    }
    result = await client.get(
        f"/partnerships/{place.id}/follow-ups", token=place.token,
        status=filters["status"], overdue=True if filters["overdue"] else None,
        to_executive=True if filters["to_executive"] else None, event_id=filters["event"],
        **page_params(page),
    )  # fmt: skip
    heading = "Follow-ups due to the Executive" if filters["to_executive"] else "Follow-ups"
    return render(
        request,
        "follow_ups/list.html",
        place.context(
            heading=heading,
            follow_ups=result["items"],
            pages=pager(request, result),
            filters=filters,
            filtered=any(filters.values()),
            events=events,
            status_labels=ACTION_LABELS,
        ),  # fmt: skip
        block="results",
    )


async def _follow_up_page(
    request: Request,
    place: Place,
    client: ApiClient,
    follow_up_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    note: str = "",
    stale: bool = False,
    status: int = 200,
) -> Response:
    """One follow-up; `values` keeps a change that was not saved, `errors` says why."""
    response = await client.request(
        "GET", f"/partnerships/{place.id}/follow-ups/{follow_up_id}", token=place.token
    )
    f = response.json()
    events = await _events(client, place)
    current = {k: str(f[k] or "") for k in TRACKED + MANAGED}
    return render(
        request,
        "follow_ups/detail.html",
        place.context(
            f=f,
            event=events.get(f["event_id"]),
            etag=response.headers["ETag"],
            values=values or current,
            errors=errors or {},
            labels=LABELS,
            note=note,
            stale=stale,
            status_labels=ACTION_LABELS,
            manages=place.may("manage_challenge"),
            saved=request.query_params.get("saved") == "1",
            noted=request.query_params.get("noted") == "1",
        ),  # fmt: skip
        status=status,
    )


@router.get("/p/{partnership_id}/follow-ups/{follow_up_id}")
async def follow_up_page(
    request: Request, place: InPartnership, client: Api, follow_up_id: RecordId
) -> Response:
    return await _follow_up_page(request, place, client, follow_up_id)


@router.post("/p/{partnership_id}/follow-ups/{follow_up_id}")
async def change_follow_up(
    request: Request, place: InPartnership, client: Api, follow_up_id: RecordId
) -> Response:
    """Change the status and evidence (and, for those who run challenge events, the owner
    and due date); If-Match keeps another's change safe."""
    form = await request.form()
    names = TRACKED + (MANAGED if place.may("manage_challenge") else [])
    values = form_values(form, names)
    body = {k: v or None for k, v in values.items() if k != "completion_evidence"}
    body["completion_evidence"] = values["completion_evidence"]
    try:
        await client.send(
            "PATCH", f"/partnerships/{place.id}/follow-ups/{follow_up_id}", token=place.token,
            json=body, if_match=form_etag(str(form.get("etag", ""))),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (412, 422):
            raise
        errors = field_errors(exc, LABELS) if exc.status == 422 else {}
        return await _follow_up_page(request, place, client, follow_up_id, values=values,
                                     errors=errors, stale=exc.status == 412,
                                     status=refused_status(exc))  # fmt: skip
    return redirect(request, f"/p/{place.id}/follow-ups/{follow_up_id}?saved=1")


@router.post("/p/{partnership_id}/follow-ups/{follow_up_id}/updates")
async def add_progress(
    request: Request, place: InPartnership, client: Api, follow_up_id: RecordId
) -> Response:
    """Record progress, dated and signed by whoever writes it."""
    note = form_values(await request.form(), ["note"])["note"]
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/follow-ups/{follow_up_id}/updates",
            token=place.token, json={"note": note},
        )  # fmt: skip
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc, {"note": LABELS["note"]})
        return await _follow_up_page(request, place, client, follow_up_id, errors=errors,
                                     note=note, status=422)  # fmt: skip
    return redirect(request, f"/p/{place.id}/follow-ups/{follow_up_id}?noted=1#updates")
