from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.fields import Name, ShortText
from api.http import MAX_ID
from api.models import ProgrammeStatus

ProgrammeDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ProgrammeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    description: ShortText | None = None
    framework_version_id: RecordId
    opens_on: ProgrammeDate
    deadline: ProgrammeDate
    agency_ids: list[RecordId] = Field(default_factory=list, max_length=1000)
    all_agencies: bool = Field(default=False, description="Ask every agency of the partnership")


class ProgrammeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    description: ShortText | None = None
    framework_version_id: RecordId | None = None
    opens_on: ProgrammeDate | None = None
    deadline: ProgrammeDate | None = None


class FrameworkVersionRef(BaseModel):
    id: int
    framework_id: int
    framework_key: str
    number: int
    name: str


class ProgrammeRead(BaseModel):
    id: int
    partnership_id: int
    title: str
    description: str | None
    status: ProgrammeStatus
    opens_on: date
    deadline: date
    opened_at: datetime | None
    closed_at: datetime | None
    framework_version: FrameworkVersionRef
    asked_count: int
    version: int
    created_at: datetime
    updated_at: datetime
