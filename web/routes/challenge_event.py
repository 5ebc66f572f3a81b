"""One challenge event: its summary and sessions; for those who run it, the picker of agencies
to invite (with their returns' self and moderated ratings), withdrawing an invitation and
cancelling the event; and its printable report."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import EVENT_LABELS, HELD, OUTCOME_LABELS, RETURN_LABELS, SESSION_LABELS
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values, refused_status
from web.pages import MAX_ID, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
EVENT = "/p/{partnership_id}/challenge-events/{event_id}"
LABELS = {
    "session": SESSION_LABELS,
    "event": EVENT_LABELS,
    "held": HELD,
    "outcome": OUTCOME_LABELS,
    "return": RETURN_LABELS,
}
REASON_NEEDED = "Enter why the panel wants to meet this agency"


def _counted(ratings: list[str | None], verb: str) -> str:
    """ "self-rated met everywhere", or "self-rated met on 8, partially met on 2"."""
    given = [r for r in ratings if r]
    if not given:
        return f"not {verb}"
    counts: dict[str, int] = {}
    for r in given:
        counts[r] = counts.get(r, 0) + 1
    if len(counts) == 1 and len(given) == len(ratings):
        return f"{verb} {given[0].replace('_', ' ')} everywhere"
    parts = [f"{level.replace('_', ' ')} on {n}" for level, n in counts.items()]
    if len(given) < len(ratings):
        parts.append(f"not on {len(ratings) - len(given)}")
    return f"{verb} " + ", ".join(parts)


def rating_summary(candidate: dict[str, Any]) -> str:
    """The candidate's ratings in one line, for those who do not read the table."""
    standards = candidate["standards"]
    if not standards:
        return "No standards to rate."
    own = _counted([s["self_rating"] for s in standards], "self-rated")
    moderated = _counted([s["moderated"] for s in standards], "moderated")
    return f"{own}; {moderated}".capitalize()


async def load_event(client: ApiClient, place: Place, event_id: int) -> dict[str, Any]:
    found: dict[str, Any] = await client.get(
        f"/partnerships/{place.id}/challenge-events/{event_id}", token=place.token
    )
    return found


async def render_event(
    request: Request,
    place: Place,
    client: ApiClient,
    event_id: int,
    *,
    errors: dict[str, str] | None = None,
    reasons: dict[int, str] | None = None,
    cancel_reason: str = "",
    status: int = 200,
) -> Response:
    """The event page; `errors` and `reasons` keep a form that was refused, as typed."""
    event = await load_event(client, place, event_id)
    candidates = None
    if "invite" in event["allowed"]:
        found = await client.get(
            f"/partnerships/{place.id}/challenge-events/{event_id}/candidates", token=place.token
        )
        candidates = found["items"]
        for c in candidates:
            c["summary"] = rating_summary(c)
            c["rated"] = any(s["self_rating"] or s["moderated"] for s in c["standards"])
    return render(
        request,
        "challenge/event.html",
        place.context(
            event=event, allowed=set(event["allowed"]), candidates=candidates,
            errors=errors or {}, reasons=reasons or {}, cancel_reason=cancel_reason,
            done=request.query_params.get("done", ""), labels=LABELS,
        ),
        status=status,
    )  # fmt: skip


@router.get(EVENT)
async def event_page(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    return await render_event(request, place, client, event_id)


@router.post(EVENT + "/invitations")
async def invite(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    """Invite one agency from the picker, with the panel's reason."""
    values = form_values(await request.form(), ["agency_id", "reason"])
    agency = int(values["agency_id"]) if values["agency_id"].isdigit() else 0
    key = f"reason-{agency}"
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/challenge-events/{event_id}/invitations",
            token=place.token, json={"agency_id": agency or None, "reason": values["reason"]},
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        message = exc.detail
        if exc.status == 422:
            problems = field_errors(exc, {"reason": "Reason", "agency_id": "Agency"})
            message = REASON_NEEDED if "reason" in problems else next(iter(problems.values()))
        return await render_event(
            request, place, client, event_id, errors={key: message},
            reasons={agency: values["reason"]}, status=refused_status(exc),
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/challenge-events/{event_id}?done=invited#picker")


@router.post(EVENT + "/invitations/{session_id}/withdraw")
async def withdraw(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """Withdraw an invitation; once the panel has started on it, the API refuses (409)."""
    try:
        await client.send(
            "DELETE",
            f"/partnerships/{place.id}/challenge-events/{event_id}/invitations/{session_id}",
            token=place.token,
        )
    except ApiError as exc:
        if exc.status != 409:
            raise
        errors = {f"withdraw-{session_id}": exc.detail}
        return await render_event(request, place, client, event_id, errors=errors, status=409)
    return redirect(request, f"/p/{place.id}/challenge-events/{event_id}?done=withdrawn#picker")


@router.post(EVENT + "/cancel")
async def cancel(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    """Cancel the event, saying why."""
    values = form_values(await request.form(), ["reason", "version"])
    version = values["version"] if values["version"].isdigit() else "0"
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/challenge-events/{event_id}/cancel",
            token=place.token, json={"reason": values["reason"]}, if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        errors = {"cancel_reason": "Enter why the event is cancelled"}
        if exc.status == 412:
            errors = {"cancel_reason": "The event changed after you opened this page. "
                      "Check it below, then cancel it again."}  # fmt: skip
        elif exc.status == 409:
            errors = {"cancel_reason": exc.detail}
        return await render_event(
            request,
            place,
            client,
            event_id,
            errors=errors,
            cancel_reason=values["reason"],
            status=refused_status(exc),
        )
    return redirect(request, f"/p/{place.id}/challenge-events/{event_id}?done=cancelled")


@router.get(EVENT + "/report")
async def report(
    request: Request, place: InPartnership, client: Api, event_id: RecordId
) -> Response:
    """The event's report, to print: the event and every session it shows, in one call."""
    found = await client.get(
        f"/partnerships/{place.id}/challenge-events/{event_id}/report", token=place.token
    )
    event, sessions = found["event"], found["sessions"]
    return render(
        request,
        "challenge/report.html",
        place.context(event=event, sessions=sessions, labels=LABELS),
    )
