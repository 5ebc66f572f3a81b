"""Actions: the improvements an agency commits to. They outlive the programme they began in."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import EnumText, Versioned, fk_field, id_field, timestamp_field


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.planned, ActionStatus.in_progress})


class Action(Versioned, table=True):
    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    agency_id: int = fk_field("agency.id")
    return_id: int | None = fk_field("agency_return.id", nullable=True)  # where it began
    description: str = Field(sa_type=Text)
    owner: str = Field(max_length=200)
    due_on: date
    status: ActionStatus = Field(
        default=ActionStatus.planned,
        sa_type=EnumText(ActionStatus, 16),  # type: ignore[call-overload]
    )
    completion_evidence: str | None = Field(default=None, sa_type=Text)
    created_by_id: int | None = fk_field("user.id", nullable=True, index=False)


class ActionRequirement(SQLModel, table=True):
    """A requirement an action answers to."""

    __tablename__ = "action_requirement"
    __table_args__ = (UniqueConstraint("action_id", "requirement_id"),)

    id: int | None = id_field()
    action_id: int = fk_field("action.id")
    requirement_id: int = fk_field("requirement.id")


class ActionUpdate(SQLModel, table=True):
    """A dated note of progress on an action, by its author."""

    __tablename__ = "action_update"

    id: int | None = id_field()
    action_id: int = fk_field("action.id")
    note: str = Field(sa_type=Text)
    author_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    author_label: str = Field(max_length=200)
    at: datetime = timestamp_field()
