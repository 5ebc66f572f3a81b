"""Deactivating a person in one partnership, and reactivating them.

A deactivated person keeps their account, their roles here (so reactivation restores them)
and their place in every other partnership; here their roles give them nothing (the
principal loading ignores them, api/security.py) and no notices reach them.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.audit import service as audit
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import Deactivation, Membership, Role, User
from api.people import service as people
from api.people.schemas import UserRead
from api.permissions import require_may_grant
from api.problems import Conflict
from api.security import Principal


class CannotDeactivate(Conflict):
    slug, title = "cannot-deactivate", "This person cannot be deactivated"


def _deactivation(session: Session, *, partnership_id: int, user_id: int) -> Deactivation | None:
    return session.exec(
        select(Deactivation).where(
            Deactivation.partnership_id == partnership_id, Deactivation.user_id == user_id
        )
    ).first()


def _roles(session: Session, *, partnership_id: int, user_id: int) -> list[Role]:
    rows = session.exec(
        select(Membership.role).where(
            Membership.partnership_id == partnership_id, Membership.user_id == user_id
        )
    ).all()
    return [Role(r) for r in rows]


def _require_may_change(
    session: Session, *, principal: Principal, partnership_id: int, user_id: int
) -> list[Role]:
    """A service token (de)activates only people whose every role it could give."""
    roles = _roles(session, partnership_id=partnership_id, user_id=user_id)
    for role in sorted(set(roles)):
        require_may_grant(principal, partnership_id, role)
    return roles


def deactivate(
    session: Session, *, principal: Principal, partnership_id: int, user: User
) -> UserRead:
    """Stop the person's access here at once; deactivating them again changes nothing."""
    assert user.id is not None
    roles = _require_may_change(
        session, principal=principal, partnership_id=partnership_id, user_id=user.id
    )
    if _deactivation(session, partnership_id=partnership_id, user_id=user.id) is not None:
        return people.read(session, partnership_id=partnership_id, user=user)
    if principal.user_id == user.id:
        raise CannotDeactivate(
            "You cannot deactivate yourself; ask another partnership admin to do it."
        )
    if Role.partnership_admin in roles and not people.other_active_admins(
        session, partnership_id=partnership_id, user_id=user.id
    ):
        raise CannotDeactivate(
            f"{user.name} is the partnership's last active partnership admin. Make someone "
            "else a partnership admin first."
        )
    row = Deactivation(
        user_id=user.id, partnership_id=partnership_id, deactivated_by_id=principal.user_id
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # deactivated by another request a moment ago
        return people.read(session, partnership_id=partnership_id, user=user)
    emit(
        session,
        Event.user_deactivate,
        principal=principal,
        entity_type="user",
        entity_id=user.id,
        partnership_id=partnership_id,
        after=audit.snapshot(row),
    )
    return people.read(session, partnership_id=partnership_id, user=user)


def reactivate(
    session: Session, *, principal: Principal, partnership_id: int, user: User
) -> UserRead:
    """Give the person their roles here back; reactivating an active person changes nothing."""
    assert user.id is not None
    _require_may_change(
        session, principal=principal, partnership_id=partnership_id, user_id=user.id
    )
    row = _deactivation(session, partnership_id=partnership_id, user_id=user.id)
    if row is not None:
        emit(
            session,
            Event.user_reactivate,
            principal=principal,
            entity_type="user",
            entity_id=user.id,
            partnership_id=partnership_id,
            before=audit.snapshot(row),
        )
        session.delete(row)
        session.flush()
    return people.read(session, partnership_id=partnership_id, user=user)
