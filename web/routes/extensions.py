"""Extensions: the business unit gives one agency longer than the programme's deadline, from
the return's page, or withdraws it. Whether the viewer may, and until when, is the API's
answer (`allowed` has "extend"); the page only offers the form when it says so."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
from web.pages import MAX_ID, redirect
from web.routes.returns import render_return

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
LABELS = {"due_on": "New due date", "reason": "Reason"}
FIELDS = ["due_on", "reason", "version"]
STALE = (
    "Someone changed this return while you were looking at it, so nothing was saved. "
    "Its due date is shown below as it now stands: check it, then send the form again."
)


async def _send(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    method: str,
    values: dict[str, str],
    body: Any = None,
) -> Response:
    """PUT or DELETE the extension, made against the version of the return the page showed;
    then back to the return with a confirmation, or its page with the form's errors and
    what was typed (for htmx, the extension's section alone)."""
    version = values["version"] if values["version"].isdigit() else "0"
    try:
        await client.send(
            method,
            f"/partnerships/{place.id}/returns/{return_id}/extension",
            token=place.token,
            json=body,
            if_match=f'"{version}"',
        )
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        form = {"values": values, "errors": _errors(exc)}
        return await render_return(
            request, place, client, return_id, extension=form, block="extension", status=exc.status
        )
    done = "granted" if method == "PUT" else "withdrawn"
    return redirect(request, f"/p/{place.id}/returns/{return_id}?extension={done}#extension")


def _errors(exc: ApiError) -> dict[str, str]:
    """The form's errors: by field for a 422; the whole form's for a stale page or a 409."""
    if exc.status == 412:
        return {"form": STALE}
    if exc.status == 409:
        return {"form": exc.detail}
    return field_errors(exc, LABELS)


@router.post("/p/{partnership_id}/returns/{return_id}/extension")
async def grant_extension(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """Grant or change the agency's extension: the new due date and the reason for it."""
    values = form_values(await request.form(), FIELDS)
    body = {"due_on": values["due_on"] or None, "reason": values["reason"]}
    return await _send(request, place, client, return_id, "PUT", values, body)


@router.post("/p/{partnership_id}/returns/{return_id}/extension/withdraw")
async def withdraw_extension(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """Withdraw it: the return is due by the programme's deadline again."""
    values = form_values(await request.form(), ["version"])
    return await _send(request, place, client, return_id, "DELETE", values)
