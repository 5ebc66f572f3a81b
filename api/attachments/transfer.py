"""Evidence files over HTTP: reading one from a multipart body without ever holding more
than the limit allows, and sending one back so that no browser runs or renders it."""

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.attachments.rules import too_large
from api.attachments.sniff import KINDS
from api.problems import DomainError, Invalid

# Room for the multipart framing around the file: boundaries, part headers, small fields.
FRAMING_ALLOWANCE = 64 * 1024
_SMALL_FIELD = 8 * 1024

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                            "description": "The file. Its type is decided from its content.",
                        }
                    },
                    "required": ["file"],
                }
            }
        },
    }
}

FILE_RESPONSE = {
    "description": "The file's bytes, as a download, with its type decided from its content "
    "when it was attached (text in UTF-8)",
    "content": {k.media_type: {"schema": {"type": "string", "format": "binary"}} for k in KINDS},
}


@dataclass(frozen=True)
class Received:
    filename: str
    content: bytes


async def receive_file(request: Request, *, field: str, max_bytes: int) -> Received:
    """The one file sent in `field`, refused (413) as soon as the body outgrows the limit.

    A declared Content-Length that is too big is refused before a byte is read; a body
    sent without one is counted as it arrives. What is read beyond 1 MB is spooled to a
    temporary file, never kept in memory, until it is known to be within the limit.
    """
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise Invalid({field: f"Send the file as multipart/form-data, in a field named {field}."})
    most = max_bytes + FRAMING_ALLOWANCE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most:
        raise too_large(max_bytes)

    async def counted() -> AsyncGenerator[bytes, None]:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > most:
                raise too_large(max_bytes)
            yield chunk

    parser = MultiPartParser(
        request.headers, counted(), max_files=1, max_fields=20, max_part_size=_SMALL_FIELD
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if exc.message.startswith("Too many files"):
            raise Invalid({field: "Send one file at a time."}) from None
        raise DomainError(f"The multipart body could not be read: {exc.message}") from None
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise Invalid({field: f"Send a file in a field named {field}."})
        if (upload.size or 0) > max_bytes:
            raise too_large(max_bytes)
        return Received(filename=upload.filename or "", content=await upload.read())
    finally:
        await form.close()


def file_response(*, content: bytes, filename: str, media_type: str, sha256: str) -> Response:
    """The file as a download: never shown inline, never sniffed, never cached."""
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{sha256}"',
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(filename: str) -> str:
    """`attachment`, with the name in UTF-8 (RFC 6266) and a plain-ASCII fallback."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
