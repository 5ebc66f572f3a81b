"""People and their roles in a partnership."""

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agencies import service as agencies
from api.audit import service as audit
from api.auth.service import normalise_email
from api.db import bump_version
from api.http import like
from api.models import Agency, Membership, Role, User
from api.people.schemas import GrantIn, RoleRead, UserCreate, UserRead, UserUpdate
from api.permissions import require_may_grant
from api.problems import Conflict, Invalid, NotFound
from api.security import Principal, hash_password


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


def _read(user: User, roles: list[RoleRead]) -> UserRead:
    assert user.id is not None
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
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
) -> tuple[list[UserRead], int]:
    query = _members_query(partnership_id)
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
    roles = _memberships(
        session, partnership_id=partnership_id, user_ids=[u.id for u in users if u.id]
    )
    return [_read(u, roles.get(u.id or 0, [])) for u in users], total


def get_user(session: Session, *, partnership_id: int, user_id: int) -> User:
    user = session.exec(_members_query(partnership_id).where(User.id == user_id)).first()
    if user is None:
        raise NotFound("No such person in this partnership.")
    return user


def read(session: Session, *, partnership_id: int, user: User) -> UserRead:
    assert user.id is not None
    roles = _memberships(session, partnership_id=partnership_id, user_ids=[user.id])
    return _read(user, roles.get(user.id, []))


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
    require_may_grant(principal, partnership_id, grant.role)
    if grant.agency_id is not None:
        try:
            agencies.get_pair(session, partnership_id=partnership_id, agency_id=grant.agency_id)
        except NotFound:
            raise Invalid({at: "is not an agency of this partnership"}) from None
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
    audit.record(
        session,
        principal=principal,
        action="membership.create",
        entity_type="membership",
        entity_id=membership.id,
        partnership_id=partnership_id,
        after=audit.snapshot(membership),
    )
    return membership


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: UserCreate
) -> UserRead:
    """Add a person with their roles; a person who already has an account keeps it."""
    email = normalise_email(str(data.email))
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        if data.password is None:
            raise Invalid({"password": "A new account needs a password of 10 characters or more"})
        user = User(email=email, name=data.name, password_hash=hash_password(data.password))
        session.add(user)
        session.flush()
        audit.record(
            session,
            principal=principal,
            action="user.create",
            entity_type="user",
            entity_id=user.id,
            partnership_id=partnership_id,
            after=audit.snapshot(user),
        )
    for i, grant in enumerate(data.roles):
        _add_grant(
            session,
            principal=principal,
            partnership_id=partnership_id,
            user=user,
            grant=grant,
            at=f"roles.{i}.agency_id",
        )
    return read(session, partnership_id=partnership_id, user=user)


def update(
    session: Session, *, principal: Principal, partnership_id: int, user: User, data: UserUpdate
) -> UserRead:
    if user.name == data.name:  # nothing to change: no new version, no event
        return read(session, partnership_id=partnership_id, user=user)
    before = audit.snapshot(user)
    user.name = data.name
    bump_version(session, user)
    session.add(user)
    audit.record(
        session,
        principal=principal,
        action="user.update",
        entity_type="user",
        entity_id=user.id,
        partnership_id=partnership_id,
        before=before,
        after=audit.snapshot(user),
    )
    return read(session, partnership_id=partnership_id, user=user)


def add_role(
    session: Session, *, principal: Principal, partnership_id: int, user: User, grant: GrantIn
) -> UserRead:
    _add_grant(session, principal=principal, partnership_id=partnership_id, user=user, grant=grant)
    return read(session, partnership_id=partnership_id, user=user)


def remove_role(
    session: Session, *, principal: Principal, partnership_id: int, membership_id: int
) -> None:
    """Take a role away; a partnership always keeps at least one partnership admin."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.partnership_id != partnership_id:
        raise NotFound("No such role in this partnership.")
    if membership.role == Role.partnership_admin:
        admins = session.exec(
            select(func.count()).where(
                Membership.partnership_id == partnership_id,
                Membership.role == Role.partnership_admin,
            )
        ).one()
        if admins <= 1:
            raise Conflict("A partnership must keep at least one partnership admin.")
    audit.record(
        session,
        principal=principal,
        action="membership.delete",
        entity_type="membership",
        entity_id=membership.id,
        partnership_id=partnership_id,
        before=audit.snapshot(membership),
    )
    session.delete(membership)
