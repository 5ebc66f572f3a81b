"""The API application: routers under /api/v1, problem+json errors, health checks."""

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text

from api import problems
from api.actions.routes import router as actions
from api.agencies.routes import router as agencies
from api.attachments.routes import router as attachments
from api.audit.routes import router as audit
from api.auth.routes import router as auth
from api.db import get_engine
from api.frameworks.routes import router as frameworks
from api.headers import SecurityHeaders, docs_page
from api.partnerships.routes import router as partnerships
from api.people.routes import router as people
from api.programmes.routes import router as programmes
from api.returns.routes import router as returns
from api.reviews.routes import router as reviews
from api.settings import get_settings

API_PREFIX = "/api/v1"

DESCRIPTION = """
Assure runs Section 11 audits for safeguarding children partnerships: agencies complete
self-assessments and action plans, the partnership reviews them, and everyone can see
who has complied.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) or use a service token that
a partnership admin issued; send it as `Authorization: Bearer …`. Errors are RFC 9457
problem+json. Lists take `limit` and `offset` and return a `total`. Updates need the
record's ETag in `If-Match`.
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
    app.add_middleware(SecurityHeaders, https=get_settings().cookie_secure)
    v1 = APIRouter(prefix=API_PREFIX)
    for router in (
        auth,
        partnerships,
        agencies,
        people,
        frameworks,
        programmes,
        returns,
        attachments,
        reviews,
        actions,
        audit,
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
