"""Programmes: the list, the create form, a programme's page, opening and closing it."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.http import MAX_ID
from api.models import ProgrammeStatus
from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
from web.pages import page_params, pager, redirect, render

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
    asked = await client.get(f"{base}/agencies", token=place.token, limit=100)
    return render(
        request,
        "programmes/detail.html",
        place.context(
            programme=programme,
            asked=asked,
            problem=problem,
            created=request.query_params.get("created") == "1",
        ),
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
