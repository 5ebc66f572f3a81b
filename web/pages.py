"""Rendering: a whole page for a normal request, one named block for an htmx request,
from the same template, so the markup exists once."""

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.settings import get_settings

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["label"] = lambda value: str(value).replace("_", " ").capitalize()


def day(value: object) -> str:
    """An ISO date (or the date of an ISO timestamp) as people write it: 14 Nov 2023."""
    when = date.fromisoformat(str(value)[:10])
    return f"{when.day} {when:%b %Y}"


env.filters["day"] = day
# Macros are globals, so that a block rendered alone (for htmx) still finds them.
_macros = env.get_template("_macros.html").module
for _name in ("error_summary", "field_error", "described", "pagination", "status_tag", "scrolls"):
    env.globals[_name] = getattr(_macros, _name)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment; a boosted link or a history restore wants the page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    settings = get_settings()
    web_session = getattr(request.state, "web_session", None)
    ctx = {
        "request": request,
        "csrf_token": web_session.csrf if web_session else "",
        "htmx_url": settings.htmx_url,
        "htmx_integrity": settings.htmx_integrity,
        **context,
    }
    template = env.get_template(name)
    if block is not None and is_htmx(request):
        html = "".join(template.blocks[block](template.new_context(ctx)))
    else:
        html = template.render(ctx)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"  # pages hold personal, changing data
    return response


def redirect(request: Request, url: str) -> Response:
    """See Other for a normal request; HX-Redirect for htmx, which would otherwise swap it."""
    if is_htmx(request):
        response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    response.headers["Vary"] = "HX-Request"
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """Only ever send a person on to a path of this site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


PAGE_SIZE = 20
# The largest id the API accepts (a signed 64-bit integer): a larger one in an address is
# refused here as a bad address, never sent on.
MAX_ID = 2**63 - 1


def page_params(page: int) -> dict[str, int]:
    """The API's limit and offset for a 1-based page number."""
    page = max(1, min(page, 50_000))
    return {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}


def pager(request: Request, result: dict[str, Any]) -> dict[str, Any]:
    """Links to the previous and next pages, keeping the other query parameters."""
    offset, limit, total = result["offset"], result["limit"], result["total"]
    page = offset // limit + 1

    def link(number: int) -> str:
        params = dict(request.query_params)
        params["page"] = str(number)
        return request.url.path + "?" + "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())

    return {
        "first": offset + 1 if offset < total else 0,
        "last": min(offset + limit, total),
        "total": total,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if offset + limit < total else None,
    }


def same_site_path(url: str | None, request: Request) -> str | None:
    """The path (and query) of a URL on this site, or None for anything else."""
    if not url:
        return None
    parsed = urlsplit(url)
    if parsed.netloc and parsed.netloc != request.url.netloc:
        return None
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return safe_next(path, default="") or None
