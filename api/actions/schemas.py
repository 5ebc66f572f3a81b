from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.fields import Day, Name, NoNul
from api.http import MAX_ID
from api.models import ActionStatus

Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NoNul]
RequirementIds = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]], Field(max_length=50)]


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description
    owner: Name
    due_on: Day
    requirement_ids: RequirementIds = Field(min_length=1)


class ActionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    owner: Name | None = None
    due_on: Day | None = None
    status: ActionStatus | None = None
    completion_evidence: Evidence | None = None
    requirement_ids: RequirementIds | None = None


class ProgressCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Description


class ProgressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    note: str
    author_label: str
    at: datetime


class ActionRead(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    return_id: int | None
    description: str
    owner: str
    due_on: date
    status: ActionStatus
    overdue: bool = Field(description="Open and past its due date (derived, never stored)")
    completion_evidence: str | None
    requirement_ids: list[int]
    requirement_codes: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    updates: list[ProgressRead] = []
    may_change: bool = Field(
        default=False,
        description="You may change it and record its progress (permission, not state)",
    )
