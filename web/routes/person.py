"""One person of a partnership: their roles (given and taken away), and deactivating or
reactivating them here, each change confirmed on a page of its own (no JavaScript)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import ROLE_LABELS
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
from web.pages import MAX_ID, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {"role": "Role", "agency_id": "Agency"}


async def _person(client: ApiClient, place: Place, user_id: int) -> dict[str, Any]:
    return dict(await client.get(f"/partnerships/{place.id}/users/{user_id}", token=place.token))


async def _person_page(
    request: Request,
    place: Place,
    client: ApiClient,
    user_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    person = await _person(client, place, user_id)
    manages = place.may("manage_people")
    grantable = place.partnership.get("grantable_roles", []) if manages else []
    agencies: list[dict[str, Any]] = []
    if grantable:
        found = await client.get(f"/partnerships/{place.id}/agencies", token=place.token, limit=100)
        agencies = found["items"]
    return render(
        request,
        "people/person.html",
        place.context(
            person=person,
            manages=manages,
            grantable=[(r, ROLE_LABELS.get(r, r)) for r in grantable],
            agencies=agencies,
            values=values or {"role": "", "agency_id": ""},
            errors=errors or {},
            labels=LABELS,
            done=request.query_params.get("done", ""),
        ),
        status=status,
    )


@router.get("/p/{partnership_id}/people/{user_id}")
async def person_page(
    request: Request, place: InPartnership, client: Api, user_id: RecordId
) -> Response:
    place.require("read_people", "Only those who oversee the partnership see its people.")
    return await _person_page(request, place, client, user_id)


@router.post("/p/{partnership_id}/people/{user_id}/roles")
async def add_role(
    request: Request, place: InPartnership, client: Api, user_id: RecordId
) -> Response:
    form = await request.form()
    values = form_values(form, ["role", "agency_id"])
    body: dict[str, Any] = {"role": values["role"] or None}
    if values["agency_id"]:
        body["agency_id"] = values["agency_id"]
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/users/{user_id}/roles", token=place.token, json=body
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        errors = field_errors(exc, LABELS) if exc.status == 422 else {"form": exc.detail}
        return await _person_page(
            request, place, client, user_id, values=values, errors=errors,
            status=422 if exc.status == 422 else 409,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/people/{user_id}?done=role-added")


def _confirm(
    request: Request, place: Place, person: dict[str, Any], *, action: str, heading: str,
    lead: str, button: str, fields: dict[str, str] | None = None, error: str = "",
    status: int = 200,
) -> Response:  # fmt: skip
    return render(
        request,
        "people/confirm.html",
        place.context(
            person=person,
            action=action,
            heading=heading,
            lead=lead,
            button=button,
            fields=fields or {},
            errors={"form": error} if error else {},
        ),  # fmt: skip
        status=status,
    )


def _role_of(person: dict[str, Any], membership_id: int) -> dict[str, Any] | None:
    return next((r for r in person["roles"] if r["membership_id"] == membership_id), None)


def _role_text(role: dict[str, Any]) -> str:
    at = f" at {role['agency_name']}" if role["agency_name"] else ""
    return f"{role['role_label']}{at}"


@router.get("/p/{partnership_id}/people/{user_id}/roles/{membership_id}/remove")
async def confirm_remove_role(
    request: Request, place: InPartnership, client: Api, user_id: RecordId,
    membership_id: RecordId,
) -> Response:  # fmt: skip
    person = await _person(client, place, user_id)
    role = _role_of(person, membership_id)
    if role is None:
        return redirect(request, f"/p/{place.id}/people/{user_id}")
    return _confirm(
        request, place, person,
        action=f"/p/{place.id}/people/{user_id}/roles/{membership_id}/remove",
        heading=f"Take away {person['name']}'s role?",
        lead=f"{person['name']} will no longer be {_role_text(role)}.",
        button="Take the role away",
    )  # fmt: skip


@router.post("/p/{partnership_id}/people/{user_id}/roles/{membership_id}/remove")
async def remove_role(
    request: Request, place: InPartnership, client: Api, user_id: RecordId,
    membership_id: RecordId,
) -> Response:  # fmt: skip
    try:
        await client.send(
            "DELETE", f"/partnerships/{place.id}/roles/{membership_id}", token=place.token
        )
    except ApiError as exc:
        if exc.status not in (403, 409):
            raise
        person = await _person(client, place, user_id)
        role = _role_of(person, membership_id)
        return _confirm(
            request, place, person,
            action=f"/p/{place.id}/people/{user_id}/roles/{membership_id}/remove",
            heading=f"Take away {person['name']}'s role?",
            lead=f"{person['name']} will no longer be {_role_text(role)}." if role else "",
            button="Take the role away", error=exc.detail, status=409,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/people/{user_id}?done=role-removed")


ACTIVATION = {
    "deactivate": (
        "Deactivate {name} here?",
        "{name} will at once lose access to this partnership and stop getting its emails. "
        "Their roles are kept, and come back if they are reactivated. Their other "
        "partnerships are not affected.",
        "Deactivate",
    ),
    "reactivate": (
        "Reactivate {name} here?",
        "{name} will again have the roles they hold in this partnership.",
        "Reactivate",
    ),
}


@router.get("/p/{partnership_id}/people/{user_id}/{change}")
async def confirm_activation(
    request: Request, place: InPartnership, client: Api, user_id: RecordId, change: str
) -> Response:
    if change not in ACTIVATION:
        return redirect(request, f"/p/{place.id}/people/{user_id}")
    person = await _person(client, place, user_id)
    heading, lead, button = ACTIVATION[change]
    return _confirm(
        request, place, person, action=f"/p/{place.id}/people/{user_id}/{change}",
        heading=heading.format(name=person["name"]), lead=lead.format(name=person["name"]),
        button=button,
    )  # fmt: skip


@router.post("/p/{partnership_id}/people/{user_id}/{change}")
async def change_activation(
    request: Request, place: InPartnership, client: Api, user_id: RecordId, change: str
) -> Response:
    if change not in ACTIVATION:
        return redirect(request, f"/p/{place.id}/people/{user_id}")
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/users/{user_id}/{change}", token=place.token
        )
    except ApiError as exc:
        if exc.status not in (403, 409):
            raise
        person = await _person(client, place, user_id)
        heading, lead, button = ACTIVATION[change]
        return _confirm(
            request, place, person, action=f"/p/{place.id}/people/{user_id}/{change}",
            heading=heading.format(name=person["name"]), lead=lead.format(name=person["name"]),
            button=button, error=exc.detail, status=409,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/people/{user_id}?done={change}d")
