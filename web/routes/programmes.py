"""Programmes: the list, the create form, a programme's page (with its compliance tracker
for those who oversee returns), opening and closing it."""

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import (
    RETURN_LABELS,
    TIMELINESS_LABELS,
    TRACKER_SORT_LABELS,
    ProgrammeStatus,
    ReturnStatus,
    Timeliness,
)
from web.deps import Api, InPartnership, PageForbidden, Place
from web.forms import field_errors, form_etag, form_values
from web.pages import MAX_ID, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {
    "title": "Title",
    "description": "Description",
    "framework_version_id": "Framework",
    "opens_on": "Opening date",
    "deadline": "Deadline",
    "agency_ids": "Agencies asked",
    "reminder_days": "Reminder days",
}
FIELDS = ["title", "description", "framework_version_id", "opens_on", "deadline"]
DEFAULT_REMINDERS = "14, 7, 1"  # what the API sends when it is told nothing
# The API's problems with the reminder days, said as a person reads them.
REMINDER_PROBLEMS = {
    "int_parsing": "Enter reminder days as whole numbers separated by commas, such as 14, 7, 1",
    "int_from_float": "Enter reminder days as whole numbers separated by commas, such as 14, 7, 1",
    "greater_than_equal": "Each reminder must be from 1 to 90 days before the deadline",
    "less_than_equal": "Each reminder must be from 1 to 90 days before the deadline",
    "too_long": "Give at most 5 reminder days",
    "value_error": "Give each number of days once",
}


def reminder_days(text: str) -> list[int | str]:
    """The days typed (commas or spaces between them) as the API's list; anything that is
    not a whole number is sent as typed, for the API to say what is wrong with it."""
    parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    return [int(p) if p.isdigit() and len(p) < 10 else p for p in parts]


def show_reminder_days(days: list[int]) -> str:
    return ", ".join(str(d) for d in days)


def programme_errors(exc: ApiError) -> dict[str, str]:
    errors = field_errors(exc, LABELS)
    for e in exc.problem.get("errors") or []:
        if str(e.get("field", "")).split(".")[0] == "reminder_days":
            errors["reminder_days"] = REMINDER_PROBLEMS.get(
                str(e.get("type")), errors["reminder_days"]
            )
            break
    return errors


