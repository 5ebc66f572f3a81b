"""The API application: routers under /api/v1, problem+json errors, health checks."""

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Scope

from api import openapi, problems
from api.actions.routes import router as actions
from api.agencies.routes import router as agencies
from api.attachments.routes import router as attachments
from api.attachments.transfer import FRAMING_ALLOWANCE
from api.audit.routes import router as audit
from api.auth.reset_routes import router as password_reset
from api.auth.routes import router as auth
from api.auth.scope_routes import router as scopes
from api.challenge.enquiry_routes import router as challenge_enquiries
from api.challenge.follow_up_routes import router as challenge_follow_ups
from api.challenge.routes import router as challenge
from api.challenge.session_routes import router as challenge_sessions
from api.db import get_engine
from api.frameworks.routes import router as frameworks
from api.frameworks.schemas import FrameworkDoc
from api.headers import SecurityHeaders, docs_page
from api.idempotency.middleware import Idempotency
from api.invitations.routes import router as invitations
from api.notices.routes import router as notices
from api.onboarding.routes import router as onboarding
from api.outbox.routes import router as outbox
from api.partnerships.routes import router as partnerships
from api.people.activation_routes import router as people_activation
from api.people.routes import router as people
from api.programmes.routes import router as programmes
from api.returns.routes import router as returns
from api.reviews.routes import router as reviews
from api.settings import get_settings
from api.webhooks.routes import router as webhooks

API_PREFIX = "/api/v1"

DESCRIPTION = """
Assure runs Section 11 audits for safeguarding children partnerships: agencies complete
self-assessments and action plans, the partnership reviews them, and everyone can see
who has complied.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) or use a service token that
a partnership admin issued; send it as `Authorization: Bearer …`. Errors are RFC 9457
problem+json. Lists take `limit` and `offset` and return a `total`. Updates need the
record's ETag in `If-Match`. Any POST may carry an `Idempotency-Key`: sent again with the
same key and body, it is answered as the first time (`Idempotent-Replayed: true`), not
done twice.
"""


def create_app() -> FastAPI:
    app = FastAPI(
        title="Assure API",
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,  # served below, with its own content security policy
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    problems.install(app)
    # Inside the security headers, so that a replayed answer carries them too.
    app.add_middleware(
        Idempotency,
        prefix=f"{API_PREFIX}/",
        max_body=lambda: get_settings().attachment_max_bytes + FRAMING_ALLOWANCE,
    )
    app.add_middleware(SecurityHeaders, https=get_settings().cookie_secure)
    openapi.install(app, body_models=(FrameworkDoc,))
    v1 = APIRouter(prefix=API_PREFIX)
    for router in (
        auth,
        password_reset,
        scopes,
        partnerships,
        agencies,
        people,
        people_activation,
        onboarding,
        invitations,
        frameworks,
        programmes,
        returns,
        attachments,
        reviews,
        actions,
        challenge,
        challenge_sessions,
        challenge_enquiries,
        challenge_follow_ups,
        audit,
        outbox,
        notices,
        webhooks,
    ):
        v1.include_router(router)
    app.include_router(v1)

    docs = docs_page(title=f"{app.title} - docs", openapi_url="/openapi.json")
    docs_policy = docs.headers["content-security-policy"]

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(docs.body, headers={"content-security-policy": docs_policy})

    @app.get("/healthz", tags=["health"], include_in_schema=True)
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"description": "The database does not answer"}},
    )
    def readyz() -> JSONResponse:
        """The database answers."""
        try:
            with get_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app


class _Beside(Mount):
    """Another app at `/` that leaves the API's own paths to the API.

    A mount at `/` matches every path, and Starlette prefers any full match to a route whose
    path matched but whose method did not: a PUT to a GET-only API path, or any path under
    /api/ that no route has, would reach the other app's HTML 404. Declining those paths
    lets the API answer them as problem+json 405 (with Allow) and 404.
    """

    def __init__(self, app: ASGIApp, api_routes: list[BaseRoute]):
        super().__init__("/", app=app)
        self._api_routes = api_routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if scope["type"] == "http" and (
            path == "/api"
            or path.startswith("/api/")
            or any(r.matches(scope)[0] is not Match.NONE for r in self._api_routes)
        ):
            return Match.NONE, {}
        return super().matches(scope)


def serve_beside(api: FastAPI, other: ASGIApp) -> None:
    """Serve `other` at `/` for every path the API does not own (the web pages)."""
    api.router.routes.append(_Beside(other, list(api.router.routes)))
