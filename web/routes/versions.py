"""A return's submitted versions: each one as it was signed off, and what changed between
any two; and starting a new return from the agency's last accepted one."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, Place
from web.diff import words
from web.pages import MAX_ID, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[int, Path(ge=1, le=1_000_000)]


async def _framework(client: ApiClient, place: Place, ret: dict[str, Any]) -> dict[str, Any]:
    ref = ret["framework_version"]
    framework: dict[str, Any] = await client.get(
        f"/partnerships/{place.id}/frameworks/{ref['framework_id']}/versions/{ref['number']}",
        token=place.token,
    )
    return framework


@router.get("/p/{partnership_id}/returns/{return_id}/versions/{number}")
async def version_page(
    request: Request, place: InPartnership, client: Api, return_id: RecordId, number: Number
) -> Response:
    base = f"/partnerships/{place.id}/returns/{return_id}"
    ret = await client.get(base, token=place.token)
    version = await client.get(f"{base}/versions/{number}", token=place.token)
    listed = await client.get(f"{base}/versions", token=place.token)
    framework = await _framework(client, place, ret)
    files: dict[int, list[dict[str, Any]]] = {}
    for f in version["attachments"]:
        files.setdefault(f["requirement_id"], []).append(f)
    levels = {level["code"]: level for level in framework["rating_scale"]["levels"]}
    return render(
        request,
        "returns/version.html",
        place.context(
            ret=ret,
            version=version,
            versions=listed,
            framework=framework,
            answers={r["requirement_id"]: r for r in version["responses"]},
            files=files,
            levels=levels,
        ),
    )


@router.get("/p/{partnership_id}/returns/{return_id}/compare")
async def compare_page(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    from_: Annotated[int, Query(alias="from", ge=1, le=1_000_000)],
    to: Annotated[int, Query(ge=1, le=1_000_000)],
) -> Response:
    base = f"/partnerships/{place.id}/returns/{return_id}"
    ret = await client.get(base, token=place.token)
    listed = await client.get(f"{base}/versions", token=place.token)
    diff = await client.get(f"{base}/compare", token=place.token, **{"from": from_, "to": to})
    framework = await _framework(client, place, ret)
    requirements = {r["id"]: r for s in framework["standards"] for r in s["requirements"]}
    levels = {level["code"]: level["label"] for level in framework["rating_scale"]["levels"]}
    for change in diff["responses"]:
        change["requirement"] = requirements.get(change["requirement_id"])
        for c in change["changes"]:
            if c["field"] == "rating":
                c["before"], c["after"] = levels.get(c["before"]), levels.get(c["after"])
            c["pieces"] = words(c["before"], c["after"])
    return render(
        request,
        "returns/compare.html",
        place.context(ret=ret, diff=diff, versions=listed, from_=from_, to=to),
    )


@router.post("/p/{partnership_id}/returns/{return_id}/carry-forward")
async def carry_forward(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """Copy the last accepted return's answers into the unanswered requirements."""
    target = f"/p/{place.id}/returns/{return_id}"
    try:
        carried = await client.send(
            "POST", f"/partnerships/{place.id}/returns/{return_id}/carry-forward",
            token=place.token,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412):
            raise
        return redirect(request, f"{target}?carry=failed")
    return redirect(request, f"{target}?carried={carried['answers']}&files={carried['files']}")
