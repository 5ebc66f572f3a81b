"""Signing in and out, throttling failures, and service tokens for other systems."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from api.audit import service as audit
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    Agency,
    ApiToken,
    Membership,
    Partnership,
    Role,
    SignInFailure,
    TokenKind,
    User,
)
from api.models.base import utcnow
from api.permissions import Permission, can, may_grant, returns_seen
from api.problems import NotAuthenticated, NotFound, TooManyRequests
from api.security import Principal, new_token, revoke, verify_password
from api.settings import Settings


class WrongPassword(NotAuthenticated):
    keeps_writes = True  # the failure is recorded, for throttling


def normalise_email(email: str) -> str:
    return email.strip().lower()


def throttle(
    session: Session,
    *,
    at: Any,
    where: Any,
    limit: int,
    window: timedelta,
    now: datetime,
    detail: str,
) -> None:
    """Refuse (429, with Retry-After) when `limit` rows matching `where` have their time
    `at` (a column: a failed sign-in's, a reset request's) within the window."""
    recent = select(at).where(where, at > now - window)
    count = session.exec(select(func.count()).select_from(recent.subquery())).one()
    if count >= limit:
        oldest = session.exec(recent.order_by(at)).first() or now
        raise TooManyRequests(detail, retry_after=retry_after(oldest + window, now))


def retry_after(free_at: datetime, now: datetime) -> int:
    """Whole seconds until `free_at`, at least 1 (for a Retry-After header)."""
    return max(1, int((free_at - now).total_seconds()) + 1)


def sign_in(
    session: Session, *, email: str, password: str, settings: Settings, client_address: str
) -> tuple[str, ApiToken]:
    """Check the password and issue a session token; too many failures lock the email out,
    and too many from one address (across emails: password spraying) lock the address out.

    A failed attempt is kept even though the request fails (`WrongPassword` keeps the
    request's writes), so that throttling holds across requests, servers and concurrent
    attempts.
    """
    email = normalise_email(email)
    # Sign-ins to one account take turns, holding its row, so that guesses made at the same
    # moment each see the others' failures and the limit holds (SQLite's write lock, taken
    # when a write begins, already serialises them).
    user = session.exec(select(User).where(User.email == email).with_for_update()).first()
    now = utcnow()
    window = timedelta(minutes=settings.sign_in_window_minutes)
    throttle(
        session,
        at=col(SignInFailure.failed_at),
        where=col(SignInFailure.client_address) == client_address,
        limit=settings.sign_in_max_failures_per_address,
        window=window,
        now=now,
        detail="Too many failed sign-ins from your network address. Wait, then try again.",
    )
    throttle(
        session,
        at=col(SignInFailure.failed_at),
        where=col(SignInFailure.email) == email,
        limit=settings.sign_in_max_failures,
        window=window,
        now=now,
        detail="Too many failed sign-ins for this email. Wait, then try again.",
    )
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active
    ):
        # Forget failures older than the window, so the table stays small under attack.
        session.execute(delete(SignInFailure).where(col(SignInFailure.failed_at) <= now - window))
        session.add(SignInFailure(email=email, client_address=client_address, failed_at=now))
        raise WrongPassword("The email or password is not right.")
    session.execute(delete(SignInFailure).where(col(SignInFailure.email) == email))
    return start_session(session, user=user, settings=settings)


def start_session(session: Session, *, user: User, settings: Settings) -> tuple[str, ApiToken]:
    """A new session token for a person whose password was just checked or just set."""
    token, digest = new_token()
    row = ApiToken(
        token_hash=digest,
        kind=TokenKind.session,
        name="sign-in",
        user_id=user.id,
        expires_at=utcnow() + timedelta(minutes=settings.token_ttl_minutes),
    )
    session.add(row)
    return token, row


def sign_out(session: Session, *, principal: Principal) -> None:
    if principal.token_id is not None:
        revoke(session, principal.token_id)


def _access(session: Session, principal: Principal) -> list[dict[str, object]]:
    """Each partnership the principal belongs to, with what they may do there."""
    rows = session.exec(
        select(Partnership)
        .where(col(Partnership.id).in_(principal.partnership_ids()))
        .order_by(col(Partnership.name))
    ).all()
    return [
        {
            "id": p.id,
            "slug": p.slug,
            "name": p.name,
            "roles": sorted(principal.roles_in(p.id or 0)),
            "actions": sorted(a.value for a in Permission if can(principal, p.id or 0, a)),
            "returns_seen": returns_seen(principal, p.id or 0),
            "grantable_roles": [r for r in Role if may_grant(principal, p.id or 0, r)],
        }
        for p in rows
    ]


def me(session: Session, *, principal: Principal) -> dict[str, object]:
    """The acting principal, with each role and the names of its partnership and agency."""
    if principal.user_id is None:
        return {
            "id": None,
            "name": principal.label,
            "email": None,
            "is_platform_admin": False,
            "service_partnership_id": principal.service_partnership_id,
            "scopes": sorted(principal.scopes),
            "memberships": [],
            "partnerships": _access(session, principal),
        }
    user = session.get(User, principal.user_id)
    assert user is not None
    rows = session.exec(
        select(Membership, Partnership.name, Agency.name)
        .join(Partnership, col(Partnership.id) == Membership.partnership_id)
        .outerjoin(Agency, col(Agency.id) == Membership.agency_id)
        .where(
            Membership.user_id == user.id,
            col(Membership.partnership_id).in_(principal.partnership_ids()),
        )
        .order_by(col(Partnership.name), col(Membership.role))
    ).all()
    return {
        "id": user.id,
        "version": user.version,
        "name": user.name,
        "email": user.email,
        "is_platform_admin": user.is_platform_admin,
        "memberships": [
            {
                "id": m.id,
                "partnership_id": m.partnership_id,
                "partnership_name": p_name,
                "role": m.role,
                "agency_id": m.agency_id,
                "agency_name": a_name,
            }
            for m, p_name, a_name in rows
        ],
        "partnerships": _access(session, principal),
    }


def issue_service_token(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    name: str,
    scopes: list[str],
    expires_in_days: int,
) -> tuple[str, ApiToken]:
    token, digest = new_token()
    row = ApiToken(
        token_hash=digest,
        kind=TokenKind.service,
        name=name,
        partnership_id=partnership_id,
        scopes=scopes,
        created_by_id=principal.user_id,
        expires_at=utcnow() + timedelta(days=expires_in_days),
    )
    session.add(row)
    session.flush()
    emit(
        session,
        Event.service_token_issue,
        principal=principal,
        entity_type="service_token",
        entity_id=row.id,
        partnership_id=partnership_id,
        after=audit.snapshot(row, exclude={"token_hash"}),
    )
    return token, row


def list_service_tokens(
    session: Session, *, partnership_id: int, limit: int, offset: int
) -> tuple[list[ApiToken], int]:
    query = select(ApiToken).where(
        ApiToken.partnership_id == partnership_id, ApiToken.kind == TokenKind.service
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_service_token(session: Session, *, partnership_id: int, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.kind != TokenKind.service or row.partnership_id != partnership_id:
        raise NotFound("No such service token.")
    return row


def revoke_service_token(
    session: Session, *, principal: Principal, partnership_id: int, token_id: int
) -> None:
    row = get_service_token(session, partnership_id=partnership_id, token_id=token_id)
    before = audit.snapshot(row, exclude={"token_hash"})
    revoke(session, token_id)
    emit(
        session,
        Event.service_token_revoke,
        principal=principal,
        entity_type="service_token",
        entity_id=token_id,
        partnership_id=partnership_id,
        before=before,
        after=audit.snapshot(row, exclude={"token_hash"}),
    )
