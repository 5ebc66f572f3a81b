"""The browser's session: an encrypted, HttpOnly, SameSite cookie holding the API token and
a CSRF token. Nothing is kept on the server, so any number of web servers can serve a user.

The cookie is sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived from
the secret key: whoever sees the cookie (a log, a proxy, the person's own browser) cannot
read the bearer token in it, nor change it without being noticed.
"""

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from web.settings import WebSettings

COOKIE = "assure_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class WebSession:
    csrf: str
    token: str | None = None

    @classmethod
    def fresh(cls) -> "WebSession":
        return cls(csrf=secrets.token_urlsafe(24))

    def csrf_matches(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, sent or "")


@lru_cache
def _fernet(secret_key: str) -> Fernet:
    """A key of its own for the cookie, so the secret itself is never the cipher's key."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"assure-web-session"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _open(raw: str, settings: WebSettings) -> WebSession | None:
    """The session sealed in a cookie's value, or None if it is not ours, changed or old."""
    try:
        plain = _fernet(settings.secret_key).decrypt(
            raw.encode(), ttl=settings.session_ttl_minutes * 60
        )
        data = json.loads(plain)
    except (InvalidToken, ValueError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("c"), str)):
        return None
    token = data.get("t")
    return WebSession(csrf=data["c"], token=token if isinstance(token, str) else None)


def load(request: Request, settings: WebSettings) -> WebSession:
    raw = request.cookies.get(COOKIE)
    return (_open(raw, settings) if raw else None) or WebSession.fresh()


def load_token(raw: str, settings: WebSettings) -> str | None:
    """The API token a cookie's value holds (for tests and operators with the key)."""
    opened = _open(raw, settings)
    return opened.token if opened else None


def save(response: Response, session: WebSession, settings: WebSettings) -> None:
    plain = json.dumps({"c": session.csrf, "t": session.token}).encode()
    response.set_cookie(
        COOKIE,
        _fernet(settings.secret_key).encrypt(plain).decode(),
        max_age=settings.session_ttl_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
