"""Who a notice goes to: an agency's editors and approvers, or the business unit; never
someone the partnership deactivated."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from api.models import Deactivation, Membership, Role, User

AGENCY_STAFF = (Role.agency_editor, Role.agency_approver)


def _active_here(partnership_id: int):  # type: ignore[no-untyped-def]
    deactivated = select(Deactivation.user_id).where(Deactivation.partnership_id == partnership_id)
    return col(User.id).not_in(deactivated)


def agency_staff(session: Session, *, partnership_id: int, agency_id: int) -> Sequence[User]:
    """The agency's editors and approvers in this partnership, each once."""
    return session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.partnership_id == partnership_id,
            Membership.agency_id == agency_id,
            col(Membership.role).in_(AGENCY_STAFF),
            _active_here(partnership_id),
        )
        .distinct()
        .order_by(col(User.id))
    ).all()


def business_unit(session: Session, *, partnership_id: int) -> Sequence[User]:
    """The partnership's admins: its business unit."""
    return session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.partnership_id == partnership_id,
            Membership.role == Role.partnership_admin,
            _active_here(partnership_id),
        )
        .distinct()
        .order_by(col(User.id))
    ).all()
