"""Forgotten passwords: a single-use link by email, then a new password.

Asking answers alike whether or not the email has an account, and does the same work
either way (a token made and hashed, the email rendered, a row written), so that neither
the answer nor its timing tells who has an account. Requests are kept for every email, so
that throttling (per email, per client address) holds alike too. A link's token is kept
only as its SHA-256; it works once, within its time, for an active account.
"""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from api import passwords
from api.audit import service as audit
from api.auth.service import normalise_email, throttle
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import ApiToken, Membership, PasswordReset, SignInFailure, TokenKind, User
from api.models.base import utcnow
from api.notices import links
from api.notices.kinds import SecurityKind
from api.notices.send import render, security_email
from api.problems import DomainError
from api.security import hash_password, new_token, revoke, token_digest
from api.settings import Settings


class ResetLinkInvalid(DomainError):
    """One answer for a token never issued and one forged: nothing tells them apart."""

    status, slug, title = 400, "reset-link-invalid", "This password reset link is not valid"


class ResetLinkUsed(DomainError):
    status, slug, title = 400, "reset-link-used", "This password reset link was already used"


class ResetLinkExpired(DomainError):
    status, slug, title = 400, "reset-link-expired", "This password reset link has expired"


ASK_AGAIN = "Ask for a new link (POST /auth/password-reset)."


def request_reset(session: Session, *, email: str, client_address: str, settings: Settings) -> None:
    """Queue a reset link for an active account's email; for any other email, nothing,
    after the same work. Too many requests for the email or from the address: 429."""
    email = normalise_email(email)
    now = utcnow()
    window = timedelta(minutes=settings.password_reset_window_minutes)
    since = now - window
    throttle(
        session,
        at=col(PasswordReset.requested_at),
        where=col(PasswordReset.client_address) == client_address,
        limit=settings.password_reset_max_per_address,
        now=now,
        window=window,
        detail="Too many password reset requests from your network address. Wait, then try again.",
    )
    throttle(
        session,
        at=col(PasswordReset.requested_at),
        where=col(PasswordReset.email) == email,
        limit=settings.password_reset_max_per_email,
        now=now,
        window=window,
        detail="Too many password reset requests for this email. Wait, then try again.",
    )
    # Forget requests older than the window that carry no link still to be used.
    session.execute(
        delete(PasswordReset).where(
            col(PasswordReset.requested_at) <= since, col(PasswordReset.token_hash).is_(None)
        )
    )
    user = session.exec(select(User).where(User.email == email)).first()
    real = user is not None and user.is_active
    token, digest = new_token()
    ttl = settings.password_reset_ttl_minutes
    person = user if user is not None and real else User(email=email, name=email, password_hash="!")
    context = {"person": person, "reset_url": links.reset_password_page(token), "ttl_minutes": ttl}
    row = PasswordReset(email=email, client_address=client_address, requested_at=now)
    if user is not None and real:
        row.user_id, row.token_hash = user.id, digest
        row.expires_at = now + timedelta(minutes=ttl)
    session.add(row)
    session.flush()
    if user is not None and real:
        security_email(
            session,
            SecurityKind.password_reset,
            key=f"r{row.id}",
            partnership_id=None,
            recipient=user.email,
            context=context,
        )
    else:
        render(SecurityKind.password_reset, context)  # the same work, sent nowhere


def confirm_reset(session: Session, *, token: str, new_password: str) -> None:
    """Set the new password with a valid link: the link and any others of the person are
    used up, their sign-ins end and each partnership they belong to records it."""
    now = utcnow()
    row = session.exec(
        select(PasswordReset)
        .where(PasswordReset.token_hash == token_digest(token))
        .with_for_update()
    ).first()
    user = session.get(User, row.user_id) if row is not None and row.user_id else None
    if row is None or user is None or not user.is_active:
        raise ResetLinkInvalid(
            f"The link is not one Assure sent, or its account is closed. {ASK_AGAIN}"
        )
    if row.used_at is not None:
        raise ResetLinkUsed(f"Each link works once, and this one was used. {ASK_AGAIN}")
    if row.expires_at is None or row.expires_at <= now:
        raise ResetLinkExpired(
            f"A link works for a limited time, and this one's has passed. {ASK_AGAIN}"
        )
    passwords.require_acceptable(
        new_password, field="new_password", personal=[user.email, user.name]
    )
    assert user.id is not None
    before = audit.snapshot(user)
    user.password_hash = hash_password(new_password)
    bump_version(session, user)
    session.add(user)
    for other in session.exec(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, col(PasswordReset.used_at).is_(None)
        )
    ):
        other.used_at = now
        session.add(other)
    for sign_in in session.exec(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.kind == TokenKind.session,
            col(ApiToken.revoked_at).is_(None),
        )
    ):
        assert sign_in.id is not None
        revoke(session, sign_in.id, at=now)
    session.execute(delete(SignInFailure).where(col(SignInFailure.email) == user.email))
    held = session.exec(
        select(Membership.partnership_id).where(Membership.user_id == user.id).distinct()
    ).all()
    after = {**(audit.snapshot(user) or {}), "password_changed": True, "sign_ins_ended": True}
    partnerships: list[int | None] = [*sorted(held)] or [None]  # none: installation-wide
    for partnership_id in partnerships:
        emit(
            session,
            Event.user_password_reset,
            principal=None,
            entity_type="user",
            entity_id=user.id,
            partnership_id=partnership_id,
            before=before,
            after=after,
            actor_label=user.name,
        )
