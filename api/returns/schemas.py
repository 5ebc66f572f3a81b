from datetime import date, datetime

from pydantic import BaseModel

from api.models import ReturnStatus


class ReturnSummary(BaseModel):
    id: int
    programme_id: int
    programme_title: str
    deadline: date
    agency_id: int
    agency_name: str
    status: ReturnStatus
    submitted_at: datetime | None
    rated: int
    requirement_count: int
    version: int


class ResponseRead(BaseModel):
    requirement_id: int
    rating: str | None
    evidence: str
    comment: str
    carried_forward: bool
    version: int
    updated_at: datetime


class StandardProgress(BaseModel):
    standard_id: int
    code: str
    title: str
    rated: int
    requirement_count: int


class ReturnRead(ReturnSummary):
    framework_version_id: int
    started_at: datetime | None
    accepted_at: datetime | None
    progress: list[StandardProgress]
    responses: list[ResponseRead]
