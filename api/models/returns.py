"""Returns: one agency's self-assessment in one programme, answered requirement by requirement."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import (
    EnumText,
    Versioned,
    fk_field,
    id_field,
    optional_timestamp_field,
    timestamp_field,
)


class ReturnStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    returned = "returned"  # for more information, with the reviewer's reasons
    accepted = "accepted"


class Return(Versioned, table=True):
    """An agency's return in a programme; made when the programme opens (or asks it later)."""

    __tablename__ = "agency_return"  # "return" is a keyword in SQL
    __table_args__ = (UniqueConstraint("programme_id", "agency_id"),)

    id: int | None = id_field()
    programme_id: int = fk_field("programme.id")
    agency_id: int = fk_field("agency.id")
    status: ReturnStatus = Field(
        default=ReturnStatus.not_started,
        sa_type=EnumText(ReturnStatus, 16),  # type: ignore[call-overload]
    )
    started_at: datetime | None = optional_timestamp_field()
    submitted_at: datetime | None = optional_timestamp_field()  # the latest submission
    accepted_at: datetime | None = optional_timestamp_field()
    # An extension of the programme's deadline for this agency, granted by the partnership.
    extended_to: date | None = None
    extension_reason: str | None = Field(default=None, sa_type=Text)
    extended_at: datetime | None = optional_timestamp_field()
    extended_by_label: str | None = Field(default=None, max_length=200)


class RequirementResponse(SQLModel, table=True):
    """The agency's answer to one requirement; its `version` guards against lost updates."""

    __tablename__ = "requirement_response"
    __table_args__ = (UniqueConstraint("return_id", "requirement_id"),)

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    requirement_id: int = fk_field("requirement.id")
    rating: str | None = Field(default=None, max_length=32)
    evidence: str = Field(default="", sa_type=Text)
    comment: str = Field(default="", sa_type=Text)
    carried_forward: bool = False  # copied from an earlier return: unrated until reviewed
    version: int = 1
    updated_at: datetime = timestamp_field()
    updated_by_id: int | None = fk_field("user.id", nullable=True, index=False)


class ReturnEvent(SQLModel, table=True):
    """A move in a return's life: who, when, from and to what, and why."""

    __tablename__ = "return_event"

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    from_status: ReturnStatus = Field(sa_type=EnumText(ReturnStatus, 16))  # type: ignore[call-overload]
    to_status: ReturnStatus = Field(sa_type=EnumText(ReturnStatus, 16))  # type: ignore[call-overload]
    actor_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    actor_label: str = Field(max_length=200)
    reason: str | None = Field(default=None, sa_type=Text)
    at: datetime = timestamp_field()


class ReturnVersion(SQLModel, table=True):
    """A submission, frozen: what was signed off, by whom, and a hash of its content."""

    __tablename__ = "return_version"
    __table_args__ = (UniqueConstraint("return_id", "number"),)

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    number: int
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_sha256: str = Field(max_length=64)
    signed_off_name: str = Field(max_length=200)
    signed_off_role: str = Field(max_length=200)
    signed_off_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    submitted_at: datetime = timestamp_field()
    # The due date in force at this submission: the first one's decides on time or late,
    # whatever later happens to the deadline.
    due_on: date
