"""What state an invitation is in, and how long its link lasts."""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case
from sqlmodel import col

from api.models import Invitation

LIFETIME = timedelta(days=7)


class InvitationState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"


def state(invitation: Invitation, now: datetime) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.accepted
    if invitation.revoked_at is not None:
        return InvitationState.revoked
    if invitation.expires_at <= now:
        return InvitationState.expired
    return InvitationState.pending


def where_state(wanted: InvitationState, now: datetime) -> ColumnElement[bool]:
    """The same rule as `state`, as a condition on the table."""
    accepted = col(Invitation.accepted_at).is_not(None)
    revoked = col(Invitation.revoked_at).is_not(None)
    open_ = and_(~accepted, ~revoked)
    return {
        InvitationState.accepted: accepted,
        InvitationState.revoked: and_(~accepted, revoked),
        InvitationState.expired: and_(open_, col(Invitation.expires_at) <= now),
        InvitationState.pending: and_(open_, col(Invitation.expires_at) > now),
    }[wanted]


def pending_first(now: datetime) -> ColumnElement[int]:
    """0 for a pending invitation, 1 for any other: an ordering key."""
    return case((where_state(InvitationState.pending, now), 0), else_=1)
