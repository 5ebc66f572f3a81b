"""Onboarding agencies and people from a spreadsheet: upload a CSV, read the preview of
every row, confirm. The file travels back with the confirmation, so nothing is kept
between the two steps and nothing is written before the confirmation."""

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, PageForbidden, Place
from web.pages import redirect, render

router = APIRouter()

KINDS = {"agencies": "manage_agencies", "people": "manage_people"}
Kind = Annotated[str, Path(pattern="^(agencies|people)$")]
MAX_BYTES = 1_000_000
CSV = {"Content-Type": "text/csv"}
# Where each kind's records are listed once added.
DONE = {"agencies": "/agencies", "people": "/people"}


def _kinds(place: Place) -> list[str]:
    """The kinds of file this person may onboard here."""
    return [kind for kind, permission in KINDS.items() if place.may(permission)]


def _upload_page(
    request: Request, place: Place, *, kind: str, error: str = "", status: int = 200
) -> Response:
    kinds = _kinds(place)
    if not kinds:
        raise PageForbidden("Only the business unit adds agencies and people from a file.")
    context = place.context(
        kinds=kinds,
        kind=kind if kind in kinds else kinds[0],
        errors={"file": error} if error else {},
    )
    return render(request, "onboarding/upload.html", context, status=status)


@router.get("/p/{partnership_id}/onboarding")
async def upload_page(
    request: Request,
    place: InPartnership,
    kind: Annotated[str, Query(max_length=20)] = "agencies",
) -> Response:
    return _upload_page(request, place, kind=kind)


@router.get("/p/{partnership_id}/onboarding/{kind}/template.csv")
async def template(place: InPartnership, client: Api, kind: Kind) -> Response:
    """The API's template, passed through so the browser needs no API token."""
    response = await client.request(
        "GET", f"/partnerships/{place.id}/onboarding/{kind}/template", token=place.token
    )
    return Response(
        response.content,
        media_type="text/csv",
        headers={"Content-Disposition": response.headers["content-disposition"]},
    )


async def _preview(
    request: Request,
    place: Place,
    client: ApiClient,
    kind: str,
    raw: bytes,
    *,
    refused: str = "",
) -> Response:
    try:
        response = await client.request(
            "POST",
            f"/partnerships/{place.id}/onboarding/{kind}/preview",
            token=place.token,
            content=raw,
            headers=CSV,
        )
    except ApiError as exc:
        if exc.status not in (413, 415, 422):
            raise
        errors = exc.problem.get("errors") or []
        message = errors[0]["message"] if errors else exc.detail
        return _upload_page(request, place, kind=kind, error=message, status=422)
    plan: dict[str, Any] = response.json()
    context = place.context(
        kind=kind,
        plan=plan,
        file=base64.b64encode(raw).decode(),
        refused=refused,
        errors={"form": refused} if refused else {},
    )
    return render(request, "onboarding/preview.html", context, status=422 if refused else 200)


@router.post("/p/{partnership_id}/onboarding/{kind}/preview")
async def preview(request: Request, place: InPartnership, client: Api, kind: Kind) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        return _upload_page(request, place, kind=kind, error="Choose a CSV file.", status=422)
    raw = await upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return _upload_page(
            request, place, kind=kind, status=422,
            error=f"The file may be at most {MAX_BYTES:,} bytes: split it.",
        )  # fmt: skip
    return await _preview(request, place, client, kind, raw)


@router.post("/p/{partnership_id}/onboarding/{kind}")
async def confirm(request: Request, place: InPartnership, client: Api, kind: Kind) -> Response:
    """Do what the preview showed; if the partnership changed since and a row is now
    refused, nothing is written and the preview comes back as it now stands."""
    form = await request.form()
    try:
        raw = base64.b64decode(str(form.get("file", "")), validate=True)
    except binascii.Error:
        raw = b""
    if not raw:
        return _upload_page(request, place, kind=kind, error="Choose a CSV file.", status=422)
    try:
        response = await client.request(
            "POST",
            f"/partnerships/{place.id}/onboarding/{kind}",
            token=place.token,
            content=raw,
            headers=CSV,
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _preview(request, place, client, kind, raw, refused=exc.detail)
    done = response.json()["counts"]
    added = sum(n for outcome, n in done.items() if outcome not in ("skip", "refused"))
    return redirect(request, f"/p/{place.id}{DONE[kind]}?onboarded={added}")
