"""What a key is, whose it is, what it asked, and which answers are kept for replay."""

import hashlib
import re
from datetime import timedelta

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
LIFETIME = timedelta(hours=24)
MAX_LENGTH = 255
PATTERN = r"^[\x20-\x7E]{1,255}$"
_VALID = re.compile(PATTERN)
ANONYMOUS = "anonymous"
# How long a second request should wait before asking again while the first is worked on.
RETRY_AFTER_SECONDS = 1
# The headers that belong to an answer and are replayed with it; the security headers are
# added to every response anyway.
KEPT_HEADERS = frozenset({"content-type", "location", "etag", "allow", "www-authenticate"})

# On a route whose success answer carries a secret shown only once (a token, a signing
# secret): that answer is never kept, since it would sit in the database in clear.
SECRET_MARK = "x-shows-secret-once"
SHOWS_SECRET_ONCE = {SECRET_MARK: True}


def shows_secret(route: object) -> bool:
    """Whether the route (as the router matched it) is marked with SHOWS_SECRET_ONCE."""
    extra = getattr(route, "openapi_extra", None) or {}
    return bool(extra.get(SECRET_MARK))


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an idempotency key, or None if it can."""
    if _VALID.fullmatch(key):
        return None
    if not key or len(key) > MAX_LENGTH:
        return f"must be 1 to {MAX_LENGTH} characters long"
    return "must be printable ASCII characters only (such as a UUID)"


def caller(authorization: str | None) -> str:
    """Whom a key belongs to: a digest of the credentials the request carries.

    A caller never holds another's credentials, so never sees another's answers; a request
    without any is anonymous, and anonymous answers are never kept (see `keeps_answer`).
    """
    if not authorization:
        return ANONYMOUS
    return "auth:" + hashlib.sha256(b"idempotency\0" + authorization.encode()).hexdigest()


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What was asked: the same key with another fingerprint is a different request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def stored(status: int) -> bool:
    """Whether an answer with this status settles the key: a server error or a throttled
    request did not settle anything, so the key may be sent again."""
    return status < 500 and status != 429


def keeps_answer(*, caller: str, status: int, shows_secret: bool) -> bool:
    """Whether the answer's body is kept to be replayed (else only that it was answered)."""
    if caller == ANONYMOUS:
        return False
    return not (shows_secret and 200 <= status < 300)
