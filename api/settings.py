"""Settings, read from the environment with the prefix ASSURE_ (and from .env).

The API's own: the web front end reads its settings (secret key, htmx, the API's address)
in web/settings.py, so that either runs without the other's.
"""

from functools import lru_cache
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSURE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/assure.db"
    # Bearer tokens issued at sign-in live this long; service tokens carry their own expiry.
    token_ttl_minutes: int = 8 * 60
    # Sign-in throttling: this many failures for one email within the window locks it out.
    sign_in_max_failures: int = 5
    sign_in_window_minutes: int = 15
    # ...and this many failures from one client address, whatever the emails (spraying).
    sign_in_max_failures_per_address: int = 20
    # Password reset: a link lives this long; this many requests per email, and per client
    # address, within the window are answered; more wait (429).
    password_reset_ttl_minutes: int = 60
    password_reset_max_per_email: int = 3
    password_reset_max_per_address: int = 10
    password_reset_window_minutes: int = 60
    # The proxies in front of the API (comma-separated addresses): only a request whose
    # direct peer is one of them has its client address taken from X-Forwarded-For.
    trusted_proxies: str = ""
    # Served over HTTPS (the same setting as the web app's Secure cookie): every response
    # then tells browsers to use HTTPS only (HSTS).
    cookie_secure: bool = False
    # Argon2's cost. "standard" is argon2-cffi's RFC 9106 low-memory profile; "cheap" hashes
    # in microseconds, for the test suite only, and is refused unless environment is "test".
    password_hashing: Literal["standard", "cheap"] = "standard"
    # The largest evidence file an agency may attach, in bytes.
    attachment_max_bytes: int = 10 * 1024 * 1024
    # Email goes out over SMTP when a host is set; with none, messages wait in the outbox,
    # where an admin sees them (so the demo runs without a mail server).
    smtp_host: str | None = None
    smtp_port: int = 587
    # starttls: upgrade a plain connection (port 587); tls: TLS from the start (port 465);
    # none: neither, only for a server on the same machine or in tests.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 30
    mail_from: str = "Assure <assure@localhost>"
    # Where people open the service: the links in emails start with it.
    public_url: str = "http://127.0.0.1:8000"
    # How often `assure worker` looks for messages to send and reminders to write.
    worker_poll_seconds: float = 5

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.trusted_proxies.split(",") if a.strip())

    @model_validator(mode="after")
    def refuse_cheap_hashing_outside_tests(self) -> "Settings":
        if self.password_hashing == "cheap" and self.environment != "test":
            raise ValueError("ASSURE_PASSWORD_HASHING=cheap is for the test suite only")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
