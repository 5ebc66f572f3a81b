"""Security headers on every kind of response the installation sends, pages and API alike,
and the session cookie that must not give its bearer token away."""

import base64
import binascii
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, EDITOR, HTMX, page_of

from api.main import create_app as create_api
from api.models import Agency, Partnership, Programme, Return
from api.settings import get_settings as api_settings
from web import session as web_session
from web.app import create_app
from web.client import build
from web.settings import get_settings as web_settings

HSTS = "strict-transport-security"


def housing_return(db: Session) -> int:
    found = db.exec(
        select(Return.id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Agency.name.startswith("City of York Council Housing"))  # type: ignore[attr-defined]
        .where(Programme.title == "Section 11 self-assessment 2026")
    ).one()
    assert found is not None
    return found


def responses_of_every_kind(
    visitor_as: Callable[[str], TestClient], site: TestClient, york: Partnership, db: Session
) -> dict[str, object]:
    admin = visitor_as(ADMIN)
    editor = visitor_as(EDITOR)
    ret = housing_return(db)
    token = web_session.load_token(editor.cookies[web_session.COOKIE], web_settings())
    bearer = {"Authorization": f"Bearer {token}"}
    return {
        "sign-in page": site.get("/sign-in"),
        "redirect to sign in": site.get(f"/p/{york.id}"),
        "partnership page": admin.get(f"/p/{york.id}"),
        "return page": editor.get(f"/p/{york.id}/returns/{ret}"),
        "htmx fragment": admin.get(f"/p/{york.id}/agencies?q=police", headers=HTMX),
        "error page": admin.get("/p/999999"),
        "stylesheet": site.get("/static/assure.css"),
        "API JSON": site.get("/api/v1/me", headers=bearer),
        "API problem": site.get("/api/v1/me"),
        "health": site.get("/healthz"),
        "OpenAPI": site.get("/openapi.json"),
        "API docs": site.get("/docs"),
    }


def directives(policy: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def test_every_kind_of_response_carries_the_security_headers(
    visitor_as: Callable[[str], TestClient], site: TestClient, york: Partnership, db: Session
) -> None:
    for kind, response in responses_of_every_kind(visitor_as, site, york, db).items():
        headers = response.headers  # type: ignore[attr-defined]
        assert response.status_code < 500, kind  # type: ignore[attr-defined]
        assert headers["x-content-type-options"] == "nosniff", kind
        assert headers["x-frame-options"] == "DENY", kind
        assert headers["referrer-policy"] in ("same-origin", "no-referrer"), kind
        policy = directives(headers["content-security-policy"])
        assert policy["frame-ancestors"] == "'none'", kind
        scripts = policy.get("script-src", policy["default-src"])
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, kind
        assert HSTS not in headers, kind  # served over plain HTTP in the tests


def test_pages_run_no_script_but_the_pinned_htmx(admin: TestClient, york: Partnership) -> None:
    settings = web_settings()
    response = admin.get(f"/p/{york.id}")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == settings.htmx_url
    assert policy["style-src"] == "'self'"
    page = page_of(response)
    assert [s["src"] for s in page.find_all("script")] == [settings.htmx_url]
    assert not re.search(r"\shx-on|\son[a-z]+=", response.text)  # no inline handlers


def test_the_docs_allow_swagger_from_its_cdn_and_its_one_inline_script_by_hash(
    site: TestClient,
) -> None:
    response = site.get("/docs")
    policy = directives(response.headers["content-security-policy"])
    sources = policy["script-src"].split()
    assert "https://cdn.jsdelivr.net" in sources
    hashes = [s for s in sources if s.startswith("'sha256-")]
    assert len(hashes) == 1 == response.text.count("<script>")
    assert policy["frame-ancestors"] == "'none'"


@pytest.fixture
def over_https(monkeypatch: pytest.MonkeyPatch, connection: object) -> Iterator[TestClient]:
    """The installation as it runs behind HTTPS (ASSURE_COOKIE_SECURE=true)."""
    monkeypatch.setenv("ASSURE_COOKIE_SECURE", "true")
    api_settings.cache_clear()
    web_settings.cache_clear()
    try:
        api: FastAPI = create_api()
        api.mount("/", create_app(build(web_settings(), api)))
        with TestClient(api, base_url="https://testserver", follow_redirects=False) as client:
            yield client
    finally:
        monkeypatch.delenv("ASSURE_COOKIE_SECURE")
        api_settings.cache_clear()
        web_settings.cache_clear()


def test_over_https_pages_and_api_ask_for_https_only(over_https: TestClient) -> None:
    cookie = over_https.get("/sign-in").headers["set-cookie"]
    assert "secure" in cookie.lower()
    for path in ("/sign-in", "/static/assure.css", "/healthz", "/api/v1/me", "/docs"):
        response = over_https.get(path)
        assert response.headers[HSTS].startswith("max-age="), path
        assert int(response.headers[HSTS].split("=")[1].split(";")[0]) >= 31536000, path


def _readable_parts(value: str) -> str:
    """Whatever a person could decode from a cookie without its key."""
    found = [value]
    for part in re.split(r"[.:]", value):
        for padded in (part, part + "=", part + "=="):
            try:
                found.append(base64.urlsafe_b64decode(padded).decode("latin-1"))
            except (binascii.Error, ValueError):
                continue
    return "\n".join(found)


def test_the_session_cookie_does_not_show_the_bearer_token(
    visitor_as: Callable[[str], TestClient], site: TestClient
) -> None:
    admin = visitor_as(ADMIN)
    cookie = admin.cookies[web_session.COOKIE]
    token = web_session.load_token(cookie, web_settings())
    assert token  # the cookie does hold the token, sealed
    assert site.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in _readable_parts(cookie)
    assert '"t"' not in _readable_parts(cookie)  # not even the shape of what it holds
    # Under another key it opens to nothing: the key, not the format, protects it.
    other = web_settings().model_copy(update={"secret_key": "another secret"})
    assert web_session.load_token(cookie, other) is None
