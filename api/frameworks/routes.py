from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.db import SessionDep
from api.frameworks import service
from api.frameworks.schemas import FrameworkRead, FrameworkSummary, VersionRead
from api.http import Id, Limit, Number, Offset, Page, Search
from api.permissions import Permission, require
from api.problems import PayloadTooLarge, UnsupportedMediaType, responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["frameworks"])

# The document's schema, which api.openapi adds to the components.
DOC_SCHEMA = "#/components/schemas/FrameworkDoc"
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}


def may_import(partnership_id: Id, principal: CurrentPrincipal) -> Principal:
    require(principal, partnership_id, Permission.manage_frameworks)
    return principal


@dataclass
class Document:
    raw: bytes
    is_json: bool


async def framework_document(
    request: Request, principal: Annotated[Principal, Depends(may_import)]
) -> Document:
    """The raw framework document, once the caller may import, if JSON or YAML, not too big."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and media_type not in YAML_TYPES:
        raise UnsupportedMediaType("Send the framework as application/json or application/yaml.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_DOCUMENT_BYTES:
            raise PayloadTooLarge(
                f"A framework may be at most {service.MAX_DOCUMENT_BYTES:,} bytes."
            )
    return Document(raw=body, is_json=media_type == "application/json")


@router.get(
    "/partnerships/{partnership_id}/frameworks",
    response_model=Page[FrameworkSummary],
    responses=responses(401, 403, 404, 422),
)
def list_frameworks(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[FrameworkSummary]:
    """Frameworks shared by the installation and the partnership's own."""
    require(principal, partnership_id, Permission.read)
    items, total = service.list_frameworks(
        session, partnership_id=partnership_id, q=q, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/partnerships/{partnership_id}/frameworks",
    response_model=VersionRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A framework document (docs/frameworks.md), as JSON or YAML.",
            "content": {
                "application/json": {"schema": {"$ref": DOC_SCHEMA}},
                "application/yaml": {"schema": {"$ref": DOC_SCHEMA}},
            },
        }
    },
)
def import_framework(
    partnership_id: Id,
    document: Annotated[Document, Depends(framework_document)],
    principal: Annotated[Principal, Depends(may_import)],
    session: SessionDep,
) -> VersionRead:
    """Import a framework: a new key makes version 1, a known key its next version.

    Every problem is reported with its place (`standards[2].requirements[0].text`), and
    nothing is loaded unless the whole document is valid.
    """
    doc = service.validate_document(
        service.parse_document(document.raw, json_only=document.is_json)
    )
    version = service.import_document(
        session, principal=principal, partnership_id=partnership_id, doc=doc
    )
    framework = service.get_framework(
        session, partnership_id=partnership_id, framework_id=version.framework_id
    )
    result = service.read_version(session, version=version, framework=framework)
    return result


@router.get(
    "/partnerships/{partnership_id}/frameworks/{framework_id}",
    response_model=FrameworkRead,
    responses=responses(401, 403, 404, 422),
)
def read_framework(
    partnership_id: Id, framework_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> FrameworkRead:
    require(principal, partnership_id, Permission.read)
    framework = service.get_framework(
        session, partnership_id=partnership_id, framework_id=framework_id
    )
    return service.read_framework(session, framework=framework)


@router.get(
    "/partnerships/{partnership_id}/frameworks/{framework_id}/versions/{number}",
    response_model=VersionRead,
    responses=responses(401, 403, 404, 422),
)
def read_framework_version(
    partnership_id: Id,
    framework_id: Id,
    number: Number,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> VersionRead:
    """A version with its rating scale, standards and requirements. Versions never change."""
    require(principal, partnership_id, Permission.read)
    framework = service.get_framework(
        session, partnership_id=partnership_id, framework_id=framework_id
    )
    version = service.version_by_number(session, framework=framework, number=number)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return service.read_version(session, version=version, framework=framework)
