"""People and their roles in a partnership."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api import passwords
from api.agencies import service as agencies
from api.audit import service as audit
from api.auth.service import normalise_email
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.http import like
from api.models import Agency, ApiToken, Deactivation, Membership, Role, TokenKind, User
from api.people.schemas import (
    AccountChange,
    GrantIn,
    OwnAccountChange,
    RoleRead,
    UserCreate,
    UserRead,
)
from api.permissions import require_may_grant
from api.problems import Conflict, Forbidden, Invalid, NotFound
from api.security import NO_PASSWORD, Principal, hash_password, revoke, verify_password


class EmailUnavailable(Conflict):
    """The one answer for an email that cannot have a new account, whatever the reason.

    It never says whether the email has an account, nor whose, nor where: a partnership
    may not learn of, read or change a person it does not hold (ADR 3).
    """

    slug, title = "email-unavailable", "This email cannot be given a new account"
    explanation = (
        "Assure cannot make a new account for this email. A person who already uses Assure "
        "is not added by email: give someone of this partnership another role from their "
        "record (POST …/users/{user_id}/roles); invite anyone else by email "
        "(POST …/invitations), whether or not they use Assure elsewhere."
    )


def _memberships(
    session: Session, *, partnership_id: int, user_ids: list[int]
) -> dict[int, list[RoleRead]]:
    rows = session.exec(
        select(Membership, Agency.name)
        .outerjoin(Agency, col(Agency.id) == Membership.agency_id)
        .where(Membership.partnership_id == partnership_id, col(Membership.user_id).in_(user_ids))
        .order_by(col(Membership.role))
    ).all()
    out: dict[int, list[RoleRead]] = defaultdict(list)
    for m, agency_name in rows:
        assert m.id is not None
        out[m.user_id].append(
            RoleRead(
                membership_id=m.id, role=m.role, agency_id=m.agency_id, agency_name=agency_name
            )
        )
    return out


def _deactivations(
    session: Session, *, partnership_id: int, user_ids: list[int]
) -> dict[int, datetime]:
    """When each of these people was deactivated here (the active ones are absent)."""
    rows = session.exec(
        select(Deactivation).where(
            Deactivation.partnership_id == partnership_id,
            col(Deactivation.user_id).in_(user_ids),
        )
    ).all()
    return {d.user_id: d.created_at for d in rows}


def _read(user: User, roles: list[RoleRead], deactivated_at: datetime | None = None) -> UserRead:
    assert user.id is not None
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        active_here=deactivated_at is None,
        deactivated_at=deactivated_at,
        version=user.version,
        created_at=user.created_at,
        roles=roles,
    )


def _members_query(partnership_id: int):  # type: ignore[no-untyped-def]
    in_partnership = select(Membership.user_id).where(Membership.partnership_id == partnership_id)
    return select(User).where(col(User.id).in_(in_partnership))


def list_users(
    session: Session,
    *,
    partnership_id: int,
    q: str | None,
    role: Role | None,
    agency_id: int | None,
    limit: int,
    offset: int,
    active: bool | None = None,
) -> tuple[list[UserRead], int]:
    query = _members_query(partnership_id)
    if active is not None:
        deactivated = select(Deactivation.user_id).where(
            Deactivation.partnership_id == partnership_id
        )
        member = col(User.id).not_in(deactivated) if active else col(User.id).in_(deactivated)
        query = query.where(member)
    if q:
        pattern = like(q)
        query = query.where(
            col(User.name).ilike(pattern, escape="\\") | col(User.email).ilike(pattern, escape="\\")
        )
    if role is not None or agency_id is not None:
        matching = select(Membership.user_id).where(Membership.partnership_id == partnership_id)
        if role is not None:
            matching = matching.where(Membership.role == role)
        if agency_id is not None:
            matching = matching.where(Membership.agency_id == agency_id)
        query = query.where(col(User.id).in_(matching))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    users = session.exec(query.order_by(col(User.name)).limit(limit).offset(offset)).all()
    ids = [u.id for u in users if u.id]
    roles = _memberships(session, partnership_id=partnership_id, user_ids=ids)
    off = _deactivations(session, partnership_id=partnership_id, user_ids=ids)
    return [_read(u, roles.get(u.id or 0, []), off.get(u.id or 0)) for u in users], total


def get_user(session: Session, *, partnership_id: int, user_id: int) -> User:
    user = session.exec(_members_query(partnership_id).where(User.id == user_id)).first()
    if user is None:
        raise NotFound("No such person in this partnership.")
    return user


def read(session: Session, *, partnership_id: int, user: User) -> UserRead:
    assert user.id is not None
    roles = _memberships(session, partnership_id=partnership_id, user_ids=[user.id])
    off = _deactivations(session, partnership_id=partnership_id, user_ids=[user.id])
    return _read(user, roles.get(user.id, []), off.get(user.id))


def _check_grant(
    session: Session, *, principal: Principal, partnership_id: int, grant: GrantIn, at: str
) -> None:
    """Refuse a role the principal may not give, or at an agency outside the partnership."""
    require_may_grant(principal, partnership_id, grant.role)
    if grant.agency_id is not None:
        try:
            agencies.get_pair(session, partnership_id=partnership_id, agency_id=grant.agency_id)
        except NotFound:
            raise Invalid({at: "is not an agency of this partnership"}) from None


def _add_grant(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    user: User,
    grant: GrantIn,
    at: str = "agency_id",
) -> Membership:
    """Give `user` a role; `at` names the field the grant came from, for errors."""
    _check_grant(session, principal=principal, partnership_id=partnership_id, grant=grant, at=at)
    existing = session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.partnership_id == partnership_id,
            Membership.role == grant.role,
            Membership.agency_id == grant.agency_id
            if grant.agency_id is not None
            else col(Membership.agency_id).is_(None),
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{user.name} already holds this role.")
    assert user.id is not None
    membership = Membership(
        user_id=user.id, partnership_id=partnership_id, role=grant.role, agency_id=grant.agency_id
    )
    session.add(membership)
    session.flush()
    emit(
        session,
        Event.membership_create,
        principal=principal,
        entity_type="membership",
        entity_id=membership.id,
        partnership_id=partnership_id,
        after=audit.snapshot(membership),
    )
    return membership


def _refuse_taken(session: Session, email: str) -> None:
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise EmailUnavailable(EmailUnavailable.explanation)


def _save_account(session: Session, user: User) -> None:
    """Write the account, refusing alike if another request took its email a moment ago."""
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise EmailUnavailable(EmailUnavailable.explanation) from None


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: UserCreate
) -> UserRead:
    """Make a new account with its roles here; an email that has an account is refused.

    Everything that does not depend on the email is checked first, so that the refusal of
    an existing email is the only answer that differs, and it says nothing of the account.
    """
    if principal.is_service and data.password is not None:
        raise Invalid({"password": "A service token never sets a password; people set their own"})
    if not principal.is_service and data.password is None:
        raise Invalid({"password": "A new account needs a password: " + passwords.RULES})
    grants = [(grant, f"roles.{i}.agency_id") for i, grant in enumerate(data.roles)]
    for grant, at in grants:
        _check_grant(
            session, principal=principal, partnership_id=partnership_id, grant=grant, at=at
        )
    email = normalise_email(str(data.email))
    if data.password is not None:
        passwords.require_acceptable(data.password, personal=[email, data.name])
    _refuse_taken(session, email)
    password_hash = hash_password(data.password) if data.password is not None else NO_PASSWORD
    user = User(email=email, name=data.name, password_hash=password_hash)
    _save_account(session, user)
    emit(
        session,
        Event.user_create,
        principal=principal,
        entity_type="user",
        entity_id=user.id,
        partnership_id=partnership_id,
        after=audit.snapshot(user),
    )
    for grant, at in grants:
        _add_grant(
            session,
            principal=principal,
            partnership_id=partnership_id,
            user=user,
            grant=grant,
            at=at,
        )
    return read(session, partnership_id=partnership_id, user=user)


def add_role(
    session: Session, *, principal: Principal, partnership_id: int, user: User, grant: GrantIn
) -> UserRead:
    _add_grant(session, principal=principal, partnership_id=partnership_id, user=user, grant=grant)
    return read(session, partnership_id=partnership_id, user=user)


def other_active_admins(session: Session, *, partnership_id: int, user_id: int) -> int:
    """How many people but this one are active partnership admins here."""
    deactivated = select(Deactivation.user_id).where(Deactivation.partnership_id == partnership_id)
    return session.exec(
        select(func.count(func.distinct(Membership.user_id))).where(
            Membership.partnership_id == partnership_id,
            Membership.role == Role.partnership_admin,
            Membership.user_id != user_id,
            col(Membership.user_id).not_in(deactivated),
        )
    ).one()


def remove_role(
    session: Session, *, principal: Principal, partnership_id: int, membership_id: int
) -> None:
    """Take a role away; a partnership always keeps at least one partnership admin.

    A service token takes away only roles it could give, so it cannot unseat the admins
    and approvers it could never appoint.
    """
    membership = session.get(Membership, membership_id)
    if membership is None or membership.partnership_id != partnership_id:
        raise NotFound("No such role in this partnership.")
    require_may_grant(principal, partnership_id, membership.role)  # take only what one may give
    if membership.role == Role.partnership_admin and not other_active_admins(
        session, partnership_id=partnership_id, user_id=membership.user_id
    ):
        raise Conflict("A partnership must keep at least one active partnership admin.")
    emit(
        session,
        Event.membership_delete,
        principal=principal,
        entity_type="membership",
        entity_id=membership.id,
        partnership_id=partnership_id,
        before=audit.snapshot(membership),
    )
    session.delete(membership)


# ---------------------------------------------------------------------------------------
# A person's own account: name, email and password. No partnership owns these; only the
# person (PATCH /me) or a platform admin changes them.


def get_account(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


def change_own_account(session: Session, *, principal: Principal, data: OwnAccountChange) -> User:
    """A person changes their own account; a new email or password needs the current one.

    Asking for the password again means that a token alone (a borrowed laptop, a leaked
    cookie) cannot take the account over. The person's other sign-ins end with a new password.
    """
    if principal.user_id is None:
        raise Forbidden("A service token has no account of its own to change.")
    user = get_account(session, user_id=principal.user_id)
    if (data.email is not None or data.password is not None) and not verify_password(
        user.password_hash, data.current_password or ""
    ):
        raise Invalid({"current_password": "is not your current password"})
    return _change(session, principal=principal, user=user, data=data)


def change_account(
    session: Session, *, principal: Principal, user: User, data: AccountChange
) -> User:
    """A platform admin changes someone's account (a new password ends their sign-ins)."""
    return _change(session, principal=principal, user=user, data=data)


