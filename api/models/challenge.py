"""Challenge events: a panel meets some agencies of a programme, questions them on their
returns, scores them per standard and records an outcome, with follow-ups to done.

An agency invited to an event has one session there: the invitation (and why) and the
session (enquiries, scores, outcome) are the same record, so no session exists without an
invitation and no agency is invited twice.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.actions import ActionStatus
from api.models.base import (
    EnumText,
    Versioned,
    fk_field,
    id_field,
    optional_timestamp_field,
    timestamp_field,
)


class EventStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"


class SessionStatus(StrEnum):
    open = "open"
    closed = "closed"  # the outcome is recorded and the scores are locked


class Outcome(StrEnum):
    assured = "assured"
    partially_assured = "partially_assured"  # more information requested
    not_assured = "not_assured"  # escalated to the Executive


class ChallengeEvent(Versioned, table=True):
    __tablename__ = "challenge_event"

    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    programme_id: int = fk_field("programme.id")
    title: str = Field(max_length=200)
    held_on: date
    place: str = Field(max_length=200)  # a room, or "Online"
    chair_user_id: int = fk_field("user.id", index=False)
    status: EventStatus = Field(
        default=EventStatus.planned,
        sa_type=EnumText(EventStatus, 16),  # type: ignore[call-overload]
    )
    cancelled_reason: str | None = Field(default=None, sa_type=Text)
    created_by_id: int | None = fk_field("user.id", nullable=True, index=False)


class PanelMember(SQLModel, table=True):
    """A person who sits on an event's panel (the chair sits on it too)."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: int | None = id_field()
    event_id: int = fk_field("challenge_event.id")
    user_id: int = fk_field("user.id")


class ChallengeSession(Versioned, table=True):
    """One invited agency at an event: why it was invited, and how its session ended."""

    __tablename__ = "challenge_session"
    __table_args__ = (UniqueConstraint("event_id", "agency_id"),)

    id: int | None = id_field()
    event_id: int = fk_field("challenge_event.id")
    agency_id: int = fk_field("agency.id")
    reason: str = Field(sa_type=Text)
    status: SessionStatus = Field(
        default=SessionStatus.open,
        sa_type=EnumText(SessionStatus, 16),  # type: ignore[call-overload]
    )
    outcome: Outcome | None = Field(
        default=None,
        sa_type=EnumText(Outcome, 32),  # type: ignore[call-overload]
        nullable=True,
    )
    summary: str = Field(default="", sa_type=Text)
    closed_at: datetime | None = optional_timestamp_field()
    closed_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    closed_by_label: str | None = Field(default=None, max_length=200)


class SessionReopening(SQLModel, table=True):
    """Why a closed session was opened again, and by whom."""

    __tablename__ = "session_reopening"

    id: int | None = id_field()
    session_id: int = fk_field("challenge_session.id")
    reason: str = Field(sa_type=Text)
    by_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    by_label: str = Field(max_length=200)
    at: datetime = timestamp_field()


class LineOfEnquiry(Versioned, table=True):
    """A question the panel means to ask an agency; the agency reads it once the chair
    publishes it, and answers in writing before the day (the answer has its own version)."""

    __tablename__ = "line_of_enquiry"

    id: int | None = id_field()
    session_id: int = fk_field("challenge_session.id")
    question: str = Field(sa_type=Text)
    author_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    author_label: str = Field(max_length=200)
    published_at: datetime | None = optional_timestamp_field()
    answer: str = Field(default="", sa_type=Text)
    answer_version: int = 0
    answered_at: datetime | None = optional_timestamp_field()
    answered_by_label: str | None = Field(default=None, max_length=200)


class EnquiryStandard(SQLModel, table=True):
    """A standard a line of enquiry is about."""

    __tablename__ = "enquiry_standard"
    __table_args__ = (UniqueConstraint("enquiry_id", "standard_id"),)

    id: int | None = id_field()
    enquiry_id: int = fk_field("line_of_enquiry.id")
    standard_id: int = fk_field("standard.id", index=False)


class PanelScore(Versioned, table=True):
    """One panel member's score of one standard in a session, on the framework's scale."""

    __tablename__ = "panel_score"
    __table_args__ = (UniqueConstraint("session_id", "member_user_id", "standard_id"),)

    id: int | None = id_field()
    session_id: int = fk_field("challenge_session.id")
    member_user_id: int = fk_field("user.id", index=False)
    standard_id: int = fk_field("standard.id", index=False)
    level: str = Field(max_length=32)
    comment: str = Field(default="", sa_type=Text)


class FollowUp(Versioned, table=True):
    """Something a session's outcome asks for, tracked to done like an action."""

    __tablename__ = "follow_up"

    id: int | None = id_field()
    session_id: int = fk_field("challenge_session.id")
    description: str = Field(sa_type=Text)
    owner: str = Field(max_length=200)
    due_on: date
    to_executive: bool = False  # reported to the partnership's Executive
    status: ActionStatus = Field(
        default=ActionStatus.planned,
        sa_type=EnumText(ActionStatus, 16),  # type: ignore[call-overload]
    )
    completion_evidence: str | None = Field(default=None, sa_type=Text)
    created_by_id: int | None = fk_field("user.id", nullable=True, index=False)


class FollowUpUpdate(SQLModel, table=True):
    """A dated note of progress on a follow-up, by its author."""

    __tablename__ = "follow_up_update"

    id: int | None = id_field()
    follow_up_id: int = fk_field("follow_up.id")
    note: str = Field(sa_type=Text)
    author_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    author_label: str = Field(max_length=200)
    at: datetime = timestamp_field()
