from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.attachments.schemas import AttachmentRead
from api.fields import NoNul
from api.models import ReturnStatus
from api.programmes.schemas import FrameworkVersionRef
from api.reviews.schemas import ModeratedRatingRead, ReviewNoteRead


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
    framework_version: FrameworkVersionRef
    editable: bool = Field(description="Its answers may change now (state, not permission)")
    may_answer: bool = Field(description="You may answer it (permission, not state)")
    may_sign_off: bool = Field(description="You may sign it off and submit it (permission)")
    may_review: bool = Field(
        description="You may return it for more information, moderate and accept it (permission)"
    )
    declaration: str = Field(description="What the approver confirms when signing off")
    started_at: datetime | None
    accepted_at: datetime | None
    progress: list[StandardProgress]
    responses: list[ResponseRead]
    attachments: list[AttachmentRead]
    review_notes: list[ReviewNoteRead] = Field(
        description="Why it was returned for more information, newest submission first"
    )
    moderation: list[ModeratedRatingRead] = Field(
        description="The partnership's ratings, by requirement and by standard"
    )


class ResponseWrite(BaseModel):
    """One answer. Evidence files are attached separately."""

    model_config = ConfigDict(extra="forbid")

    rating: Annotated[str, StringConstraints(max_length=32), NoNul] | None = None
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), NoNul] = (
        ""
    )
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000), NoNul] = ""


class ResponseSaved(ResponseRead):
    return_status: ReturnStatus


class SignOffIn(BaseModel):
    """The agency's approver signs off the return as they submit it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul] = ""
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul] = ""
    declaration: bool = Field(default=False, description="The approver confirms the declaration")
