"""Passwords, opaque bearer tokens, and the principal acting on each request."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from api.db import SessionDep
from api.models import ApiToken, Deactivation, Membership, Role, TokenKind, User
from api.models.base import utcnow
from api.permissions import scopes_markdown
from api.problems import NotAuthenticated
from api.settings import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    if get_settings().password_hashing == "cheap":  # the test suite's, never production's
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@lru_cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so that timing does not reveal which
    emails exist."""
    return _hasher().hash("not-a-real-password")


# Stored for an account whose person has not set a password yet: nothing signs in with it.
NO_PASSWORD = "!"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password, taking as long for an account without one as for a wrong one."""
    usable = password_hash if password_hash and password_hash != NO_PASSWORD else None
    try:
        return _hasher().verify(usable or _dummy_hash(), password) and usable is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh opaque token and the SHA-256 under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    role: Role
    agency_id: int | None


@dataclass(frozen=True)
class Principal:
    """Who is acting: a person (with roles per partnership) or a service token."""

    label: str
    token_id: int | None
    user_id: int | None = None
    is_platform_admin: bool = False
    grants: dict[int, frozenset[Grant]] = field(default_factory=dict)
    service_partnership_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_service(self) -> bool:
        return self.service_partnership_id is not None

    def roles_in(self, partnership_id: int) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants.get(partnership_id, frozenset()))

    def agencies_in(self, partnership_id: int) -> frozenset[int]:
        return frozenset(
            g.agency_id
            for g in self.grants.get(partnership_id, frozenset())
            if g.agency_id is not None
        )

    def partnership_ids(self) -> frozenset[int]:
        if self.service_partnership_id is not None:
            return frozenset({self.service_partnership_id})
        return frozenset(self.grants)


SCHEME_DESCRIPTION = f"""Send `Authorization: Bearer <token>`.

A person signs in here (OAuth2 password flow, `username` is the email) and acts with their
roles in each partnership. A partnership admin issues **service tokens** to other systems
(`POST /api/v1/partnerships/{{partnership_id}}/service-tokens`); a service token acts in its
own partnership only, with exactly what its scopes allow, and a refusal (403) names the
scope it lacks:

{scopes_markdown()}
"""

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", auto_error=False, description=SCHEME_DESCRIPTION
)


# A token's last use is kept to within this much: a token used again sooner is not written
# again, so that reading with a token does not write to the database on every request.
TOKEN_USE_GRANULARITY = timedelta(minutes=5)


def note_use(session: Session, row: ApiToken, now: datetime) -> None:
    """Record that the token is being used, at most once per TOKEN_USE_GRANULARITY.

    The write joins the request's transaction, so a request that fails (and rolls back)
    leaves no trace; the next successful one records the use. One conditional UPDATE makes
    concurrent requests write it once. On SQLite a reading request's transaction cannot
    always start writing (another writer committed meanwhile): the use is then recorded
    by a later request rather than failing this one.
    """
    if row.last_used_at is not None and now - row.last_used_at < TOKEN_USE_GRANULARITY:
        return
    stale = or_(
        col(ApiToken.last_used_at).is_(None),
        col(ApiToken.last_used_at) <= now - TOKEN_USE_GRANULARITY,
    )
    try:
        with session.begin_nested():
            session.execute(
                update(ApiToken).where(col(ApiToken.id) == row.id, stale).values(last_used_at=now)
            )
    except OperationalError:
        return


def active_memberships(session: Session, user_id: int) -> list[Membership]:
    """The person's roles, but none in a partnership that deactivated them."""
    deactivated = select(Deactivation.partnership_id).where(Deactivation.user_id == user_id)
    return list(
        session.exec(
            select(Membership).where(
                Membership.user_id == user_id, col(Membership.partnership_id).not_in(deactivated)
            )
        )
    )


def load_principal(session: Session, token: str) -> Principal:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise NotAuthenticated("The token is invalid, expired or revoked. Sign in again.")
    assert row.id is not None
    note_use(session, row, now)
    if row.kind == TokenKind.service:
        return Principal(
            label=f"service token “{row.name}”",
            token_id=row.id,
            service_partnership_id=row.partnership_id,
            scopes=frozenset(row.scopes),
        )
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("This account is not active.")
    assert user.id is not None
    grants: dict[int, set[Grant]] = {}
    for m in active_memberships(session, user.id):
        grants.setdefault(m.partnership_id, set()).add(Grant(m.role, m.agency_id))
    return Principal(
        label=user.name,
        token_id=row.id,
        user_id=user.id,
        is_platform_admin=user.is_platform_admin,
        grants={p: frozenset(g) for p, g in grants.items()},
    )


def current_principal(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise NotAuthenticated("Sign in, then send the token as `Authorization: Bearer …`.")
    return load_principal(session, token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def revoke(session: Session, token_id: int, at: datetime | None = None) -> None:
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = at or utcnow()
        session.add(row)