def _change(session: Session, *, principal: Principal, user: User, data: AccountChange) -> User:
    """Apply the change, then record it in every partnership that shows this person."""
    email = normalise_email(str(data.email)) if data.email is not None else user.email
    name = data.name if data.name is not None else user.name
    if (email, name) == (user.email, user.name) and data.password is None:
        return user  # nothing to change: no new version, no event
    if data.password is not None:
        passwords.require_acceptable(data.password, personal=[email, name, user.email])
    if email != user.email:
        _refuse_taken(session, email)
    before = audit.snapshot(user)
    user.email, user.name = email, name
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        assert user.id is not None
        _end_sign_ins(session, user_id=user.id, keep=principal.token_id)
    bump_version(session, user)
    _save_account(session, user)
    after = audit.snapshot(user) or {}
    if data.password is not None:
        after["password_changed"] = True  # never the hash; only that it changed
    held = session.exec(
        select(Membership.partnership_id).where(Membership.user_id == user.id).distinct()
    ).all()
    partnerships: list[int | None] = [*sorted(held)] or [None]  # none: installation-wide
    for partnership_id in partnerships:
        emit(
            session,
            Event.user_update,
            principal=principal,
            entity_type="user",
            entity_id=user.id,
            partnership_id=partnership_id,
            before=before,
            after=after,
        )
    return user


def _end_sign_ins(session: Session, *, user_id: int, keep: int | None) -> None:
    """Revoke the person's sign-ins but the one making the change (if it is theirs)."""
    tokens = session.exec(
        select(ApiToken).where(
            ApiToken.user_id == user_id,
            ApiToken.kind == TokenKind.session,
            col(ApiToken.revoked_at).is_(None),
        )
    ).all()
    for token in tokens:
        if token.id != keep:
            assert token.id is not None
            revoke(session, token.id)
