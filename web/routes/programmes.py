"""Programmes: the list, the create form, a programme's page (with its compliance tracker
for those who oversee returns), opening and closing it."""

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
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
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
}
FIELDS = ["title", "description", "framework_version_id", "opens_on", "deadline"]


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
    values = {"framework_version_id": str(section_11["latest_version"]["id"]) if section_11 else ""}
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
    values = form_values(form, FIELDS)
    all_agencies = form.get("all_agencies") == "yes"
    asked = {str(a) for a in form.getlist("agency_ids")}
    body: dict[str, Any] = {
        **{k: (v or None) for k, v in values.items()},
        "title": values["title"],
        "all_agencies": all_agencies,
        "agency_ids": [] if all_agencies else [int(a) for a in asked if a.isdigit()],
    }
    try:
        created = await client.send(
            "POST", f"/partnerships/{place.id}/programmes", token=place.token, json=body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc, LABELS)
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
