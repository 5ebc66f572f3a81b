"""Programmes: one audit cycle of a partnership, and the agencies it asks."""

from datetime import date, datetime
from enum import StrEnum

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
from api.notices.schedule import DEFAULT_REMINDER_DAYS


class ProgrammeStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Programme(Versioned, table=True):
    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    framework_version_id: int = fk_field("framework_version.id")
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    opens_on: date
    deadline: date
    # Days before the deadline when agencies not yet submitted are reminded (nearest last).
    reminder_days: list[int] = Field(
        default_factory=lambda: list(DEFAULT_REMINDER_DAYS), sa_column=Column(JSON, nullable=False)
    )
    status: ProgrammeStatus = Field(
        default=ProgrammeStatus.draft,
        sa_type=EnumText(ProgrammeStatus, 16),  # type: ignore[call-overload]
    )
    opened_at: datetime | None = optional_timestamp_field()
    closed_at: datetime | None = optional_timestamp_field()


class ProgrammeAgency(SQLModel, table=True):
    """An agency asked to make a return in a programme."""

    __tablename__ = "programme_agency"
    __table_args__ = (UniqueConstraint("programme_id", "agency_id"),)

    id: int | None = id_field()
    programme_id: int = fk_field("programme.id")
    agency_id: int = fk_field("agency.id")
    added_at: datetime = timestamp_field()
