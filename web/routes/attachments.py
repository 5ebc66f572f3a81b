"""Evidence files in the browser: attach one to an answer, remove it, download it.

Every form works without JavaScript (the page comes back, scrolled to the answer); with
htmx only the answer's list of files is swapped. Downloads pass through here, so the
browser never needs an API token.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.client import ApiClient, ApiError
from web.deps import Api, InPartnership, PageNotFound, Place
from web.pages import MAX_ID, is_htmx, redirect, render
from web.routes.returns import keep_typed_answer, load_return, render_return

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]

# The API's refusals that a person can put right by choosing another file.
REFUSED = {409, 413, 415, 422}


def _return_path(place: Place, return_id: int) -> str:
    return f"/partnerships/{place.id}/returns/{return_id}"


@router.post("/p/{partnership_id}/returns/{return_id}/requirements/{requirement_id}/files")
async def add_file(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    requirement_id: RecordId,
) -> Response:
    """Attach the chosen file to one answer; a refusal shows beside the file field."""
    form = await request.form()
    standard = str(form.get("standard", "")).strip()
    if kept := await keep_typed_answer(request, place, client, return_id, requirement_id, form):
        return kept
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        return await _refused(request, place, client, return_id, requirement_id, standard,
                              "Choose a file to add.")  # fmt: skip
    try:
        added = await client.upload(
            f"{_return_path(place, return_id)}/responses/{requirement_id}/attachments",
            token=place.token,
            field="file",
            filename=upload.filename or "",
            content=upload.file,
            content_type=upload.content_type or "application/octet-stream",
        )
    except ApiError as exc:
        if exc.status not in REFUSED:
            raise
        return await _refused(request, place, client, return_id, requirement_id, standard,
                              _reason(exc))  # fmt: skip
    return await _done(request, place, client, return_id, requirement_id, standard,
                       f"{added['filename']} was added.")  # fmt: skip


@router.post(
    "/p/{partnership_id}/returns/{return_id}/requirements/{requirement_id}/files/{attachment_id}/remove"
)
async def remove_file(
    request: Request,
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    requirement_id: RecordId,
    attachment_id: RecordId,
) -> Response:
    """Take a file off an answer. Already gone (a second click) counts as done."""
    form = await request.form()
    standard = str(form.get("standard", "")).strip()
    if kept := await keep_typed_answer(request, place, client, return_id, requirement_id, form):
        return kept
    try:
        await client.send(
            "DELETE", f"{_return_path(place, return_id)}/attachments/{attachment_id}",
            token=place.token,
        )  # fmt: skip
    except ApiError as exc:
        if exc.status == 409:
            return await _refused(request, place, client, return_id, requirement_id, standard,
                                  exc.detail)  # fmt: skip
        if exc.status != 404:
            raise
    return await _done(request, place, client, return_id, requirement_id, standard,
                       "The file was removed.")  # fmt: skip


@router.get("/p/{partnership_id}/returns/{return_id}/files/{attachment_id}")
async def download_file(
    place: InPartnership, client: Api, return_id: RecordId, attachment_id: RecordId
) -> Response:
    """A file as the return holds it now."""
    path = f"{_return_path(place, return_id)}/attachments/{attachment_id}"
    return await _pass_on(client, place, path)


@router.get("/p/{partnership_id}/returns/{return_id}/versions/{number}/files/{attachment_id}")
async def download_submitted_file(
    place: InPartnership,
    client: Api,
    return_id: RecordId,
    number: RecordId,
    attachment_id: RecordId,
) -> Response:
    """A file as a submitted version holds it, even if the draft no longer has it."""
    path = f"{_return_path(place, return_id)}/versions/{number}/attachments/{attachment_id}"
    return await _pass_on(client, place, path)


async def _pass_on(client: ApiClient, place: Place, path: str) -> Response:
    """The API's download, with its headers: never shown inline, sniffed or cached."""
    upstream = await client.request("GET", path, token=place.token)
    headers = {
        name: upstream.headers[name]
        for name in ("content-disposition", "etag", "content-security-policy")
        if name in upstream.headers
    }
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(
        upstream.content, media_type=upstream.headers.get("content-type"), headers=headers
    )


def _reason(exc: ApiError) -> str:
    """The API's reason, said once: a field's message if it names one, else its detail."""
    errors = exc.problem.get("errors") or []
    return "; ".join(str(e.get("message")) for e in errors) or exc.detail


async def _done(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    requirement_id: int,
    standard: str,
    notice: str,
) -> Response:
    if is_htmx(request):
        return await _files_fragment(request, place, client, return_id, requirement_id,
                                     notice=notice)  # fmt: skip
    target = f"/p/{place.id}/returns/{return_id}?standard={quote(standard)}"
    return redirect(request, f"{target}#answer-{requirement_id}")


async def _refused(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    requirement_id: int,
    standard: str,
    reason: str,
) -> Response:
    """The answer's files with the reason beside the file field: the fragment, or the page."""
    if is_htmx(request):
        return await _files_fragment(request, place, client, return_id, requirement_id,
                                     file_error=reason, status=422)  # fmt: skip
    failed = {requirement_id: {"file_error": reason}}
    return await render_return(
        request, place, client, return_id, standard, failed=failed, status=422
    )


async def _files_fragment(
    request: Request,
    place: Place,
    client: ApiClient,
    return_id: int,
    requirement_id: int,
    *,
    file_error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """One answer's list of files and its forms, for htmx to swap in place."""
    ret, framework = await load_return(client, place, return_id)
    found: Any = next(
        ((r, s) for s in framework["standards"] for r in s["requirements"]
         if r["id"] == requirement_id),
        None,
    )  # fmt: skip
    if found is None:
        raise PageNotFound
    requirement, standard = found
    context = place.context(
        ret=ret, requirement=requirement, standard=standard, file_error=file_error,
        files_notice=notice,
    )  # fmt: skip
    return render(request, "returns/_files.html", context, status=status)
