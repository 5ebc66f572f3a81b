"""The browser's session: a signed, HttpOnly, SameSite cookie holding the API token and a
CSRF token. Nothing is kept on the server, so any number of web servers can serve a user."""

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.settings import Settings

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


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="assure-web-session")


def load(request: Request, settings: Settings) -> WebSession:
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(settings).loads(raw, max_age=settings.token_ttl_minutes * 60)
            if isinstance(data, dict) and isinstance(data.get("c"), str):
                token = data.get("t")
                return WebSession(csrf=data["c"], token=token if isinstance(token, str) else None)
        except BadSignature:
            pass
    return WebSession.fresh()


def save(response: Response, session: WebSession, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        _serializer(settings).dumps({"c": session.csrf, "t": session.token}),
        max_age=settings.token_ttl_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
