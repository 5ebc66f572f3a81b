"""Invitations by email: the admin's form and list on the people page, and the page an
invitation's link opens, where the person accepts (with a new account or their own)."""

import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import AGENCY_ROLES, ROLE_LABELS
from web.deps import Api, InPartnership, Place, web_session
from web.forms import field_errors, refused_status
from web.pages import MAX_ID, pager, redirect, render

router = APIRouter()
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]

# The roles an admin may offer, as the API names them (labels as it gives them).
INVITE_LABELS = {"name": "Name", "email": "Email address", "role": "Role", "agency_id": "Agency"}
NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the page's address holds the token


def _grantable(place: Place) -> dict[str, str]:
    """The roles the viewer may give here (the API says which), as they read."""
    return {r: ROLE_LABELS.get(r, r) for r in place.partnership.get("grantable_roles", [])}


async def invitation_context(client: ApiClient, place: Place) -> dict[str, Any]:
    """What the people page shows an admin: the form's choices and the open invitations."""
    if not place.may("manage_people"):
        return {"may_invite": False}
    listed = await client.get(f"/partnerships/{place.id}/invitations", token=place.token, limit=100)
    agencies = await client.get(f"/partnerships/{place.id}/agencies", token=place.token, limit=100)
    return {
        "may_invite": True,
        "invitations": [i for i in listed["items"] if i["state"] in ("pending", "expired")],
        "agencies": agencies["items"],
        "roles": _grantable(place),
        "agency_roles": AGENCY_ROLES,
    }


async def _people_page(
    request: Request,
    client: ApiClient,
    place: Place,
    *,
    errors: dict[str, str],
    values: dict[str, str],
    status: int,
) -> Response:
    result = await client.get(f"/partnerships/{place.id}/users", token=place.token, limit=20)
    context = place.context(
        people=result["items"],
        pages=pager(request, result),
        q="",
        errors=errors,
        values=values,
        labels=INVITE_LABELS,
        **await invitation_context(client, place),
    )
    return render(request, "people/list.html", context, status=status)


@router.post("/p/{partnership_id}/invitations")
async def invite(
    request: Request,
    place: InPartnership,
    client: Api,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=50)] = "",
    agency_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    place.require("manage_people", "Only those who manage people may invite someone.")
    values = {"name": name.strip(), "email": email.strip(), "role": role, "agency_id": agency_id}
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter their name"
    if not values["email"]:
        errors["email"] = "Enter their email address"
    if role not in _grantable(place):
        errors["role"] = "Choose a role"
    elif role in AGENCY_ROLES and not agency_id.isdigit():
        errors["agency_id"] = "Choose the agency they work for"
    if not errors:
        grant: dict[str, Any] = {"role": role}
        if role in AGENCY_ROLES:
            grant["agency_id"] = int(agency_id)
        body = {"name": values["name"], "email": values["email"], "roles": [grant]}
        try:
            await client.send(
                "POST", f"/partnerships/{place.id}/invitations", token=place.token, json=body
            )
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = (
                {"email": exc.detail} if exc.status == 409 else field_errors(exc, INVITE_LABELS)
            )
            if "roles" in errors:
                errors["agency_id" if role in AGENCY_ROLES else "role"] = errors.pop("roles")
            return await _people_page(
                request, client, place, errors=errors, values=values, status=refused_status(exc)
            )
        query = urlencode({"invited": values["email"]})
        return redirect(request, f"/p/{place.id}/people?{query}#invitations")
    return await _people_page(request, client, place, errors=errors, values=values, status=422)


@router.post("/p/{partnership_id}/invitations/{invitation_id}/resend")
async def resend(
    request: Request, place: InPartnership, client: Api, invitation_id: int
) -> Response:
    path = f"/partnerships/{place.id}/invitations/{invitation_id}/resend"
    sent = await client.send("POST", path, token=place.token)
    query = urlencode({"resent": sent["email"]})
    return redirect(request, f"/p/{place.id}/people?{query}#invitations")


@router.post("/p/{partnership_id}/invitations/{invitation_id}/revoke")
async def revoke(
    request: Request, place: InPartnership, client: Api, invitation_id: int
) -> Response:
    path = f"/partnerships/{place.id}/invitations/{invitation_id}"
    await client.send("DELETE", path, token=place.token)
    return redirect(request, f"/p/{place.id}/people?revoked=1#invitations")


# ---------------------------------------------------------------------------------------
# The page the emailed link opens: nobody needs to be signed in to see it.


async def _offer(client: ApiClient, token: str) -> tuple[dict[str, Any] | None, ApiError | None]:
    try:
        response = await client.request(
            "POST", "/invitations/lookup", token=None, json={"token": token}
        )
    except ApiError as exc:
        if exc.status in (404, 409, 422):
            return None, exc
        raise
    return response.json(), None


async def _signed_in_email(request: Request, client: ApiClient) -> str | None:
    session = web_session(request)
    if not session.token:
        return None
    try:
        me = await client.get("/me", token=session.token)
    except ApiError as exc:
        if exc.status == 401:
            return None
        raise
    return me.get("email")


async def _invitation_page(
    request: Request,
    client: ApiClient,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    offer, refused = await _offer(client, token)
    if offer is None:
        assert refused is not None
        closed = refused.status == 409
        shown = {
            "me": None,
            "invalid": refused.detail
            if closed
            else "This invitation link is not valid. Use the link in the latest invitation "
            "email, or ask the person who invited you to send it again.",
        }
        return render(
            request,
            "invitations/accept.html",
            shown,
            status=409 if closed else 404,
            headers=NO_REFERRER,
        )
    here = "/invitation?" + urlencode({"token": token})
    context: dict[str, Any] = {
        "me": None,
        "offer": offer,
        "token": token,
        "signed_in_as": await _signed_in_email(request, client),
        "sign_in_url": "/sign-in?next=" + quote(here, safe=""),
        "errors": errors or {},
        "values": values or {"name": offer["name"]},
    }
    return render(request, "invitations/accept.html", context, status=status, headers=NO_REFERRER)


@router.get("/invitation")
async def invitation_page(
    request: Request, client: Api, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    return await _invitation_page(request, client, token)


@router.post("/invitation")
async def accept(
    request: Request,
    client: Api,
    token: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=200)] = "",
    existing: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Accept: a new person with a name and a password, or someone signed in as the email."""
    session = web_session(request)
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"token": token}
    if not existing:
        if not name.strip():
            errors["name"] = "Enter your name"
        if len(password) < 10:
            errors["password"] = "Choose a password of 10 characters or more"
        elif password != confirm:
            errors["confirm"] = "The two passwords are not the same"
        body |= {"name": name.strip(), "password": password}
    if errors:
        return await _invitation_page(
            request, client, token, errors=errors, values={"name": name}, status=422
        )
    try:
        response = await client.request(
            "POST",
            "/invitations/accept",
            token=session.token if existing else None,
            json=body,
        )
    except ApiError as exc:
        if exc.status in (401, 403):
            return await _invitation_page(
                request, client, token, errors={"form": exc.detail}, status=exc.status
            )
        if exc.status == 422:
            errors = field_errors(exc, {"name": "Your name", "password": "Password"})
            return await _invitation_page(
                request, client, token, errors=errors, values={"name": name}, status=422
            )
        if exc.status in (404, 409):
            return await _invitation_page(request, client, token, status=exc.status)
        raise
    accepted = response.json()
    if accepted.get("access_token"):
        session.token = accepted["access_token"]
        session.csrf = secrets.token_urlsafe(24)  # a new session gets a new CSRF token
    return redirect(request, f"/p/{accepted['partnership_id']}?joined=1")
