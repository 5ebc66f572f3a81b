"""Challenge events: the list, planning one (programme, date, place, chair and panel), and
changing one. What the viewer may do is the API's answer (`allowed`, `place.may`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import EVENT_LABELS, HELD, EventStatus
from web.deps import Api, InPartnership, PageForbidden, Place
from web.forms import field_errors, form_values, refused_status
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
EVENTS = "/p/{partnership_id}/challenge-events"
LABELS = {
    "programme_id": "Programme",
    "title": "Title",
    "held_on": "Date",
    "place": "Place",
    "chair_user_id": "Chair",
    "panel_user_ids": "Panel members",
}
FIELDS = ["programme_id", "title", "held_on", "place", "chair_user_id"]
PANEL_ROLES = ("scrutineer", "panel_member")
ONLY_MANAGERS = "Only the partnership's business unit and scrutineer plan challenge events."


def outcomes(event: dict[str, Any]) -> str:
    """The sessions' outcomes in words: "2 assured, 1 partially assured", or ""."""
    counts: dict[str, int] = {}
    for s in event["sessions"]:
        if s["outcome"]:
            counts[s["outcome"]] = counts.get(s["outcome"], 0) + 1
    return ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in sorted(counts.items()))


@router.get(EVENTS)
async def list_events(
    request: Request,
    place: InPartnership,
    client: Api,
    programme: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    filters = {
        "programme": programme if programme.isdigit() and 0 < int(programme) <= MAX_ID else "",
        "status": status if status in EventStatus.__members__ else "",
    }
    base = f"/partnerships/{place.id}"
    result = await client.get(
        f"{base}/challenge-events", token=place.token, programme_id=filters["programme"],
        status=filters["status"], **page_params(page),
    )  # fmt: skip
    programmes = await client.get(f"{base}/programmes", token=place.token, limit=100)
    for event in result["items"]:
        event["outcomes"] = outcomes(event)
    return render(
        request,
        "challenge/list.html",
        place.context(
            events=result["items"],
            pages=pager(request, result),
            filters=filters,
            programmes=programmes["items"],
            status_labels=EVENT_LABELS,
            labels={"event": EVENT_LABELS, "held": HELD},
        ),
        block="results",
    )


async def panel_people(client: ApiClient, place: Place) -> list[dict[str, Any]]:
    """The people who may chair or sit on a panel: scrutineers and panel members."""
    found: dict[int, dict[str, Any]] = {}
    for role in PANEL_ROLES:
        people = await client.get(
            f"/partnerships/{place.id}/users", token=place.token, role=role, limit=100
        )
        found.update({p["id"]: p for p in people["items"]})
    return sorted(found.values(), key=lambda p: (p["name"], p["id"]))


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


def _panel_ids(form: Any) -> list[int]:
    return [int(v) for v in form.getlist("panel_user_ids") if _int_or_none(str(v))]


async def _form_page(
    request: Request,
    place: Place,
    client: ApiClient,
    *,
    values: dict[str, str],
    panel: set[str],
    errors: dict[str, str],
    event: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The create form, or with `event` the change form for it."""
    programmes = None
    if event is None:
        found = await client.get(f"/partnerships/{place.id}/programmes", token=place.token,
                                 limit=100)  # fmt: skip
        programmes = found["items"]
    return render(
        request,
        "challenge/form.html",
        place.context(
            values=values, panel=panel, errors=errors, labels=LABELS, event=event,
            programmes=programmes, people=await panel_people(client, place),
            changing=event is not None,
            action=f"/p/{place.id}/challenge-events/"
            + (f"{event['id']}/change" if event else "new"),
        ),
        block="form",
        status=status,
    )  # fmt: skip


@router.get(EVENTS + "/new")
async def new_event(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_challenge", ONLY_MANAGERS)
    return await _form_page(request, place, client, values={}, panel=set(), errors={})


@router.post(EVENTS + "/new")
async def create_event(request: Request, place: InPartnership, client: Api) -> Response:
    """Plan the event; the API checks the chair and panel may sit on it."""
    form = await request.form()
    values = form_values(form, FIELDS)
    body = {
        "programme_id": _int_or_none(values["programme_id"]),
        "title": values["title"],
        "held_on": values["held_on"] or None,
        "place": values["place"],
        "chair_user_id": _int_or_none(values["chair_user_id"]),
        "panel_user_ids": _panel_ids(form),
    }
    if body["held_on"] is None:  # left out, so that the API says it is missing
        del body["held_on"]
    try:
        created = await client.send(
            "POST", f"/partnerships/{place.id}/challenge-events", token=place.token, json=body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        panel = {str(i) for i in body["panel_user_ids"]}  # type: ignore[union-attr]
        return await _form_page(request, place, client, values=values, panel=panel,
                                errors=field_errors(exc, LABELS), status=422)  # fmt: skip
    return redirect(request, f"/p/{place.id}/challenge-events/{created['id']}?done=created")


async def _changeable(client: ApiClient, place: Place, event_id: int) -> dict[str, Any]:
    event = await client.get(
        f"/partnerships/{place.id}/challenge-events/{event_id}", token=place.token
    )
    if "change" not in event["allowed"]:
        raise PageForbidden("This event cannot be changed: " + (
            "it was cancelled." if event["status"] == "cancelled" else ONLY_MANAGERS.lower()
        ))  # fmt: skip
    return dict(event)


@router.get(EVENTS + "/{event_id}/change")
async def change_form(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    event = await _changeable(client, place, event_id)
    values = {
        "title": event["title"], "held_on": event["held_on"], "place": event["place"],
        "chair_user_id": str(event["chair"]["id"]), "version": str(event["version"]),
    }  # fmt: skip
    panel = {str(p["id"]) for p in event["panel"]}
    return await _form_page(request, place, client, values=values, panel=panel, errors={},
                            event=event)  # fmt: skip


STALE = (
    "Someone changed this event after you opened the form, so nothing was saved. "
    "Go back to the event to see it as it now stands, then make your change again."
)


@router.post(EVENTS + "/{event_id}/change")
async def change_event(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    """Reschedule, retitle or move the event, or change its chair or panel."""
    form = await request.form()
    values = form_values(form, [*FIELDS[1:], "version"])
    body = {
        "title": values["title"],
        "held_on": values["held_on"],
        "place": values["place"],
        "chair_user_id": _int_or_none(values["chair_user_id"]),
        "panel_user_ids": _panel_ids(form),
    }
    version = values["version"] if values["version"].isdigit() else "0"
    try:
        await client.send(
            "PATCH", f"/partnerships/{place.id}/challenge-events/{event_id}",
            token=place.token, json=body, if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        event = await _changeable(client, place, event_id)
        errors = field_errors(exc, LABELS) if exc.status == 422 else {
            "form": STALE if exc.status == 412 else exc.detail
        }  # fmt: skip
        panel = {str(i) for i in body["panel_user_ids"]}  # type: ignore[union-attr]
        return await _form_page(request, place, client, values=values, panel=panel,
                                errors=errors, event=event, status=refused_status(exc))  # fmt: skip
    return redirect(request, f"/p/{place.id}/challenge-events/{event_id}?done=changed")
