"""One agency's session at a challenge event: the triangulation of self, moderated and panel
scores; the panel's scoring grid (one form without JavaScript, each standard saved in place
with htmx); the chair's outcome and follow-ups, and reopening. Each control is shown only
when the session's `allowed` says so."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import OUTCOME_LABELS
from web.deps import Api, InPartnership, PageNotFound, Place
from web.forms import field_errors, form_values, refused_status
from web.pages import MAX_ID, is_htmx, redirect, render
from web.routes.challenge_event import LABELS, load_event

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
SESSION = "/p/{partnership_id}/challenge-events/{event_id}/sessions/{session_id}"
FOLLOW_UP_ROWS = 3
FOLLOW_UP_FIELDS = {"description": "what is to be done", "owner": "owner", "due_on": "due date"}
STALE_SCORE = (
    "You scored this standard elsewhere after this page was loaded. The score now saved is "
    "shown: choose again to replace it."
)
STALE_SESSION = (
    "The session changed after you opened this page, so nothing was saved. It is shown as "
    "it now stands: check it, then send the form again."
)


def _api_path(place: Place, event_id: int, session_id: int) -> str:
    return f"/partnerships/{place.id}/challenge-events/{event_id}/sessions/{session_id}"


def _page_path(place: Place, event_id: int, session_id: int) -> str:
    return f"/p/{place.id}/challenge-events/{event_id}/sessions/{session_id}"


async def _load(
    client: ApiClient, place: Place, event_id: int, session_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    event = await load_event(client, place, event_id)
    found = await client.get(_api_path(place, event_id, session_id), token=place.token)
    return event, found


def _context(place: Place, event: dict[str, Any], found: dict[str, Any], **extra: Any) -> Any:
    return place.context(
        event=event, s=found, allowed=set(found["allowed"]), labels=LABELS,
        levels={level["code"]: level for level in found["scale"]}, **extra,
    )  # fmt: skip


def blank_enquiry_forms() -> dict[str, Any]:
    """The lines of enquiry's forms as first shown: a blank draft, nothing typed."""
    return {"draft": {"question": "", "standard_ids": []}, "edits": {}, "answers": {},
            "errors": {}}  # fmt: skip


def session_enquiries(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's lines of enquiry as the API shows them to the viewer (drafts only to
    those who may draft), each with its standards' codes where the viewer sees them."""
    codes = {row["standard_id"]: row["code"] for row in found["standards"]}
    items: list[dict[str, Any]] = found["enquiries"]
    for q in items:
        q["codes"] = [codes[sid] for sid in q["standard_ids"] if sid in codes]
    return items


def _blank_close() -> dict[str, Any]:
    rows = [{"description": "", "owner": "", "due_on": "", "to_executive": False}
            for _ in range(FOLLOW_UP_ROWS)]  # fmt: skip
    return {"values": {"outcome": "", "summary": ""}, "rows": rows, "errors": {}}


