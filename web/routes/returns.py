"""Returns: the list (for agency staff, their own: "my returns"), a return's page, and
answering it standard by standard, each answer saved as the person goes."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.http import MAX_ID
from api.models import ReturnStatus
from api.returns.rules import LABELS
from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, Place
from web.forms import form_values
from web.pages import is_htmx, page_params, pager, redirect, render

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


async def _return_and_framework(
    client: ApiClient, place: Place, return_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    ret = await client.get(f"/partnerships/{place.id}/returns/{return_id}", token=place.token)
    ref = ret["framework_version"]
    version = await client.get(
        f"/partnerships/{place.id}/frameworks/{ref['framework_id']}/versions/{ref['number']}",
        token=place.token,
    )
    return ret, version


@router.get("/p/{partnership_id}/returns/{return_id}")
async def return_page(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    standard: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    ret, version = await _return_and_framework(client, place, return_id)
    chosen = next((s for s in version["standards"] if s["code"] == standard), None)
    answering = ret["editable"] and ret["may_answer"]
    if answering and chosen is None:
        chosen = version["standards"][0]
    answers = {r["requirement_id"]: r for r in ret["responses"]}
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
            saved=request.query_params.get("saved", ""),
        ),
    )


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
    values = form_values(form, ["rating", "evidence", "comment", "version", "standard"])
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
    if not is_htmx(request) and problem is None:
        target = f"/p/{place.id}/returns/{return_id}?standard={values['standard']}"
        return redirect(request, f"{target}&saved={requirement_id}#answer-{requirement_id}")
    ret, framework = await _return_and_framework(client, place, return_id)
    requirement, standard = next(
        (r, s)
        for s in framework["standards"]
        for r in s["requirements"]
        if r["id"] == requirement_id
    )
    context = place.context(
        ret=ret,
        version=framework,
        requirement=requirement,
        answer=answer,
        problem=problem,
        theirs=theirs,
        just_saved=problem is None,
        standard=standard,
    )
    status = 200 if problem is None else 409
    if is_htmx(request):
        return render(request, "returns/_answer.html", context, status=status)
    answers = {r["requirement_id"]: r for r in ret["responses"]} | {requirement_id: answer}
    failed = {requirement_id: {"problem": problem, "theirs": theirs}}
    page = {"labels": LABELS, "answering": True, "answers": answers, "failed": failed}
    return render(request, "returns/detail.html", {**context, **page, "saved": ""}, status=status)
