"""Security headers on every response, and the one page with a policy of its own (/docs).

A JSON API needs little from a browser: nothing sniffed, never framed, no referrer, and
nothing run if a response is ever opened as a page. Headers a response already has (the
web pages' own policy, a download's sandbox) are kept.
"""

import base64
import hashlib
import re

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=63072000; includeSubDomains"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def common(*, https: bool) -> list[tuple[str, str]]:
    headers = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", API_POLICY),
    ]
    if https:  # only over HTTPS: a browser must never be told so by a plain-HTTP response
        headers.append(("strict-transport-security", HSTS))
    return headers


class SecurityHeaders:
    """Pure ASGI, so the API's hot paths pay no extra task per request."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = common(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def docs_page(*, title: str, openapi_url: str) -> HTMLResponse:
    """Swagger UI from its CDN, with a policy that allows exactly that and its one inline
    script (by hash), and still forbids framing."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=title)
    body = bytes(page.body)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(body.decode())
    )
    policy = (
        "default-src 'none'; "
        f"script-src https://cdn.jsdelivr.net {hashes}; "
        "style-src https://cdn.jsdelivr.net; "
        "img-src https://fastapi.tiangolo.com https://cdn.jsdelivr.net data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return HTMLResponse(body, headers={"content-security-policy": policy})
