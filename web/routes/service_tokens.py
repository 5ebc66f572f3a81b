"""A partnership's service tokens, for its admins: issue one (shown once), list, revoke."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, Place
from web.forms import field_errors
from web.pages import MAX_ID, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {"name": "Name", "scopes": "Scopes", "expires_in_days": "Days until it expires"}
ADMINS_ONLY = "Only the partnership's admins issue and revoke service tokens."


async def _tokens_page(
    request: Request,
    place: Place,
    client: ApiClient,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    place.require("manage_service_tokens", ADMINS_ONLY)
    tokens = await client.get(
        f"/partnerships/{place.id}/service-tokens", token=place.token, limit=100
    )
    scopes = await client.get("/scopes", token=place.token)
    return render(
        request,
        "tokens/list.html",
        place.context(
            tokens=tokens["items"],
            scopes=scopes,
            values=values or {"name": "", "scopes": [], "expires_in_days": "365"},
            errors=errors or {},
            labels=LABELS,
            revoked=request.query_params.get("revoked") == "1",
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/service-tokens")
async def tokens_page(request: Request, place: InPartnership, client: Api) -> Response:
    return await _tokens_page(request, place, client)


@router.post("/p/{partnership_id}/service-tokens")
async def issue_token(request: Request, place: InPartnership, client: Api) -> Response:
    place.require("manage_service_tokens", ADMINS_ONLY)
    form = await request.form()
    values = {
        "name": str(form.get("name", "")).strip(),
        "scopes": [str(s) for s in form.getlist("scopes")],
        "expires_in_days": str(form.get("expires_in_days", "")).strip(),
    }
    body = {**values, "expires_in_days": values["expires_in_days"] or None}
    try:
        issued = await client.send(
            "POST", f"/partnerships/{place.id}/service-tokens", token=place.token, json=body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc, LABELS)
        if not values["scopes"]:
            errors["scopes"] = "Choose at least one scope"
        return await _tokens_page(request, place, client, values=values, errors=errors, status=422)
    # The token is shown this once, on this page, which no cache keeps (render: no-store).
    return render(request, "tokens/issued.html", place.context(issued=issued), status=201)


async def _token(client: ApiClient, place: Place, token_id: int) -> dict[str, Any]:
    return dict(
        await client.get(f"/partnerships/{place.id}/service-tokens/{token_id}", token=place.token)
    )


@router.get("/p/{partnership_id}/service-tokens/{token_id}/revoke")
async def confirm_revoke(
    request: Request, place: InPartnership, client: Api, token_id: RecordId
) -> Response:
    place.require("manage_service_tokens", ADMINS_ONLY)
    token = await _token(client, place, token_id)
    return render(request, "tokens/revoke.html", place.context(token=token))


@router.post("/p/{partnership_id}/service-tokens/{token_id}/revoke")
async def revoke(
    request: Request, place: InPartnership, client: Api, token_id: RecordId
) -> Response:
    place.require("manage_service_tokens", ADMINS_ONLY)
    await client.send(
        "DELETE", f"/partnerships/{place.id}/service-tokens/{token_id}", token=place.token
    )
    return redirect(request, f"/p/{place.id}/service-tokens?revoked=1")
