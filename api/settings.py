"""Settings, read from the environment with the prefix ASSURE_ (and from .env)."""

from functools import lru_cache
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSURE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/assure.db"
    secret_key: str = DEVELOPMENT_SECRET
    # Bearer tokens issued at sign-in live this long; service tokens carry their own expiry.
    token_ttl_minutes: int = 8 * 60
    # Sign-in throttling: this many failures for one email within the window locks it out.
    sign_in_max_failures: int = 5
    sign_in_window_minutes: int = 15
    # Where web/ finds the API. Empty: in the same process, through httpx's ASGI transport.
    api_base_url: str = ""
    # htmx is loaded from this URL with this SRI hash; point it at a self-hosted copy if needed.
    htmx_url: str = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    htmx_integrity: str = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
    cookie_secure: bool = False
    # Argon2's cost. "standard" is argon2-cffi's RFC 9106 low-memory profile; "cheap" hashes
    # in microseconds, for the test suite only, and is refused unless environment is "test".
    password_hashing: Literal["standard", "cheap"] = "standard"
    # The largest evidence file an agency may attach, in bytes.
    attachment_max_bytes: int = 10 * 1024 * 1024

    @model_validator(mode="after")
    def refuse_default_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("ASSURE_SECRET_KEY must be set to a secret value in production")
        if self.password_hashing == "cheap" and self.environment != "test":
            raise ValueError("ASSURE_PASSWORD_HASHING=cheap is for the test suite only")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
