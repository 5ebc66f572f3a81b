from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.challenge.enquiry_schemas import EnquiryRead
from api.fields import Day, Name, ShortText
from api.http import RecordId
from api.models import ActionStatus, ReturnStatus
from api.models.challenge import EventStatus, Outcome, SessionStatus
from api.permissions import EventAllowed, SessionAllowed

Reason = Annotated[ShortText, Field(min_length=1)]


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: RecordId
    title: Name
    held_on: Day
    place: Name = Field(description='A room and address, or "Online"')
    chair_user_id: RecordId
    panel_user_ids: list[RecordId] = Field(
        default_factory=list,
        max_length=50,
        description="Panel members or scrutineers of the partnership; the chair sits on it too",
    )


class EventUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    held_on: Day | None = None
    place: Name | None = None
    chair_user_id: RecordId | None = None
    panel_user_ids: list[RecordId] | None = Field(default=None, max_length=50)


class EventCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: RecordId
    reason: Reason = Field(description="Why the panel wants to meet this agency")


class PersonRef(BaseModel):
    id: int
    name: str


class SessionRead(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    reason: str
    status: SessionStatus
    outcome: Outcome | None
    version: int


class EventRead(BaseModel):
    id: int
    partnership_id: int
    programme_id: int
    title: str
    held_on: date
    place: str
    status: EventStatus
    cancelled_reason: str | None
    upcoming: bool = Field(description="Derived: planned and its day not passed (else held)")
    chair: PersonRef
    panel: list[PersonRef]
    sessions: list[SessionRead] = Field(
        description="The invited agencies; agency staff see only their own agency's"
    )
    allowed: list[EventAllowed] = Field(description="What you may do to the event now")
    version: int
    created_at: datetime
    updated_at: datetime


class StandardRatings(BaseModel):
    standard_id: int
    code: str
    self_rating: str | None = Field(description="The worst level rated in its requirements")
    moderated: str | None = Field(description="The partnership's moderated rating, if any")


class Candidate(BaseModel):
    agency_id: int
    agency_name: str
    invited: bool
    session_id: int | None
    return_id: int | None
    return_status: ReturnStatus | None
    standards: list[StandardRatings]


class CandidatesRead(BaseModel):
    event_id: int
    items: list[Candidate]


class ScoreWrite(BaseModel):
    """Your score of one standard, on the framework's scale."""

    model_config = ConfigDict(extra="forbid")

    level: Annotated[str, Field(min_length=1, max_length=32)]
    comment: ShortText = ""


class ScoreRead(BaseModel):
    standard_id: int
    member_user_id: int
    level: str
    comment: str
    version: int


class FollowUpWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Reason
    owner: Name
    due_on: Day = Field(description="On or after the event")
    to_executive: StrictBool = Field(default=False, description="Reported to the Executive")


class SessionClose(BaseModel):
    """The chair's record of the session: its outcome, a summary and any follow-ups."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    summary: ShortText = ""
    follow_ups: list[FollowUpWrite] = Field(default_factory=list, max_length=50)


class FollowUpRead(BaseModel):
    id: int
    event_id: int
    session_id: int
    agency_id: int
    agency_name: str
    description: str
    owner: str
    due_on: date
    to_executive: bool
    status: ActionStatus
    overdue: bool = Field(description="Derived: not done or cancelled, and past its due date")
    completion_evidence: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class LevelRead(BaseModel):
    code: str
    label: str
    scored: bool = Field(description="Counts towards a combined score (not “not applicable”)")


class StandardRow(BaseModel):
    """One standard of the session: the agency's self rating, the partnership's moderated
    rating and the panel's combined score side by side (triangulation), and the scores."""

    standard_id: int
    code: str
    title: str
    self_rating: str | None = Field(description="The worst level rated in its requirements")
    moderated: str | None = Field(description="The partnership's moderated rating, if any")
    combined: str | None = Field(description="The panel's median level, ties to the worse")
    disagree: bool = Field(description="Two of the three that were given differ")
    mine: ScoreRead | None = Field(description="Your own score, if you sit on the panel")
    members: list[ScoreRead] = Field(
        description="Each member's score: for the panel and the business unit only"
    )


class SessionDetail(SessionRead):
    event_id: int
    return_id: int | None = Field(
        description="The agency's return in the event's programme, if you may read it"
    )
    summary: str
    closed_at: datetime | None
    closed_by_label: str | None
    scale: list[LevelRead] = Field(description="The event's scale, best first")
    standards: list[StandardRow] = Field(
        description="Every standard of the framework; empty for the invited agency, which "
        "sees no scores"
    )
    enquiries: list[EnquiryRead] = Field(
        description="Its lines of enquiry with the agency's answers; drafts only for the "
        "panel and those who run events"
    )
    follow_ups: list[FollowUpRead]
    allowed: list[SessionAllowed] = Field(description="What you may do in the session now")


class EventReport(BaseModel):
    """An event and its sessions in full, for its report to the Executive."""

    event: EventRead
    sessions: list[SessionDetail]


class SessionReopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the session is opened again (recorded)")
