"""A session's lines of enquiry on its page: the panel drafts, changes and deletes them,
the chair publishes them (one, or every draft at once), and the invited agency answers
each one (a plain form, or saved as they type with htmx). Each form is shown only when the
session's `allowed` says so; the API decides."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, PageNotFound, Place
from web.forms import field_errors, form_values, refused_status
from web.pages import MAX_ID, is_htmx, redirect, render
from web.routes.challenge_sessions import (
    SESSION,
    blank_enquiry_forms,
    render_session,
    session_enquiries,
)

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
ENQUIRIES = SESSION + "/enquiries"
STALE_DRAFT = (
    "Someone changed this line of enquiry after you opened the page, so nothing was saved. "
    "It is shown as it now stands."
)
STALE_ANSWER = (
    "Someone else answered this after you opened the page: their answer is shown above. "
    "Yours is still in the box, not saved: save it again (or type on) to replace theirs."
)
STALE_PUBLISH = (
    "A draft changed after you opened the page, so nothing was published. Check the drafts "
    "as they now stand, then publish again."
)


def _session_api(place: Place, event_id: int, session_id: int) -> str:
    return f"/partnerships/{place.id}/challenge-events/{event_id}/sessions/{session_id}"


def _api(place: Place, event_id: int, session_id: int) -> str:
    return _session_api(place, event_id, session_id) + "/enquiries"


def _page(place: Place, event_id: int, session_id: int) -> str:
    return f"/p/{place.id}/challenge-events/{event_id}/sessions/{session_id}"


def _version(value: str) -> str:
    return f'"{value}"' if value.isdigit() else '"0"'


def _drafted(form: Any, suffix: str = "") -> dict[str, Any]:
    """A draft's question and standards as typed; `suffix` names a draft being changed."""
    ids = [str(v) for v in form.getlist(f"standard_ids{suffix}")]
    return {
        "question": form_values(form, [f"question{suffix}"])[f"question{suffix}"],
        "standard_ids": [int(v) for v in ids if v.isdigit() and 0 < int(v) <= MAX_ID],
    }


def _draft_errors(exc: ApiError, key: str) -> dict[str, str]:
    """The API's problem with a draft, said against its question field."""
    found = field_errors(exc, {"question": "The question", "standard_ids": "Standards"})
    return {key: found.get("question") or found.get("standard_ids") or found["form"]}


