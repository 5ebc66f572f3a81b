"""The partnership's review of a return, standard by standard: its own ratings beside the
agency's, notes on what more it needs, then back to the agency or accepted."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import RETURN_LABELS as LABELS
from web.deps import Api, InPartnership, PageForbidden, Place
from web.forms import form_values
from web.pages import MAX_ID, is_htmx, redirect, render
from web.routes.returns import load_return

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
Standard = Annotated[str, Query(max_length=20)]
REVIEW = "/p/{partnership_id}/returns/{return_id}/review"
KINDS = {"requirements": "r", "standards": "s"}  # the API's path segment → the page's prefix


async def _under_review(
    client: ApiClient, place: Place, return_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The return and its framework, for those who review it; others are told they cannot."""
    ret, version = await load_return(client, place, return_id)
    allowed = set(ret["allowed"])
    if "review" not in allowed:
        raise PageForbidden("Only the partnership's business unit reviews returns.")
    # What the API says this reviewer may do to the return now; the page never decides it.
    for move in ("moderate", "accept", "send_back"):
        ret[f"may_{move}"] = move in allowed
    ret["programme_open"] = ret["programme_status"] == "open"
    return ret, version


def _context(place: Place, ret: dict[str, Any], version: dict[str, Any], **extra: Any) -> Any:
    levels = {level["code"]: level for level in version["rating_scale"]["levels"]}
    return place.context(ret=ret, version=version, levels=levels, labels=LABELS, **extra)


async def _page(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    standard: str = "",
    *,
    problem: str | None = None,
    failed: dict[str, dict[str, Any]] | None = None,
    typed_notes: dict[int, str] | None = None,
    reason: str = "",
    saved: str | None = None,
    status: int = 200,
) -> Response:
    """The review page; `failed` keeps a rating that was not saved, by block id, with why;
    `typed_notes` and `reason` keep the notes being written (without JavaScript)."""
    ret, version = await _under_review(client, place, return_id)
    chosen = next((s for s in version["standards"] if s["code"] == standard), None)
    chosen = chosen or version["standards"][0]
    params = request.query_params
    return render(
        request,
        "reviews/page.html",
        _context(
            place, ret, version,
            standard=chosen,
            saved=params.get("saved", "") if saved is None else saved,
            done=params.get("done", ""),
            problem=problem,
            failed=failed or {},
            typed_notes=typed_notes or {},
            reason=reason,
        ),
        status=status,
    )  # fmt: skip


@router.get(REVIEW)
async def review_page(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    standard: Standard = "",
) -> Response:
    return await _page(request, place, client, return_id, standard)


