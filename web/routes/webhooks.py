"""Webhooks, for the partnership's admins: the endpoints other systems registered, a new
one (its signing secret shown once), one endpoint changed, its secret rotated, removed,
and its delivery log with a button to send a delivery again."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import MESSAGE_LABELS
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_etag, form_values
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {"url": "URL", "description": "Description", "events": "Events", "active": "Active"}
FIELDS = ["url", "description"]
ONLY_ADMINS = "Only the partnership's admins manage its webhooks."
# The events a person chooses from, grouped by what they are about (the part of the name
# before the dot); a kind of record not named here falls under "Other".
GROUPS = {
    "Partnership and agencies": ("partnership", "agency", "agency_offer"),
    "People and service tokens": ("user", "membership", "service_token"),
    "Frameworks and programmes": ("framework", "programme"),
    "Returns": ("response", "responses", "return", "attachment"),
    "Action plans": ("action",),
    "Challenge events": (
        "challenge_event", "challenge_session", "panel_score", "line_of_enquiry", "follow_up",
    ),
    "Emails and webhooks": ("outbox_message", "webhook"),
}  # fmt: skip


def _base(place: Place) -> str:
    return f"/partnerships/{place.id}/webhooks"


def _grouped(event_types: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    group_of = {kind: title for title, kinds in GROUPS.items() for kind in kinds}
    groups: dict[str, list[dict[str, str]]] = {title: [] for title in GROUPS}
    for e in event_types:
        groups.setdefault(group_of.get(e["name"].split(".")[0], "Other"), []).append(e)
    return [(title, events) for title, events in groups.items() if events]


async def _event_groups(client: ApiClient, place: Place) -> list[tuple[str, list[dict[str, str]]]]:
    return _grouped(await client.get("/webhook-events", token=place.token))


def _form(form: Any) -> tuple[dict[str, str], list[str]]:
    return form_values(form, FIELDS), [str(e) for e in form.getlist("events")]


def _errors(exc: ApiError, events: list[str]) -> dict[str, str]:
    errors = field_errors(exc, LABELS)
    if "events" in errors and not events:
        errors["events"] = "Choose at least one event"
    return errors


@router.get("/p/{partnership_id}/webhooks")
async def list_webhooks(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    endpoints = await client.get(_base(place), token=place.token)
    for endpoint in endpoints:  # a partnership has a few endpoints: ask for each one's latest
        latest = await client.get(
            f"{_base(place)}/{endpoint['id']}/deliveries", token=place.token, limit=1
        )
        endpoint["last_delivery"] = latest["items"][0] if latest["items"] else None
    return render(
        request,
        "webhooks/list.html",
        place.context(
            endpoints=endpoints,
            state_labels=MESSAGE_LABELS,
            deleted=request.query_params.get("deleted") == "1",
        ),
    )


def _new_page(
    request: Request,
    place: Place,
    groups: list[tuple[str, list[dict[str, str]]]],
    *,
    values: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "webhooks/new.html",
        place.context(
            values=values or {"url": "", "description": ""},
            chosen=set(chosen or []),
            groups=groups,
            errors=errors or {},
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/webhooks/new")
async def new_webhook(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    return _new_page(request, place, await _event_groups(client, place))


def _secret_page(
    request: Request, place: Place, endpoint: dict[str, Any], secret: str, *, created: bool
) -> Response:
    """The signing secret, this once: the page is never stored (render sends no-store)."""
    return render(
        request,
        "webhooks/secret.html",
        place.context(endpoint=endpoint, secret=secret, created=created),
        status=201 if created else 200,
    )


@router.post("/p/{partnership_id}/webhooks/new")
async def create_webhook(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    values, events = _form(await request.form())
    body = {**values, "events": events}
    try:
        created = await client.send("POST", _base(place), token=place.token, json=body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        groups = await _event_groups(client, place)
        errors = _errors(exc, events)
        return _new_page(
            request, place, groups, values=values, chosen=events, errors=errors, status=422
        )
    return _secret_page(request, place, created, created["secret"], created=True)


async def _endpoint(client: ApiClient, place: Place, webhook_id: int) -> tuple[dict[str, Any], str]:
    """The endpoint and its ETag, which a change must send back in If-Match."""
    response = await client.request("GET", f"{_base(place)}/{webhook_id}", token=place.token)
    return response.json(), response.headers["ETag"]


async def _endpoint_page(
    request: Request,
    place: Place,
    client: ApiClient,
    webhook_id: int,
    *,
    page: int = 1,
    values: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    active: bool | None = None,
    errors: dict[str, str] | None = None,
    stale: bool = False,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """One endpoint with its delivery log; `values` keeps a change that was not saved."""
    endpoint, etag = await _endpoint(client, place, webhook_id)
    deliveries = await client.get(
        f"{_base(place)}/{webhook_id}/deliveries", token=place.token, **page_params(page)
    )
    query = request.query_params
    return render(
        request,
        "webhooks/detail.html",
        place.context(
            endpoint=endpoint,
            etag=etag,
            values=values or {k: endpoint[k] for k in FIELDS},
            chosen=set(endpoint["events"] if chosen is None else chosen),
            active=endpoint["active"] if active is None else active,
            groups=await _event_groups(client, place),
            errors=errors or {},
            stale=stale,
            problem=problem,
            deliveries=deliveries["items"],
            pages=pager(request, deliveries),
            state_labels=MESSAGE_LABELS,
            saved=query.get("saved") == "1",
            redelivered=query.get("redelivered") == "1",
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/webhooks/{webhook_id}")
async def webhook_page(
    request: Request,
    place: InPartnership,
    client: Api,
    webhook_id: RecordId,
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    return await _endpoint_page(request, place, client, webhook_id, page=page)


@router.post("/p/{partnership_id}/webhooks/{webhook_id}")
async def change_webhook(
    request: Request, place: InPartnership, client: Api, webhook_id: RecordId
) -> Response:
    """Change the URL, description, events or whether it is active; If-Match keeps another
    admin's change safe."""
    place.require("manage_webhooks", ONLY_ADMINS)
    form = await request.form()
    values, events = _form(form)
    active = form.get("active") == "yes"
    try:
        await client.send(
            "PATCH", f"{_base(place)}/{webhook_id}", token=place.token,
            json={**values, "events": events, "active": active},
            if_match=form_etag(str(form.get("etag", ""))),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (412, 422):
            raise
        stale = exc.status == 412
        return await _endpoint_page(
            request, place, client, webhook_id,
            values=values, chosen=events, active=active, stale=stale,
            errors=None if stale else _errors(exc, events), status=409 if stale else 422,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/webhooks/{webhook_id}?saved=1")


def _confirm_page(request: Request, place: Place, endpoint: dict[str, Any], what: str) -> Response:
    return render(request, f"webhooks/confirm_{what}.html", place.context(endpoint=endpoint))


@router.get("/p/{partnership_id}/webhooks/{webhook_id}/rotate-secret")
async def confirm_rotate(
    request: Request, place: InPartnership, client: Api, webhook_id: RecordId
) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    endpoint, _ = await _endpoint(client, place, webhook_id)
    return _confirm_page(request, place, endpoint, "rotate")


@router.post("/p/{partnership_id}/webhooks/{webhook_id}/rotate-secret")
async def rotate_secret(
    request: Request, place: InPartnership, client: Api, webhook_id: RecordId
) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    answer = await client.send(
        "POST", f"{_base(place)}/{webhook_id}/rotate-secret", token=place.token
    )
    endpoint, _ = await _endpoint(client, place, webhook_id)
    return _secret_page(request, place, endpoint, answer["secret"], created=False)


@router.get("/p/{partnership_id}/webhooks/{webhook_id}/delete")
async def confirm_delete(
    request: Request, place: InPartnership, client: Api, webhook_id: RecordId
) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    endpoint, _ = await _endpoint(client, place, webhook_id)
    return _confirm_page(request, place, endpoint, "delete")


@router.post("/p/{partnership_id}/webhooks/{webhook_id}/delete")
async def delete_webhook(
    request: Request, place: InPartnership, client: Api, webhook_id: RecordId
) -> Response:
    place.require("manage_webhooks", ONLY_ADMINS)
    await client.send("DELETE", f"{_base(place)}/{webhook_id}", token=place.token)
    return redirect(request, f"/p/{place.id}/webhooks?deleted=1")


@router.post("/p/{partnership_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    request: Request,
    place: InPartnership,
    client: Api,
    webhook_id: RecordId,
    delivery_id: RecordId,
) -> Response:
    """Send a delivery again (the API refuses while it is still waiting: said on the page)."""
    place.require("manage_webhooks", ONLY_ADMINS)
    try:
        await client.send(
            "POST",
            f"{_base(place)}/{webhook_id}/deliveries/{delivery_id}/redeliver",
            token=place.token,
        )
    except ApiError as exc:
        if exc.status != 409:
            raise
        return await _endpoint_page(
            request, place, client, webhook_id, problem=exc.detail, status=409
        )
    return redirect(request, f"/p/{place.id}/webhooks/{webhook_id}?redelivered=1#deliveries")
