"""Evidence files on a return's answers: attach, download, remove, and read a submitted one."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.attachments import service
from api.attachments.schemas import AttachmentRead
from api.attachments.transfer import (
    FILE_RESPONSE,
    UPLOAD_BODY,
    Received,
    file_response,
    receive_file,
)
from api.db import SessionDep
from api.http import Id, Number
from api.problems import responses
from api.returns import access
from api.returns import service as returns
from api.security import CurrentPrincipal, Principal
from api.settings import get_settings

router = APIRouter(tags=["attachments"])

RETURN = "/partnerships/{partnership_id}/returns/{return_id}"


@dataclass(frozen=True)
class Target:
    principal: Principal
    found: returns.Found


def attach_target(
    requirement_id: Id,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Target:
    """Where a file would go, once everything that refuses it unread has passed."""
    service.check_may_attach(session, found=found, requirement_id=requirement_id)
    return Target(principal=principal, found=found)


AttachTarget = Annotated[Target, Depends(attach_target)]


async def uploaded_file(request: Request, _: AttachTarget) -> Received:
    """The file sent, read only after the caller may attach it, and never beyond the limit."""
    return await receive_file(request, field="file", max_bytes=get_settings().attachment_max_bytes)


@router.post(
    RETURN + "/responses/{requirement_id}/attachments",
    response_model=AttachmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
)
def add_attachment(
    partnership_id: Id,
    requirement_id: Id,
    target: AttachTarget,
    upload: Annotated[Received, Depends(uploaded_file)],
    session: SessionDep,
) -> AttachmentRead:
    """Attach an evidence file to one answer: multipart/form-data, one field named `file`.

    Accepted: PDF; Word, Excel and PowerPoint (current and 97-2003); OpenDocument text,
    spreadsheet and presentation; PNG, JPEG, GIF and WebP images; UTF-8 plain text and CSV;
    up to the installation's limit (10 MB unless set otherwise). The type is decided from
    the content, never the name or the declared type: anything else, markup (HTML, SVG)
    and documents with macros are refused with 415, as is a name whose ending says it is
    another accepted type. A name with no ending, or one we do not accept, gets the right one.
    """
    attachment = service.add(
        session,
        principal=target.principal,
        partnership_id=partnership_id,
        found=target.found,
        requirement_id=requirement_id,
        filename=upload.filename,
        content=upload.content,
        max_bytes=get_settings().attachment_max_bytes,
    )
    return AttachmentRead.model_validate(attachment, from_attributes=True)


@router.get(
    RETURN + "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: FILE_RESPONSE, **responses(401, 404, 422)},
)
def download_attachment(
    attachment_id: Id,
    found: access.VisibleReturn,
    session: SessionDep,
) -> Response:
    """Download a file attached to the return, for anyone who may see the return."""
    file = service.download(session, found=found, attachment_id=attachment_id)
    return file_response(
        content=file.content, filename=file.filename, media_type=file.media_type,
        sha256=file.sha256,
    )  # fmt: skip


@router.delete(
    RETURN + "/attachments/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422),
)
def remove_attachment(
    partnership_id: Id,
    attachment_id: Id,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Remove a file from the draft. Submitted versions keep it (see the versions route)."""
    service.remove(
        session, principal=principal, partnership_id=partnership_id, found=found,
        attachment_id=attachment_id,
    )  # fmt: skip
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    RETURN + "/versions/{number}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: FILE_RESPONSE, **responses(401, 404, 422)},
)
def download_submitted_attachment(
    number: Number,
    attachment_id: Id,
    found: access.VisibleReturn,
    session: SessionDep,
) -> Response:
    """Download a file as submitted version `number` holds it, even if removed since."""
    file = service.download_from_version(
        session, found=found, number=number, attachment_id=attachment_id
    )
    return file_response(
        content=file.content, filename=file.filename, media_type=file.media_type,
        sha256=file.sha256,
    )  # fmt: skip