@router.post(REVIEW + "/{kind}/{subject_id}")
async def moderate(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    kind: Annotated[str, Path(pattern="^(requirements|standards)$")],
    subject_id: RecordId,
) -> Response:
    """Save the partnership's rating of a requirement or standard: htmx gets its block back."""
    form = await request.form()
    block = f"{KINDS[kind]}{subject_id}"
    # Each block's fields carry its id: several blocks may share the send-back form.
    names = {"rating": f"rating-{block}", "note": f"mod-note-{block}",
             "version": f"mod-version-{block}", "standard": "standard"}  # fmt: skip
    typed = form_values(form, list(names.values()))
    values = {key: typed[name] for key, name in names.items()}
    version = values["version"] if values["version"].isdigit() else "0"
    # Without JavaScript the notes being written for the agency came too: they stay typed.
    typed_notes, reason = _typed_notes(form), str(form.get("reason", ""))
    try:
        await client.send(
            "PUT", f"/partnerships/{place.id}/returns/{return_id}/moderation/{kind}/{subject_id}",
            token=place.token, json={"rating": values["rating"], "note": values["note"]},
            if_match=f'"{version}"',
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        failure = {
            "problem": _moderation_problem(exc),
            "theirs": exc.problem.get("current"),
            "values": values,
        }
        status = 422 if exc.status == 422 else 409
        if is_htmx(request):
            return await _block(request, place, client, return_id, block, failure, status=status)
        if exc.status == 409:  # the review has moved on: there is no form left to correct
            return await _page(request, place, client, return_id, values["standard"],
                               problem=exc.detail, status=409)  # fmt: skip
        return await _page(request, place, client, return_id, values["standard"],
                           failed={block: failure}, status=status, typed_notes=typed_notes,
                           reason=reason)  # fmt: skip
    if is_htmx(request):
        return await _block(request, place, client, return_id, block, None)
    if any(typed_notes.values()) or reason.strip():
        return await _page(request, place, client, return_id, values["standard"], saved=block,
                           typed_notes=typed_notes, reason=reason)  # fmt: skip
    target = f"/p/{place.id}/returns/{return_id}/review?standard={quote(values['standard'])}"
    return redirect(request, f"{target}&saved={block}#moderate-{block}")


def _moderation_problem(exc: ApiError) -> str:
    if exc.status == 422:
        return "Choose one of the ratings for the partnership's rating."
    if exc.status == 412:
        return (
            "Someone else gave a rating after you opened this page. Theirs is shown; "
            "save yours again to replace it."
        )
    return exc.detail


async def _block(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    block: str,
    failure: dict[str, Any] | None,
    *,
    status: int = 200,
) -> Response:
    """One moderation form, for htmx to swap in place (the notes beside it stay as typed)."""
    ret, version = await _under_review(client, place, return_id)
    subject_id = int(block[1:])
    if block.startswith("s"):
        standard = next(s for s in version["standards"] if s["id"] == subject_id)
        subject = {"kind": "standards", "id": subject_id, "code": f"standard {standard['code']}"}
    else:
        standard, requirement = next(
            (s, r) for s in version["standards"] for r in s["requirements"] if r["id"] == subject_id
        )
        subject = {"kind": "requirements", "id": subject_id, "code": requirement["code"]}
    context = _context(
        place, ret, version, standard=standard, subject=subject, block=block,
        failure=failure, just_saved=failure is None,
    )  # fmt: skip
    return render(request, "reviews/_moderate.html", context, status=status)


@router.post(REVIEW + "/accept")
async def accept(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """Accept the return; a refusal (already accepted, changed meanwhile) is shown on the page."""
    form = await request.form()
    values = form_values(form, ["version", "standard"])
    if_match = f'"{values["version"]}"' if values["version"].isdigit() else None
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/returns/{return_id}/accept",
            token=place.token, json={}, if_match=if_match,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412):
            raise
        problem = _changed_meanwhile(exc)
        return await _page(
            request, place, client, return_id, values["standard"], problem=problem, status=409
        )
    return redirect(request, f"/p/{place.id}/returns/{return_id}/review?done=accepted")


def _changed_meanwhile(exc: ApiError) -> str:
    if exc.status == 412:
        return "The return changed after you opened this page. Read it again, then try again."
    return exc.detail


@router.get(REVIEW + "/return")
async def return_form(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    return await _return_step(request, place, client, return_id, {}, "")


@router.post(REVIEW + "/return")
async def return_for_information(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """From the review page: check the notes, add others; with `send`: return it to the agency.

    The notes typed beside the requirements arrive here as `note-{requirement id}`.
    """
    form = await request.form()
    values = form_values(form, ["reason", "version", "send"])
    notes = _typed_notes(form)
    if values["send"] != "yes":
        return await _return_step(request, place, client, return_id, notes, values["reason"])
    sent = [(rid, note) for rid, note in notes.items() if note]
    body = {"reason": values["reason"],
            "requirements": [{"requirement_id": r, "note": n} for r, n in sent]}  # fmt: skip
    if_match = f'"{values["version"]}"' if values["version"].isdigit() else None
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/returns/{return_id}/return",
            token=place.token, json=body, if_match=if_match,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        errors = _return_errors(exc, [rid for rid, _ in sent])
        status = 422 if exc.status == 422 else 409
        return await _return_step(request, place, client, return_id, notes, values["reason"],
                                  errors=errors, status=status)  # fmt: skip
    return redirect(request, f"/p/{place.id}/returns/{return_id}/review?done=returned")


def _typed_notes(form: Any) -> dict[int, str]:
    """The notes typed beside the requirements, sent as `note-{requirement id}`."""
    return {
        int(name.removeprefix("note-")): str(value).strip()
        for name, value in form.multi_items()
        if name.startswith("note-") and name.removeprefix("note-").isdigit()
    }


TOO_LONG = "Shorten this note to 5,000 characters or fewer"


def _return_errors(exc: ApiError, sent: list[int]) -> dict[str, str]:
    """The API's problems as messages by page field: `reason`, `note-{id}`, or `form`.

    `sent` holds the requirement ids in the order they were sent, which is how the API
    names them (`requirements.{i}.note`).
    """
    if exc.status != 422:
        return {"form": _changed_meanwhile(exc)}
    out: dict[str, str] = {}
    for e in exc.problem.get("errors") or []:
        parts = str(e.get("field", "")).split(".")
        too_long = e.get("type") == "string_too_long"
        index = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else len(sent)
        if parts == ["reason"]:
            need = "Write what more is needed, for the whole return or for a requirement"
            out.setdefault("reason", TOO_LONG if too_long else need)
        elif parts[0] == "requirements" and index < len(sent):
            elsewhere = "This note is about a requirement this return does not have"
            out.setdefault(f"note-{sent[index]}", TOO_LONG if too_long else elsewhere)
        else:
            out.setdefault("form", exc.detail)
    return out or {"form": exc.detail}


async def _return_step(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    notes: dict[int, str],
    reason: str,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """Every requirement with room for a note, and one for the whole return, to check and send."""
    ret, version = await _under_review(client, place, return_id)
    return render(
        request,
        "reviews/return.html",
        _context(place, ret, version, notes=notes, reason=reason, errors=errors or {}),
        status=status,
    )