async def render_session(
    request: Request,
    place: Place,
    client: ApiClient,
    event_id: int,
    session_id: int,
    *,
    failures: dict[int, dict[str, Any]] | None = None,
    close: dict[str, Any] | None = None,
    reopen: dict[str, Any] | None = None,
    enquiry: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The session page; `failures` (by standard), `close`, `reopen` and `enquiry` (the
    lines of enquiry's forms) keep forms that were refused, as typed, with why."""
    event, found = await _load(client, place, event_id, session_id)
    close, reopen = close or _blank_close(), reopen or {"reason": "", "errors": {}}
    enquiry = {**blank_enquiry_forms(), **(enquiry or {})}
    errors = {f"level-{sid}": f["problem"] for sid, f in (failures or {}).items()}
    return render(
        request,
        "challenge/session.html",
        _context(
            place, event, found, failures=failures or {}, close=close, reopen=reopen,
            enquiries=session_enquiries(found), enquiry=enquiry,
            errors={**errors, **close["errors"], **reopen["errors"], **enquiry["errors"]},
            outcome_labels=OUTCOME_LABELS, done=request.query_params.get("done", ""),
        ),
        status=status,
    )  # fmt: skip


@router.get(SESSION)
async def session_page(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    return await render_session(request, place, client, event_id, session_id)


def _typed(form: Any, standard_id: int) -> dict[str, str]:
    names = ["level", "comment", "version", "was-level", "was-comment"]
    typed = form_values(form, [f"{n}-{standard_id}" for n in names])
    return {n: typed[f"{n}-{standard_id}"] for n in names}


async def _save(
    client: ApiClient, place: Place, event_id: int, session_id: int, row: dict[str, Any],
    typed: dict[str, str],
) -> dict[str, Any] | None:  # fmt: skip
    """PUT one standard's score against the version the page showed; None when saved, or
    what went wrong, with the typed values to show again (none when the saved one wins)."""
    version = typed["version"] if typed["version"].isdigit() else "0"
    try:
        await client.send(
            "PUT", f"{_api_path(place, event_id, session_id)}/scores/{row['standard_id']}",
            token=place.token, json={"level": typed["level"], "comment": typed["comment"]},
            if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status == 412:
            return {"problem": STALE_SCORE, "values": None, "status": 409}
        if exc.status == 409:
            return {"problem": exc.detail, "values": typed, "status": 409}
        if exc.status != 422:
            raise
        problems = field_errors(exc, {"level": "Score", "comment": "Comment"})
        problem = problems.get("comment") or f"Choose a score for standard {row['code']}"
        return {"problem": problem, "values": typed, "status": 422}
    return None


@router.post(SESSION + "/scores")
async def save_grid(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """Without JavaScript: the whole grid, one PUT per standard whose score or comment changed."""
    form = await request.form()
    _, found = await _load(client, place, event_id, session_id)
    failures: dict[int, dict[str, Any]] = {}
    changed = 0
    for row in found["standards"]:
        typed = _typed(form, row["standard_id"])
        if (typed["level"], typed["comment"]) == (typed["was-level"], typed["was-comment"]):
            continue
        changed += 1
        failure = await _save(client, place, event_id, session_id, row, typed)
        if failure:
            failures[row["standard_id"]] = failure
    if failures:
        status = max(f["status"] for f in failures.values())
        return await render_session(request, place, client, event_id, session_id,
                                    failures=failures, status=status)  # fmt: skip
    done = "scored" if changed else "unchanged"
    return redirect(request, f"{_page_path(place, event_id, session_id)}?done={done}#scores")


@router.post(SESSION + "/scores/{standard_id}")
async def save_one(
    request: Request,
    place: InPartnership,
    client: Api,
    event_id: RecordId,
    session_id: RecordId,
    standard_id: RecordId,
) -> Response:
    """One standard's score: for htmx, its row again with the panel's combined score now."""
    typed = _typed(await request.form(), standard_id)
    event, found = await _load(client, place, event_id, session_id)
    row = next((r for r in found["standards"] if r["standard_id"] == standard_id), None)
    if row is None:
        raise PageNotFound
    failure = await _save(client, place, event_id, session_id, row, typed)
    if not is_htmx(request):
        if failure:
            return await render_session(request, place, client, event_id, session_id,
                                        failures={standard_id: failure},
                                        status=failure["status"])  # fmt: skip
        return redirect(request, f"{_page_path(place, event_id, session_id)}?done=scored#scores")
    event, found = await _load(client, place, event_id, session_id)
    row = next(r for r in found["standards"] if r["standard_id"] == standard_id)
    return render(
        request,
        "challenge/_score.html",
        _context(
            place,
            event,
            found,
            row=row,
            failure=failure,
            just_saved=failure is None,
            swap_triangulation=True,
        ),
        status=failure["status"] if failure else 200,
    )


def _close_errors(exc: ApiError, sent_rows: list[int]) -> dict[str, str]:
    """The API's problems by page field: `outcome`, `summary`, `fu-{row}-{field}`, `form`.
    The API names follow-ups by their place among those sent, `sent_rows` by their row."""
    labels = {"outcome": "Outcome", "summary": "Summary"}
    errors = []
    for e in exc.problem.get("errors") or []:
        parts = str(e.get("field", "")).split(".")
        if (
            parts[0] == "follow_ups"
            and len(parts) > 2
            and parts[1].isdigit()
            and int(parts[1]) < len(sent_rows)
            and parts[2] in FOLLOW_UP_FIELDS
        ):
            row = sent_rows[int(parts[1])]
            name = f"fu-{row}-{parts[2]}"
            labels[name] = f"The {FOLLOW_UP_FIELDS[parts[2]]} of follow-up {row + 1}"
            e = {**e, "field": name}
        errors.append(e)
    found = field_errors(ApiError(exc.status, {**exc.problem, "errors": errors}), labels)
    if "outcome" in found:
        found["outcome"] = "Choose the outcome of the session"
    return found


@router.post(SESSION + "/close")
async def close_session(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """The chair's outcome, summary and follow-ups (blank rows are left out); it closes the
    session and locks its scores."""
    form = await request.form()
    values = form_values(form, ["outcome", "summary", "version"])
    rows = []
    for i in range(FOLLOW_UP_ROWS):
        typed = form_values(form, [f"fu-{i}-{n}" for n in FOLLOW_UP_FIELDS])
        row: dict[str, Any] = {n: typed[f"fu-{i}-{n}"] for n in FOLLOW_UP_FIELDS}
        row["to_executive"] = form.get(f"fu-{i}-to_executive") == "yes"
        rows.append(row)
    sent_rows = [i for i, r in enumerate(rows) if any(r[n] for n in FOLLOW_UP_FIELDS)]
    body = {
        "outcome": values["outcome"] or None,
        "summary": values["summary"],
        "follow_ups": [{**rows[i], "due_on": rows[i]["due_on"] or None} for i in sent_rows],
    }
    version = values["version"] if values["version"].isdigit() else "0"
    try:
        await client.send(
            "POST", f"{_api_path(place, event_id, session_id)}/close", token=place.token,
            json=body, if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        errors = _close_errors(exc, sent_rows) if exc.status == 422 else {
            "form": STALE_SESSION if exc.status == 412 else exc.detail
        }  # fmt: skip
        close = {"values": values, "rows": rows, "errors": errors}
        return await render_session(request, place, client, event_id, session_id, close=close,
                                    status=refused_status(exc))  # fmt: skip
    return redirect(request, f"{_page_path(place, event_id, session_id)}?done=closed")


@router.post(SESSION + "/reopen")
async def reopen_session(
    request: Request, place: InPartnership, client: Api, event_id: RecordId, session_id: RecordId
) -> Response:
    """The chair opens the session again, saying why."""
    values = form_values(await request.form(), ["reason", "version"])
    version = values["version"] if values["version"].isdigit() else "0"
    try:
        await client.send(
            "POST", f"{_api_path(place, event_id, session_id)}/reopen", token=place.token,
            json={"reason": values["reason"]}, if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        message = {412: STALE_SESSION, 409: exc.detail}.get(
            exc.status, "Enter why the session is opened again"
        )
        reopen = {"reason": values["reason"], "errors": {"reopen_reason": message}}
        return await render_session(request, place, client, event_id, session_id,
                                    reopen=reopen, status=refused_status(exc))  # fmt: skip
    return redirect(request, f"{_page_path(place, event_id, session_id)}?done=reopened")