@router.post(ENQUIRIES)
async def draft(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """A panel member drafts a line of enquiry; only the chair's publishing shows it."""
    typed = _drafted(await request.form())
    try:
        await client.send("POST", _api(place, event_id, session_id), token=place.token,
                          json=typed)  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        errors = _draft_errors(exc, "question") if exc.status == 422 else {"form": exc.detail}
        return await render_session(request, place, client, event_id, session_id,
                                    enquiry={"draft": typed, "errors": errors},
                                    status=refused_status(exc))  # fmt: skip
    return redirect(request, f"{_page(place, event_id, session_id)}?done=drafted#enquiries")


@router.post(SESSION + "/publish-enquiries")
async def publish_all(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """The chair publishes every draft the page showed, each at the version it showed."""
    form = await request.form()
    named = [str(v).split(":") for v in form.getlist("draft")]
    body = [{"id": int(i), "version": int(v)} for i, v in (p for p in named if len(p) == 2)
            if i.isdigit() and v.isdigit()]  # fmt: skip
    try:
        await client.send("POST", _session_api(place, event_id, session_id) + "/publish-enquiries",
                          token=place.token, json={"enquiries": body})  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        message = {412: STALE_PUBLISH, 422: "There are no drafts to publish."}.get(
            exc.status, exc.detail
        )
        return await render_session(request, place, client, event_id, session_id,
                                    enquiry={"errors": {"publish-all": message}},
                                    status=refused_status(exc))  # fmt: skip
    return redirect(request, f"{_page(place, event_id, session_id)}?done=published#enquiries")


async def _one_draft(
    request: Request, place: Place, client: ApiClient, event_id: int, session_id: int,
    enquiry_id: int, method: str, tail: str, done: str,
) -> Response:  # fmt: skip
    """Change, delete or publish one draft against the version the page showed."""
    form = await request.form()
    suffix = f"-{enquiry_id}"
    typed = _drafted(form, suffix)
    version = form_values(form, ["version"])["version"]
    try:
        await client.send(
            method, f"{_api(place, event_id, session_id)}/{enquiry_id}{tail}", token=place.token,
            json=typed if method == "PATCH" else None, if_match=_version(version),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        key = f"question{suffix}"
        errors = (
            _draft_errors(exc, key) if exc.status == 422 else
            {key: STALE_DRAFT if exc.status == 412 else exc.detail}
        )  # fmt: skip
        edits = {enquiry_id: typed} if method == "PATCH" and exc.status == 422 else {}
        return await render_session(request, place, client, event_id, session_id,
                                    enquiry={"edits": edits, "errors": errors},
                                    status=refused_status(exc))  # fmt: skip
    return redirect(request, f"{_page(place, event_id, session_id)}?done={done}#enquiries")


@router.post(ENQUIRIES + "/{enquiry_id}")
async def change(
    request: Request,
    place: InPartnership,
    client: Api,
    event_id: RecordId,
    session_id: RecordId,
    enquiry_id: RecordId,
) -> Response:
    """Change a draft's question or standards."""
    return await _one_draft(request, place, client, event_id, session_id, enquiry_id,
                            "PATCH", "", "changed")  # fmt: skip


@router.post(ENQUIRIES + "/{enquiry_id}/delete")
async def delete(
    request: Request,
    place: InPartnership,
    client: Api,
    event_id: RecordId,
    session_id: RecordId,
    enquiry_id: RecordId,
) -> Response:
    """Delete a draft."""
    return await _one_draft(request, place, client, event_id, session_id, enquiry_id,
                            "DELETE", "", "deleted")  # fmt: skip


@router.post(ENQUIRIES + "/{enquiry_id}/publish")
async def publish(
    request: Request,
    place: InPartnership,
    client: Api,
    event_id: RecordId,
    session_id: RecordId,
    enquiry_id: RecordId,
) -> Response:
    """The chair publishes one draft to the agency."""
    return await _one_draft(request, place, client, event_id, session_id, enquiry_id,
                            "POST", "/publish", "published")  # fmt: skip


@router.post(ENQUIRIES + "/{enquiry_id}/answer")
async def answer(
    request: Request,
    place: InPartnership,
    client: Api,
    event_id: RecordId,
    session_id: RecordId,
    enquiry_id: RecordId,
) -> Response:
    """The agency's answer, against the answer's version the page showed ("0" for a first):
    with htmx, the enquiry's block again saying "Saved"; a stale answer shows the one now
    saved beside what was typed, which is kept."""
    values = form_values(await request.form(), ["answer", "answer_version"])
    state: dict[str, Any] | None = None
    try:
        await client.send(
            "PUT", f"{_api(place, event_id, session_id)}/{enquiry_id}/answer",
            token=place.token, json={"answer": values["answer"]},
            if_match=_version(values["answer_version"]),
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        current = exc.problem.get("current") or {}
        if exc.status == 412 and current.get("answer") == values["answer"]:
            return await _answered(request, place, client, event_id, session_id, enquiry_id, None)
        message = {412: STALE_ANSWER, 422: "Enter your answer"}.get(exc.status, exc.detail)
        state = {"answer": values["answer"], "stale": exc.status == 412, "error": message,
                 "status": refused_status(exc)}  # fmt: skip
    return await _answered(request, place, client, event_id, session_id, enquiry_id, state)


async def _answered(
    request: Request, place: Place, client: ApiClient, event_id: int, session_id: int,
    enquiry_id: int, state: dict[str, Any] | None,
) -> Response:  # fmt: skip
    """After an answer was sent: the session page again (without JavaScript), or for htmx
    the enquiry's block, saying "Saved" or, with `state`, why not."""
    if not is_htmx(request):
        if state is None:
            return redirect(
                request, f"{_page(place, event_id, session_id)}?done=answered#enquiry-{enquiry_id}"
            )
        return await render_session(request, place, client, event_id, session_id,
                                    enquiry={"answers": {enquiry_id: state},
                                             "errors": {f"answer-{enquiry_id}": state["error"]}},
                                    status=state["status"])  # fmt: skip
    found = await client.get(
        f"/partnerships/{place.id}/challenge-events/{event_id}/sessions/{session_id}",
        token=place.token,
    )
    q = next((q for q in session_enquiries(found) if q["id"] == enquiry_id),
             None)  # fmt: skip
    if q is None:
        raise PageNotFound
    return render(
        request, "challenge/_enquiry.html",
        place.context(s=found, allowed=set(found["allowed"]), q=q, typed=state,
                      enquiry=blank_enquiry_forms(),
                      just_saved=state is None, base=_page(place, event_id, session_id)),
        status=state["status"] if state else 200,
    )  # fmt: skip
