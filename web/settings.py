"""The web front end's own settings, read from the environment with the prefix ASSURE_.

Only what the pages need: where the API is, the key that seals the session cookie, and
where htmx comes from. The API's settings (database, limits, rules) are the API's alone;
web/ learns what it must show from the API's answers.
"""

from functools import lru_cache
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSURE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Seals the session cookie (encrypted and signed); set it alike on every web server.
    secret_key: str = DEVELOPMENT_SECRET
    # How long a session cookie lasts; the API token inside it expires on the API's clock.
    session_ttl_minutes: int = 8 * 60
    # Where the API is. Empty: in the same process, through httpx's ASGI transport.
    api_base_url: str = ""
    # htmx is loaded from this URL with this SRI hash; point it at a self-hosted copy if needed.
    htmx_url: str = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    htmx_integrity: str = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
    # Served over HTTPS: the cookie is Secure and every response asks for HTTPS (HSTS).
    cookie_secure: bool = False

    @model_validator(mode="after")
    def refuse_default_secret_in_production(self) -> "WebSettings":
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("ASSURE_SECRET_KEY must be set to a secret value in production")
        return self


@lru_cache
def get_settings() -> WebSettings:
    return WebSettings()