@router.get("/p/{partnership_id}/programmes")
async def list_programmes(
    request: Request,
    place: InPartnership,
    client: Api,
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    status = status if status in ProgrammeStatus.__members__ else ""
    result = await client.get(
        f"/partnerships/{place.id}/programmes",
        token=place.token,
        status=status,
        **page_params(page),
    )
    return render(
        request,
        "programmes/list.html",
        place.context(
            programmes=result["items"],
            pages=pager(request, result),
            status=status,
            statuses=list(ProgrammeStatus),
        ),
        block="results",
    )


async def _form_choices(client: ApiClient, place: Place) -> dict[str, Any]:
    frameworks = await client.get(
        f"/partnerships/{place.id}/frameworks", token=place.token, limit=100
    )
    agencies = await client.get(f"/partnerships/{place.id}/agencies", token=place.token, limit=100)
    return {"frameworks": frameworks["items"], "agencies": agencies["items"]}


@router.get("/p/{partnership_id}/programmes/new")
async def new_programme(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_programmes", "Only the partnership's admins create programmes.")
    choices = await _form_choices(client, place)
    section_11 = next((f for f in choices["frameworks"] if f["key"] == "section-11"), None)
    values = {
        "framework_version_id": str(section_11["latest_version"]["id"]) if section_11 else "",
        "reminder_days": DEFAULT_REMINDERS,
    }
    return render(
        request,
        "programmes/new.html",
        place.context(
            values=values, asked=set(), all_agencies=True, errors={}, labels=LABELS, **choices
        ),
        block="form",
    )


@router.post("/p/{partnership_id}/programmes/new")
async def create_programme(request: Request, place: InPartnership, client: Api) -> Response:
    form = await request.form()
    values = form_values(form, [*FIELDS, "reminder_days"])
    all_agencies = form.get("all_agencies") == "yes"
    asked = {str(a) for a in form.getlist("agency_ids")}
    body: dict[str, Any] = {
        **{k: (values[k] or None) for k in FIELDS},
        "title": values["title"],
        "all_agencies": all_agencies,
        "agency_ids": [] if all_agencies else [int(a) for a in asked if a.isdigit()],
    }
    if "reminder_days" in form:  # a form without the field leaves the API's default
        body["reminder_days"] = reminder_days(values["reminder_days"])
    try:
        created = await client.send(
            "POST", f"/partnerships/{place.id}/programmes", token=place.token, json=body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = programme_errors(exc)
        choices = await _form_choices(client, place)
        return render(
            request,
            "programmes/new.html",
            place.context(
                values=values,
                asked=asked,
                all_agencies=all_agencies,
                errors=errors,
                labels=LABELS,
                **choices,
            ),
            block="form",
            status=422,
        )
    return redirect(request, f"/p/{place.id}/programmes/{created['id']}?created=1")


SORT_KEYS = tuple(TRACKER_SORT_LABELS)


def _tracker_choices(query: Any) -> dict[str, str]:
    """The tracker's sort and filters from the address; anything unknown is left out."""
    sort = str(query.get("sort", ""))
    status = str(query.get("status", ""))
    timeliness = str(query.get("timeliness", ""))
    moderated = str(query.get("moderated", ""))
    return {
        "sort": sort if sort.removeprefix("-") in SORT_KEYS else "agency",
        "status": status if status in ReturnStatus.__members__ else "",
        "timeliness": timeliness if timeliness in Timeliness.__members__ else "",
        "moderated": moderated if moderated in ("true", "false") else "",
    }


def _sort_links(base: str, choices: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each column's link (a second click reverses the order) and its aria-sort."""
    current = choices["sort"]
    filters = {k: v for k, v in choices.items() if k != "sort" and v}
    links = {}
    for key in SORT_KEYS:
        sorted_here = current.removeprefix("-") == key
        descending = current.startswith("-")
        target = f"-{key}" if sorted_here and not descending else key
        links[key] = {
            "href": f"{base}?{urlencode({**filters, 'sort': target})}#compliance",
            "aria_sort": ("descending" if descending else "ascending") if sorted_here else "",
            "next": "descending" if target.startswith("-") else "ascending",
        }
    return links


async def _tracker(
    client: ApiClient, place: Place, programme_id: int, choices: dict[str, str]
) -> dict[str, Any] | None:
    """The compliance tracker, for oversight, executives and panel members (read-only)."""
    if not place.may("read_compliance"):
        return None
    tracker: dict[str, Any] = await client.get(
        f"/partnerships/{place.id}/programmes/{programme_id}/compliance",
        token=place.token,
        **choices,
    )
    base = f"/p/{place.id}/programmes/{programme_id}"
    tracker["choices"] = choices
    tracker["filtered"] = any(v for k, v in choices.items() if k != "sort")
    tracker["sort_links"] = _sort_links(base, choices)
    return tracker


async def _programme_page(
    request: Request,
    place: Place,
    client: ApiClient,
    programme_id: int,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    base = f"/partnerships/{place.id}/programmes/{programme_id}"
    programme = await client.get(base, token=place.token)
    tracker = await _tracker(client, place, programme_id, _tracker_choices(request.query_params))
    asked = None  # the tracker lists every agency asked; others see the plain list
    if tracker is None:
        asked = await client.get(f"{base}/agencies", token=place.token, limit=100)
    return render(
        request,
        "programmes/detail.html",
        place.context(
            programme=programme,
            asked=asked,
            problem=problem,
            created=request.query_params.get("created") == "1",
            saved=request.query_params.get("saved") == "1",
            tracker=tracker,
            return_labels=RETURN_LABELS,
            timeliness_labels=TIMELINESS_LABELS,
            sort_labels=TRACKER_SORT_LABELS,
        ),
        block="compliance",
        status=status,
    )


@router.get("/p/{partnership_id}/programmes/{programme_id}")
async def programme_page(
    request: Request, place: InPartnership, client: Api, programme_id: RecordId
) -> Response:
    return await _programme_page(request, place, client, programme_id)


async def _edit_page(
    request: Request,
    place: Place,
    client: ApiClient,
    programme_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    stale: bool = False,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """The fields of the programme that its status lets change; `values` keeps a change
    that was not saved, `errors` says why."""
    place.require("manage_programmes", "Only the partnership's admins change programmes.")
    response = await client.request(
        "GET", f"/partnerships/{place.id}/programmes/{programme_id}", token=place.token
    )
    programme = response.json()
    editable = programme["editable_fields"]  # what its status lets change, as the API says
    if not editable:
        raise PageForbidden("A closed programme is history: nothing in it can change.")
    current = {k: str(programme[k] or "") for k in FIELDS if k != "framework_version_id"}
    current["framework_version_id"] = str(programme["framework_version"]["id"])
    current["reminder_days"] = show_reminder_days(programme["reminder_days"])
    frameworks = []
    if "framework_version_id" in editable:
        frameworks = (await _form_choices(client, place))["frameworks"]
    return render(
        request,
        "programmes/edit.html",
        place.context(
            programme=programme,
            etag=response.headers["ETag"],
            editable=editable,
            values=values or current,
            errors=errors or {},
            stale=stale,
            problem=problem,
            frameworks=frameworks,
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/programmes/{programme_id}/edit")
async def edit_programme(
    request: Request, place: InPartnership, client: Api, programme_id: RecordId
) -> Response:
    return await _edit_page(request, place, client, programme_id)


@router.post("/p/{partnership_id}/programmes/{programme_id}/edit")
async def change_programme(
    request: Request, place: InPartnership, client: Api, programme_id: RecordId
) -> Response:
    """Change what the programme's status allows; If-Match keeps another's change safe."""
    form = await request.form()
    # The form holds the fields the programme's status let change when it was drawn; the
    # API refuses any that its status no longer allows.
    values = form_values(form, [k for k in (*FIELDS, "reminder_days") if k in form])
    body: dict[str, Any] = {**values}  # an empty field is refused, never taken as "unchanged"
    if "description" in values:
        body["description"] = values["description"] or None
    if "reminder_days" in values:
        body["reminder_days"] = reminder_days(values["reminder_days"])
    try:
        await client.send(
            "PATCH", f"/partnerships/{place.id}/programmes/{programme_id}", token=place.token,
            json=body, if_match=form_etag(str(form.get("etag", ""))),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        return await _edit_page(
            request, place, client, programme_id, values=values,
            errors=programme_errors(exc) if exc.status == 422 else None,
            stale=exc.status == 412, problem=exc.detail if exc.status == 409 else None,
            status=422 if exc.status == 422 else 409,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/programmes/{programme_id}?saved=1")


@router.post("/p/{partnership_id}/programmes/{programme_id}/{move}")
async def move_programme(
    request: Request,
    place: InPartnership,
    client: Api,
    programme_id: RecordId,
    move: Annotated[str, Path(pattern="^(open|close)$")],
) -> Response:
    form = await request.form()
    version = str(form.get("version", ""))
    try:
        await client.send(
            "POST",
            f"/partnerships/{place.id}/programmes/{programme_id}/{move}",
            token=place.token,
            if_match=f'"{version}"' if version.isdigit() else None,
        )
    except ApiError as exc:
        if exc.status not in (409, 412):
            raise
        return await _programme_page(
            request, place, client, programme_id, problem=exc.detail, status=exc.status
        )
    return redirect(request, f"/p/{place.id}/programmes/{programme_id}")
