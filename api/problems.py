"""Domain errors, and their one mapping to RFC 9457 problem+json responses."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` lists every invalid field at once."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    current: dict[str, Any] | None = None  # on a conflict: the record as it now stands


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"
    keeps_writes = False  # True: the request's writes are committed even though it fails

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        current: dict[str, Any] | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers or {}
        self.current = current


class NotAuthenticated(DomainError):
    status, slug, title = 401, "not-authenticated", "Not signed in"

    def __init__(self, detail: str | None = None):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "stale", "The record has changed since you read it"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "if-match-required", "If-Match header required"


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "too-large", "Too large"


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class TooManyRequests(DomainError):
    status, slug, title = 429, "throttled", "Too many attempts"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class Invalid(DomainError):
    """A rule about the input that a schema cannot express; names the fields."""

    status, slug, title = 422, "validation", "The request is not valid"

    def __init__(self, errors: dict[str, str] | list[FieldProblem], detail: str | None = None):
        if isinstance(errors, dict):
            errors = [FieldProblem(field=f, message=m, type="invalid") for f, m in errors.items()]
        self.errors = errors
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))


def problem_type(slug: str) -> str:
    return f"urn:assure:problem:{slug}"


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    current: dict[str, Any] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(slug),
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        current=current,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def _problem(error: Any) -> FieldProblem:
    if error.get("type") == "json_invalid":  # its location is a character offset, not a field
        reason = (error.get("ctx") or {}).get("error", "")
        return FieldProblem(
            field="body", type="json_invalid", message=f"is not valid JSON ({reason})"
        )
    return FieldProblem(
        field=_field_name(tuple(error.get("loc", ()))),
        message=str(error.get("msg", "invalid")).removeprefix("Value error, "),
        type=str(error.get("type", "invalid")),
    )


def validation_problems(raw: list[Any]) -> list[FieldProblem]:
    return [_problem(e) for e in raw]


_SEND_IF_MATCH = (
    'Send the ETag you read in If-Match ("0" for an answer or rating not saved yet), '
    "so that no one else's change is lost."
)


def _missing_if_match(error: Any) -> bool:
    """The header is declared required; its absence alone is 428, as RFC 6585 says."""
    return error.get("type") == "missing" and tuple(error.get("loc", ())) == ("header", "If-Match")


_HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 401: "Not signed in"}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            request,
            status=exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            errors=getattr(exc, "errors", None),
            headers=exc.headers,
            current=exc.current,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = list(exc.errors())
        if raw and all(_missing_if_match(e) for e in raw):
            return await domain_error(request, PreconditionRequired(_SEND_IF_MATCH))
        errors = validation_problems(raw)
        return problem_response(
            request,
            status=422,
            slug="validation",
            title="The request is not valid",
            detail="; ".join(f"{e.field}: {e.message}" for e in errors),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _HTTP_TITLES.get(exc.status_code, "Error")
        headers = dict(exc.headers or {})
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404:
            detail = "Nothing is served at this path; /openapi.json lists the API's paths."
        elif exc.status_code == 405:
            # Starlette names only the first route that matched the path; list them all.
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; Allow lists what is."
        return problem_response(
            request,
            status=exc.status_code,
            slug={404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "error"),
            title=title,
            detail=detail,
            headers=headers,
        )

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> JSONResponse:
        # A safety net: validation should catch these first, with the field named.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            status=422,
            slug="validation",
            title="The request is not valid",
            detail="A value is out of range or has characters that cannot be stored. "
            "Nothing was saved.",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            status=500,
            slug="internal",
            title="Something went wrong on our side",
            detail="The error has been logged. Nothing was saved.",
        )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem statuses a route can return."""
    descriptions = {
        400: "The body could not be read (e.g. JSON nested too deeply)",
        401: "Not signed in, or the token is invalid, expired or revoked",
        403: "Signed in, but not allowed to do this",
        404: "Not found, or not visible to you",
        409: "Conflicts with the current state",
        412: "If-Match does not match the current ETag",
        413: "Too large",
        415: "Unsupported media type",
        422: "Invalid input; `errors` names each field",
        428: "If-Match header required",
        429: "Too many attempts; see Retry-After",
    }
    return {
        s: {"model": Problem, "description": descriptions[s], "content": {PROBLEM_MEDIA_TYPE: {}}}
        for s in statuses
    }
