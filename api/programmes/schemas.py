from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, computed_field

from api.fields import Day, Name, ShortText
from api.http import RecordId
from api.models import ProgrammeStatus
from api.notices.schedule import DEFAULT_REMINDER_DAYS
from api.programmes.rules import EDITABLE


def _distinct_nearest_last(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError("give each number of days once")
    return sorted(days, reverse=True)


ReminderDays = Annotated[
    list[Annotated[int, Field(ge=1, le=90)]],
    Field(
        max_length=5,
        description="Days before the deadline on which agencies whose return is not yet "
        "submitted are reminded (at most 5, each 1 to 90); [] sends none",
    ),
    AfterValidator(_distinct_nearest_last),
]


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
    reminder_days: ReminderDays = Field(default_factory=lambda: list(DEFAULT_REMINDER_DAYS))


class ProgrammeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    description: ShortText | None = None
    framework_version_id: RecordId | None = None
    opens_on: Day | None = None
    deadline: Day | None = None
    reminder_days: ReminderDays | None = None


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
    reminder_days: list[int]
    opened_at: datetime | None
    closed_at: datetime | None
    framework_version: FrameworkVersionRef
    asked_count: int
    version: int
    created_at: datetime
    updated_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="The fields a PATCH may change while the programme has its status"
    )
    @property
    def editable_fields(self) -> list[str]:
        return sorted(EDITABLE[self.status])
