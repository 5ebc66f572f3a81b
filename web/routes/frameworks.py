"""Browsing frameworks: their versions, standards and requirements."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.deps import Api, InPartnership
from web.pages import MAX_ID, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/p/{partnership_id}/frameworks")
async def list_frameworks(request: Request, place: InPartnership, client: Api) -> Response:
    result = await client.get(f"/partnerships/{place.id}/frameworks", token=place.token, limit=100)
    return render(request, "frameworks/list.html", place.context(frameworks=result["items"]))


@router.get("/p/{partnership_id}/frameworks/{framework_id}")
async def framework_page(
    request: Request, place: InPartnership, client: Api, framework_id: RecordId
) -> Response:
    framework = await client.get(
        f"/partnerships/{place.id}/frameworks/{framework_id}", token=place.token
    )
    latest = framework["versions"][0]["number"]
    return await _version(request, place, client, framework, latest)


@router.get("/p/{partnership_id}/frameworks/{framework_id}/versions/{number}")
async def version_page(
    request: Request,
    place: InPartnership,
    client: Api,
    framework_id: RecordId,
    number: Annotated[int, Path(ge=1, le=1_000_000)],
) -> Response:
    framework = await client.get(
        f"/partnerships/{place.id}/frameworks/{framework_id}", token=place.token
    )
    return await _version(request, place, client, framework, number)


async def _version(
    request: Request,
    place: InPartnership,
    client: Api,
    framework: dict,
    number: int,  # type: ignore[type-arg]
) -> Response:
    version = await client.get(
        f"/partnerships/{place.id}/frameworks/{framework['id']}/versions/{number}",
        token=place.token,
    )
    return render(
        request, "frameworks/version.html", place.context(framework=framework, version=version)
    )
