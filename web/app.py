"""The web front end: server-rendered pages that reach the API only through its client."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Lifespan

from web import client as api_client
from web import session as web_session
from web.client import ApiClient, ApiError
from web.deps import CsrfRejected, NeedsSignIn, PageForbidden, PageNotFound, verify_csrf
from web.pages import redirect, render, same_site_path
from web.routes import (
    account,
    actions,
    agencies,
    attachments,
    audit,
    auth,
    challenge_enquiries,
    challenge_event,
    challenge_events,
    challenge_sessions,
    extensions,
    follow_ups,
    frameworks,
    home,
    invitations,
    notice_settings,
    onboarding,
    outbox,
    people,
    person,
    programmes,
    returns,
    reviews,
    service_tokens,
    versions,
    webhooks,
)
from web.settings import WebSettings, get_settings

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def content_security_policy(settings: WebSettings) -> str:
    """Scripts only from htmx's own address (its SRI hash checked by the page), nothing
    inline; styles, images and requests from this site; never framed."""
    htmx = "'self'" if settings.htmx_url.startswith("/") else settings.htmx_url
    return (
        "default-src 'self'; "
        f"script-src {htmx}; "
        "style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def security_headers(settings: WebSettings) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", content_security_policy(settings)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]
    if settings.cookie_secure:  # served over HTTPS: browsers keep to it from now on
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return headers


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail, "me": None},
        status=status,
    )


def create_app(api: ApiClient, lifespan: Lifespan[FastAPI] | None = None) -> FastAPI:
    settings = get_settings()
    headers = security_headers(settings)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.api = api

    @app.middleware("http")
    async def session_cookie(request: Request, call_next: Any) -> Response:
        session = web_session.load(request, settings)
        before = (session.csrf, session.token)
        request.state.web_session = session
        response: Response = await call_next(request)
        if (session.csrf, session.token) != before or web_session.COOKIE not in request.cookies:
            web_session.save(response, session, settings)
        for name, value in headers:  # a download keeps the sandbox the API gave it
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(request: Request, _: NeedsSignIn) -> Response:
        if request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        else:  # after signing in, come back to the page the form was on, not to its POST
            target = same_site_path(request.headers.get("referer"), request) or "/"
        return redirect(request, f"/sign-in?next={quote(target, safe='')}")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _: CsrfRejected) -> Response:
        return _error_page(
            request,
            403,
            "This form has expired",
            "For your security the form could not be sent. Go back, reload the page and try again.",
        )

    @app.exception_handler(PageNotFound)
    async def not_found(request: Request, _: PageNotFound) -> Response:
        return _error_page(
            request, 404, "Page not found", "Check the address, or go back to the start page."
        )

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden) -> Response:
        return _error_page(request, 403, "You cannot do this", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await not_found(request, PageNotFound())
        return _error_page(request, exc.status_code, "Something is not right", str(exc.detail))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:
            request.state.web_session.token = None
            return await needs_sign_in(request, NeedsSignIn())
        if exc.status == 404:
            return await not_found(request, PageNotFound())
        if exc.status == 403:
            return _error_page(request, 403, "You cannot do this", exc.detail)
        if exc.status == 422 and request.method == "GET":  # the API refused the address's query
            return await bad_address(request, RequestValidationError([]))
        return _error_page(request, exc.status, "That did not work", exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_address(request: Request, _: RequestValidationError) -> Response:
        return _error_page(
            request, 400, "Check the address", "Part of this page's address is not valid."
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error_page(
            request,
            500,
            "Sorry, something went wrong",
            "The error has been logged and nothing was saved. Try again in a moment.",
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        auth,
        account,
        home,
        agencies,
        frameworks,
        programmes,
        returns,
        extensions,
        actions,
        attachments,
        reviews,
        versions,
        challenge_events,
        challenge_event,
        challenge_sessions,
        challenge_enquiries,
        follow_ups,
        people,
        onboarding,
        invitations,
        person,
        service_tokens,
        audit,
        webhooks,
        outbox,
        notice_settings,
    ):
        app.include_router(module.router, dependencies=[Depends(verify_csrf)])
    return app


def create_web_app() -> FastAPI:
    """The web pages alone, for a machine of their own: they call the API over HTTP at
    ASSURE_API_BASE_URL (`uvicorn --factory web.app:create_web_app`)."""
    settings = get_settings()
    if not settings.api_base_url:
        raise RuntimeError("Set ASSURE_API_BASE_URL to the API's address to serve the pages alone")
    client = api_client.build(settings)

    @asynccontextmanager
    async def closing_the_client(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.http.aclose()

    return create_app(client, lifespan=closing_the_client)


def create_combined_app() -> FastAPI:
    """The API at /api/v1 (with /docs and /openapi.json) and the web pages at /, in one app.

    The one place web/ imports api/: to build the API in the same process.
    """
    from api.main import create_app as create_api
    from api.main import serve_beside

    api = create_api()
    web = create_app(api_client.build(get_settings(), api))
    serve_beside(api, web)
    return api
