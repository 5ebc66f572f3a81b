"""Returns: the list (for agency staff, their own: "my returns"), a return's page, and
answering it standard by standard, each answer saved as the person goes."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from web.client import ApiClient, ApiError
from web.contract import RETURN_LABELS as LABELS
from web.contract import ReturnStatus
from web.deps import Api, InPartnership, Place
from web.forms import field_errors, form_values
from web.pages import MAX_ID, is_htmx, page_params, pager, redirect, render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/p/{partnership_id}/returns")
async def list_returns(
    request: Request,
    place: InPartnership,
    client: Api,
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
) -> Response:
    status = status if status in ReturnStatus.__members__ else ""
    result = await client.get(
        f"/partnerships/{place.id}/returns", token=place.token, status=status, **page_params(page)
    )
    return render(
        request,
        "returns/list.html",
        place.context(
            returns=result["items"],
            pages=pager(request, result),
            status=status,
            labels=LABELS,
            everyone=place.may("read_returns"),
        ),
        block="results",
    )


async def load_return(
    client: ApiClient, place: Place, return_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The return (with its actions by requirement, as `actions`) and its framework version."""
    ret = await client.get(f"/partnerships/{place.id}/returns/{return_id}", token=place.token)
    ref = ret["framework_version"]
    version = await client.get(
        f"/partnerships/{place.id}/frameworks/{ref['framework_id']}/versions/{ref['number']}",
        token=place.token,
    )
    plan = await client.get(
        f"/partnerships/{place.id}/actions", token=place.token, plan_of=return_id, limit=100
    )
    ret["actions"] = {}
    for action in plan["items"]:
        for rid in action["requirement_ids"]:
            ret["actions"].setdefault(rid, []).append(action)
    _group_review(ret)
    return ret, version


def _group_review(ret: dict[str, Any]) -> None:
    """Files, the latest round's review notes and moderated ratings, keyed for the page.

    `files` and `notes` by requirement id (`notes[None]`: about the whole return);
    `moderated` by requirement id and `moderated_standards` by standard id.
    """
    ret["files"] = {}
    for f in ret["attachments"]:
        ret["files"].setdefault(f["requirement_id"], []).append(f)
    latest = max((n["version_number"] for n in ret["review_notes"]), default=None)
    ret["notes"] = {}
    for n in ret["review_notes"]:
        if n["version_number"] == latest:
            ret["notes"].setdefault(n["requirement_id"], []).append(n)
    ret["moderated"] = {m["requirement_id"]: m for m in ret["moderation"] if m["requirement_id"]}
    ret["moderated_standards"] = {
        m["standard_id"]: m for m in ret["moderation"] if m["standard_id"]
    }


async def _invitations(
    client: ApiClient, place: Place, ret: dict[str, Any]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The challenge events of the return's programme that invite its agency (not those
    cancelled), each with the agency's session."""
    found = await client.get(
        f"/partnerships/{place.id}/challenge-events", token=place.token, limit=100,
        agency_id=ret["agency_id"], programme_id=ret["programme_id"],
    )  # fmt: skip
    return [
        (e, s)
        for e in found["items"]
        if e["status"] != "cancelled"
        for s in e["sessions"]
        if s["agency_id"] == ret["agency_id"]
    ]


async def render_return(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    standard: str = "",
    *,
    unmet: list[tuple[str, str]] | None = None,
    problem: str | None = None,
    sign_off: dict[str, str] | None = None,
    failed: dict[int, dict[str, Any]] | None = None,
    extension: dict[str, dict[str, str]] | None = None,
    block: str | None = None,
    status: int = 200,
) -> Response:
    """The return's page; `failed` keeps an answer that was not saved, with the reason,
    and `extension` the extension form as typed (`values`) with its `errors`."""
    ret, version = await load_return(client, place, return_id)
    chosen = next((s for s in version["standards"] if s["code"] == standard), None)
    answering = ret["editable"] and ret["may_answer"]
    if answering and chosen is None:
        chosen = version["standards"][0]
    answers = {r["requirement_id"]: r for r in ret["responses"]}
    answers |= {rid: f["answer"] for rid, f in (failed or {}).items() if "answer" in f}
    versions = await client.get(
        f"/partnerships/{place.id}/returns/{return_id}/versions", token=place.token
    )
    query = request.query_params
    carried, carried_files = query.get("carried", ""), query.get("files", "")
    invited = await _invitations(client, place, ret) if block is None else []
    return render(
        request,
        "returns/detail.html",
        place.context(
            ret=ret,
            version=version,
            labels=LABELS,
            standard=chosen,
            answering=answering,
            answers=answers,
            saved=query.get("saved", ""),
            confirmed=query.get("confirmed", "") if query.get("confirmed", "").isdigit() else "",
            submitted=query.get("submitted") == "1",
            unmet=unmet or [],
            problem=problem,
            sign_off=sign_off or {},
            failed=failed or {},
            versions=versions,
            carried=int(carried) if carried.isdigit() else None,
            carried_files=int(carried_files) if carried_files.isdigit() else 0,
            carry_failed=query.get("carry") == "failed",
            extension_form=extension or {"values": {}, "errors": {}},
            extension_done=query.get("extension", ""),
            invited=invited,
        ),
        block=block,
        status=status,
    )


