from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.fields import Day, Name, ShortText
from api.http import RecordId
from api.models import ProgrammeStatus


class ProgrammeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    description: ShortText | None = None
    framework_version_id: RecordId
    opens_on: Day
    deadline: Day
    agency_ids: list[RecordId] = Field(default_factory=list, max_length=1000)
    all_agencies: StrictBool = Field(
        default=False, description="Ask every agency of the partnership"
    )


class ProgrammeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    description: ShortText | None = None
    framework_version_id: RecordId | None = None
    opens_on: Day | None = None
    deadline: Day | None = None


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
