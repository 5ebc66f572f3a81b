"""Action plans: the partnership's (or, for agency staff, their own agency's), one agency's,
the actions that began in a programme, and one action, changed and tracked to done."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import ACTION_LABELS, ActionStatus
from web.deps import Api, InPartnership, PageForbidden, Place
from web.forms import field_errors, form_etag, form_values
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
FilterId = Annotated[str, Query(max_length=20)]

STATUS_LABELS = ACTION_LABELS
LABELS = {
    "status": "Status",
    "owner": "Owner",
    "due_on": "Due date",
    "completion_evidence": "Evidence of completion",
    "note": "Progress note",
}
CHANGE_FIELDS = ["status", "owner", "due_on", "completion_evidence"]
ONLY_OVERSIGHT_AND_STAFF = (
    "Action plans are for the partnership's business unit and scrutineer, "
    "and for each agency's own staff."
)


def _own_agencies(place: Place) -> set[int]:
    """The agencies whose staff the viewer is, in this partnership."""
    return {
        int(m["agency_id"])
        for m in place.viewer.me["memberships"]
        if m["partnership_id"] == place.id and m["agency_id"] is not None
    }


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


async def _plan_page(
    request: Request,
    place: Place,
    client: ApiClient,
    *,
    heading: str,
    lead: str,
    fixed: dict[str, int],
    agency: str,
    programme: str,
    status: str,
    overdue: str,
    page: int,
    back: tuple[str, str] | None = None,
) -> Response:
    """A list of actions: `fixed` filters come from the address's path, the rest from its
    query, and only the filters that can narrow this list are offered."""
    if not place.sees_returns:
        raise PageForbidden(ONLY_OVERSIGHT_AND_STAFF)
    everyone = place.may("read_returns")
    filters = {
        "agency": agency if _id(agency) and everyone and "agency_id" not in fixed else "",
        "programme": programme if _id(programme) and "programme_id" not in fixed else "",
        "status": status if status in ActionStatus.__members__ else "",
        "overdue": overdue if overdue in ("yes", "no") else "",
    }
    params: dict[str, Any] = {
        "agency_id": filters["agency"],
        "programme_id": filters["programme"],
        "status": filters["status"],
        "overdue": {"yes": True, "no": False}.get(filters["overdue"]),
        **fixed,
        **page_params(page),
    }
    result = await client.get(f"/partnerships/{place.id}/actions", token=place.token, **params)
    choices: dict[str, list[dict[str, Any]]] = {"agencies": [], "programmes": []}
    if everyone and "agency_id" not in fixed:
        found = await client.get(f"/partnerships/{place.id}/agencies", token=place.token, limit=100)
        choices["agencies"] = found["items"]
    if "programme_id" not in fixed:
        found = await client.get(
            f"/partnerships/{place.id}/programmes", token=place.token, limit=100
        )
        choices["programmes"] = found["items"]
    return render(
        request,
        "actions/list.html",
        place.context(
            heading=heading,
            lead=lead,
            back=back,
            actions=result["items"],
            pages=pager(request, result),
            filters=filters,
            filtered=any(filters.values()),
            show_agency=everyone and "agency_id" not in fixed,
            status_labels=STATUS_LABELS,
            **choices,
        ),
        block="results",
    )


@router.get("/p/{partnership_id}/actions")
async def partnership_plan(
    request: Request,
    place: InPartnership,
    client: Api,
    agency: FilterId = "",
    programme: FilterId = "",
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    everyone = place.may("read_returns")
    return await _plan_page(
        request, place, client,
        heading="Action plan" if everyone else "Your agency's action plan",
        lead="Every agency's actions, soonest due first." if everyone else
        "The actions your agency has committed to, soonest due first.",
        fixed={}, agency=agency, programme=programme, status=status, overdue=overdue, page=page,
    )  # fmt: skip


@router.get("/p/{partnership_id}/agencies/{agency_id}/actions")
async def agency_plan(
    request: Request,
    place: InPartnership,
    client: Api,
    agency_id: RecordId,
    programme: FilterId = "",
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    found = await client.get(f"/partnerships/{place.id}/agencies/{agency_id}", token=place.token)
    if not place.may("read_returns") and agency_id not in _own_agencies(place):
        raise PageForbidden("You can see only your own agency's action plan.")
    return await _plan_page(
        request, place, client,
        heading=f"{found['name']}: action plan",
        lead="The actions this agency has committed to, soonest due first.",
        back=(f"/p/{place.id}/agencies/{agency_id}", f"Back to {found['name']}"),
        fixed={"agency_id": agency_id}, agency="", programme=programme, status=status,
        overdue=overdue, page=page,
    )  # fmt: skip


@router.get("/p/{partnership_id}/programmes/{programme_id}/actions")
async def programme_plan(
    request: Request,
    place: InPartnership,
    client: Api,
    programme_id: RecordId,
    agency: FilterId = "",
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    found = await client.get(
        f"/partnerships/{place.id}/programmes/{programme_id}", token=place.token
    )
    return await _plan_page(
        request, place, client,
        heading=f"{found['title']}: actions",
        lead="The actions that began in this programme's returns, soonest due first.",
        back=(f"/p/{place.id}/programmes/{programme_id}", f"Back to {found['title']}"),
        fixed={"programme_id": programme_id}, agency=agency, programme="", status=status,
        overdue=overdue, page=page,
    )  # fmt: skip


async def _action(client: ApiClient, place: Place, action_id: int) -> tuple[dict[str, Any], str]:
    """The action and its ETag, which a change must send back in If-Match."""
    response = await client.request(
        "GET", f"/partnerships/{place.id}/actions/{action_id}", token=place.token
    )
    return response.json(), response.headers["ETag"]


async def _action_page(
    request: Request,
    place: Place,
    client: ApiClient,
    action_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    note: str = "",
    stale: bool = False,
    status: int = 200,
) -> Response:
    """One action; `values` keeps a change that was not saved, `errors` says why."""
    action, etag = await _action(client, place, action_id)
    current = {k: str(action[k] or "") for k in CHANGE_FIELDS}
    return render(
        request,
        "actions/detail.html",
        place.context(
            action=action,
            etag=etag,
            values=values or current,
            errors=errors or {},
            labels=LABELS,
            note=note,
            stale=stale,
            status_labels=STATUS_LABELS,
            saved=request.query_params.get("saved") == "1",
            noted=request.query_params.get("noted") == "1",
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/actions/{action_id}")
async def action_page(
    request: Request, place: InPartnership, client: Api, action_id: RecordId
) -> Response:
    return await _action_page(request, place, client, action_id)


@router.post("/p/{partnership_id}/actions/{action_id}")
async def change_action(
    request: Request, place: InPartnership, client: Api, action_id: RecordId
) -> Response:
    """Change the status, owner, due date or evidence; If-Match keeps another's change safe."""
    form = await request.form()
    values = form_values(form, CHANGE_FIELDS)
    body = {**values, "status": values["status"] or None}
    try:
        await client.send(
            "PATCH", f"/partnerships/{place.id}/actions/{action_id}", token=place.token,
            json=body, if_match=form_etag(str(form.get("etag", ""))),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status == 412:
            return await _action_page(
                request, place, client, action_id, values=values, stale=True, status=409
            )
        if exc.status != 422:
            raise
        errors = field_errors(exc, LABELS)
        return await _action_page(
            request, place, client, action_id, values=values, errors=errors, status=422
        )
    return redirect(request, f"/p/{place.id}/actions/{action_id}?saved=1")


@router.post("/p/{partnership_id}/actions/{action_id}/updates")
async def add_progress(
    request: Request, place: InPartnership, client: Api, action_id: RecordId
) -> Response:
    """Record progress, dated and signed by whoever writes it."""
    form = await request.form()
    note = form_values(form, ["note"])["note"]
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/actions/{action_id}/updates",
            token=place.token, json={"note": note},
        )  # fmt: skip
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc, {"note": LABELS["note"]})
        return await _action_page(
            request, place, client, action_id, errors=errors, note=note, status=422
        )
    return redirect(request, f"/p/{place.id}/actions/{action_id}?noted=1#updates")