@router.get("/p/{partnership_id}/returns/{return_id}")
async def return_page(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    standard: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return await render_return(request, place, client, return_id, standard)


@router.post("/p/{partnership_id}/returns/{return_id}/submit")
async def submit_return(
    request: Request, place: InPartnership, client: Api, return_id: RecordId
) -> Response:
    """The approver signs off and submits; every unmet rule comes back, each with its link."""
    form = await request.form()
    values = form_values(form, ["name", "role", "declaration"])
    body = {"name": values["name"], "role": values["role"],
            "declaration": values["declaration"] == "yes"}  # fmt: skip
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/returns/{return_id}/submit",
            token=place.token, json=body,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        unmet = await _unmet(client, place, return_id, exc) if exc.status == 422 else []
        problem = None if unmet else exc.detail
        return await render_return(
            request, place, client, return_id,
            unmet=unmet, problem=problem, sign_off=values, status=exc.status,
        )  # fmt: skip
    return redirect(request, f"/p/{place.id}/returns/{return_id}?submitted=1")


async def _unmet(
    client: ApiClient, place: Place, return_id: int, exc: ApiError
) -> list[tuple[str, str]]:
    """Each unmet rule with a link to the field that meets it."""
    _, version = await load_return(client, place, return_id)
    standard_of = {r["id"]: s["code"] for s in version["standards"] for r in s["requirements"]}
    out = []
    for e in exc.problem.get("errors") or []:
        field = str(e.get("field", ""))
        parts = field.split(".")
        if parts[0] == "responses" and len(parts) > 1 and parts[1].isdigit():
            rid = int(parts[1])
            # a whole path: this page is shown at the submit URL, which cannot be read back
            page = f"/p/{place.id}/returns/{return_id}?standard={standard_of.get(rid, '')}"
            href = f"{page}#answer-{rid}"
        else:
            href = "#field-sign_off-" + (parts[1] if len(parts) > 1 else "name")
        out.append((str(e.get("message", "")), href))
    return out


ANSWER_FIELDS = ["rating", "evidence", "comment", "version", "standard"]


@router.post("/p/{partnership_id}/returns/{return_id}/answers/{requirement_id}")
async def save_answer(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    requirement_id: RecordId,
) -> Response:
    """Save one answer: htmx gets the answer's form back; without JavaScript, the page."""
    form = await request.form()
    values = form_values(form, ANSWER_FIELDS)
    answer, problem, theirs = await put_answer(client, place, return_id, requirement_id, values)
    if not is_htmx(request) and problem is None:
        target = f"/p/{place.id}/returns/{return_id}?standard={quote(values['standard'])}"
        return redirect(request, f"{target}&saved={requirement_id}#answer-{requirement_id}")
    if not is_htmx(request):
        failed = {requirement_id: {"problem": problem, "theirs": theirs, "answer": answer}}
        return await render_return(
            request, place, client, return_id, values["standard"], failed=failed, status=409
        )
    return await _answer_fragment(
        request, place, client, return_id, requirement_id, answer=answer, problem=problem,
        theirs=theirs, just_saved=problem is None,
    )  # fmt: skip


async def put_answer(
    client: ApiClient, place: Place, return_id: int, requirement_id: int, values: dict[str, str]
) -> tuple[dict[str, Any], str | None, dict[str, Any] | None]:
    """Save one answer as typed: the saved answer, or what was typed, why not and theirs."""
    body = {
        "rating": values["rating"] or None,
        "evidence": values["evidence"],
        "comment": values["comment"],
    }
    version = values["version"] if values["version"].isdigit() else "0"
    problem: str | None = None
    theirs: dict[str, Any] | None = None
    answer: dict[str, Any] = {"requirement_id": requirement_id, **body, "version": int(version)}
    try:
        answer = await client.send(
            "PUT",
            f"/partnerships/{place.id}/returns/{return_id}/responses/{requirement_id}",
            token=place.token,
            json=body,
            if_match=f'"{version}"',
        )
    except ApiError as exc:
        if exc.status not in (409, 412, 422):
            raise
        problem = exc.detail
        theirs = exc.problem.get("current")
        if exc.status == 412:
            # Keep what this person wrote, now made against the newer answer they have seen.
            answer["version"] = theirs["version"] if theirs else 0
        elif exc.status == 422:
            problem = "; ".join(e["message"] for e in exc.problem.get("errors") or []) or problem
    return answer, problem, theirs


async def keep_typed_answer(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    requirement_id: int,
    form: Any,
) -> Response | None:
    """Without JavaScript every button of a requirement sends its whole form, so what was
    typed into the answer is saved before the button's own act (adding a file, an action).

    None when there is nothing to keep (unchanged, or htmx, whose answer saves on change);
    else the page with the answer as typed and why it was not saved.
    """
    if is_htmx(request) or "evidence" not in form:
        return None
    values = form_values(form, ANSWER_FIELDS)
    ret = await client.get(f"/partnerships/{place.id}/returns/{return_id}", token=place.token)
    stored: dict[str, Any] = next(
        (r for r in ret["responses"] if r["requirement_id"] == requirement_id), {}
    )
    typed = {"rating": values["rating"] or None, "evidence": values["evidence"],
             "comment": values["comment"]}  # fmt: skip
    if all((stored.get(k) or None) == (v or None) for k, v in typed.items()):
        return None
    answer, problem, theirs = await put_answer(client, place, return_id, requirement_id, values)
    if problem is None:
        return None
    failed = {requirement_id: {"problem": problem, "theirs": theirs, "answer": answer}}
    return await render_return(
        request, place, client, return_id, values["standard"], failed=failed, status=409
    )


@router.post("/p/{partnership_id}/returns/{return_id}/answers/{requirement_id}/confirm")
async def confirm_answer(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    requirement_id: RecordId,
) -> Response:
    """Confirm a carried-forward answer unchanged; a stale one shows the answer as it now is."""
    values = form_values(await request.form(), ["version", "standard"])
    version = values["version"] if values["version"].isdigit() else "0"
    problem: str | None = None
    try:
        await client.send(
            "POST",
            f"/partnerships/{place.id}/returns/{return_id}/responses/{requirement_id}/confirm",
            token=place.token,
            if_match=f'"{version}"',
        )
    except ApiError as exc:
        if exc.status not in (409, 412):
            raise
        problem = exc.detail
    if not is_htmx(request):
        target = f"/p/{place.id}/returns/{return_id}?standard={quote(values['standard'])}"
        if problem is None:
            return redirect(request, f"{target}&confirmed=1#answer-{requirement_id}")
        failed = {requirement_id: {"problem": problem}}
        return await render_return(
            request, place, client, return_id, values["standard"], failed=failed, status=409
        )
    return await _answer_fragment(
        request, place, client, return_id, requirement_id, problem=problem,
        just_saved=problem is None,
    )  # fmt: skip


@router.post("/p/{partnership_id}/returns/{return_id}/standards/{standard_id}/confirm")
async def confirm_standard(
    request: Request, place: InPartnership, client: Api, return_id: RecordId, standard_id: RecordId
) -> Response:
    """Confirm every carried-forward answer of one standard, then show the standard again."""
    values = form_values(await request.form(), ["standard"])
    confirmed = await client.send(
        "POST",
        f"/partnerships/{place.id}/returns/{return_id}/standards/{standard_id}/confirm",
        token=place.token,
    )
    target = f"/p/{place.id}/returns/{return_id}?standard={quote(values['standard'])}"
    return redirect(request, f"{target}&confirmed={confirmed['confirmed']}")


async def _answer_fragment(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    requirement_id: int,
    *,
    answer: dict[str, Any] | None = None,
    problem: str | None = None,
    theirs: dict[str, Any] | None = None,
    just_saved: bool = False,
    action_errors: dict[str, str] | None = None,
    action_values: dict[str, str] | None = None,
) -> Response:
    """One requirement's answer and actions, for htmx to swap in place."""
    ret, framework = await load_return(client, place, return_id)
    requirement, standard = next(
        (r, s)
        for s in framework["standards"]
        for r in s["requirements"]
        if r["id"] == requirement_id
    )
    if answer is None:
        answer = next((r for r in ret["responses"] if r["requirement_id"] == requirement_id), None)
    context = place.context(
        ret=ret,
        version=framework,
        requirement=requirement,
        answer=answer,
        problem=problem,
        theirs=theirs,
        just_saved=just_saved,
        standard=standard,
        action_errors=action_errors or {},
        action_values=action_values or {},
    )
    failed = problem is not None or bool(action_errors)
    return render(request, "returns/_answer.html", context, status=409 if failed else 200)


ACTION_LABELS = {"description": "What will be done", "owner": "Owner", "due_on": "Due date"}


@router.post("/p/{partnership_id}/returns/{return_id}/actions/{requirement_id}")
async def add_action(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    requirement_id: RecordId,
) -> Response:
    """Add an action for one requirement, beside its answer."""
    form = await request.form()
    if kept := await keep_typed_answer(request, place, client, return_id, requirement_id, form):
        return kept
    values = form_values(form, ["description", "owner", "due_on", "standard"])
    body = {
        "description": values["description"],
        "owner": values["owner"],
        "due_on": values["due_on"] or None,
        "requirement_ids": [requirement_id],
    }
    try:
        await client.send(
            "POST", f"/partnerships/{place.id}/returns/{return_id}/actions",
            token=place.token, json=body,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc, ACTION_LABELS)
        if not is_htmx(request):
            failed = {requirement_id: {"action_errors": errors, "action_values": values}}
            return await render_return(
                request, place, client, return_id, values["standard"], failed=failed, status=422
            )
        return await _answer_fragment(
            request, place, client, return_id, requirement_id,
            action_errors=errors, action_values=values,
        )  # fmt: skip
    if not is_htmx(request):
        target = f"/p/{place.id}/returns/{return_id}?standard={quote(values['standard'])}"
        return redirect(request, f"{target}#answer-{requirement_id}")
    return await _answer_fragment(request, place, client, return_id, requirement_id)
