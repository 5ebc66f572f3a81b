from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    computed_field,
)

from api.attachments.schemas import AttachmentRead, EvidenceFileRules
from api.fields import Day, NoNul
from api.http import MAX_ID, etag
from api.models import ProgrammeStatus, ReturnStatus
from api.permissions import ReturnAllowed
from api.programmes.schemas import FrameworkVersionRef
from api.reviews.schemas import ModeratedRatingRead, ReviewNoteRead


class Extension(BaseModel):
    """An agency's extension of the programme's deadline, granted by the partnership."""

    due_on: date
    reason: str
    granted_at: datetime | None
    granted_by: str | None


class ExtensionWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_on: Day = Field(description="The new due date: after the programme's deadline")
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), NoNul
    ]


class ReturnSummary(BaseModel):
    id: int
    programme_id: int
    programme_title: str
    deadline: date
    due_on: date = Field(description="The deadline, or the agency's extension if later")
    extension: Extension | None
    agency_id: int
    agency_name: str
    status: ReturnStatus
    submitted_at: datetime | None
    rated: int = Field(
        description="Requirements rated, not counting answers carried forward "
        "from an earlier return until they are confirmed"
    )
    requirement_count: int
    version: int


class ResponseRead(BaseModel):
    requirement_id: int
    rating: str | None
    evidence: str
    comment: str
    carried_forward: bool
    version: int = Field(description="This answer's version; its ETag is this number in quotes")
    updated_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="Send as If-Match to change this answer (PUT …/responses/{requirement_id})"
    )
    @property
    def etag(self) -> str:
        return etag(self.version)


class StandardProgress(BaseModel):
    standard_id: int
    code: str
    title: str
    rated: int = Field(description="Rated and not waiting to be confirmed")
    to_review: int = Field(
        description="Carried forward from an earlier return, waiting to be confirmed or changed"
    )
    requirement_count: int


class CarrySource(BaseModel):
    """The accepted return a new one may start from."""

    return_id: int
    programme_id: int
    programme_title: str
    accepted_at: datetime | None


class ReturnRead(ReturnSummary):
    framework_version: FrameworkVersionRef
    editable: bool = Field(description="Its answers may change now (state, not permission)")
    may_answer: bool = Field(description="You may answer it (permission, not state)")
    may_sign_off: bool = Field(description="You may sign it off and submit it (permission)")
    may_review: bool = Field(
        description="You may return it for more information, moderate and accept it (permission)"
    )
    programme_status: ProgrammeStatus | None = Field(
        default=None, description="Its programme's status: only an open one takes answers"
    )
    allowed: list[ReturnAllowed] = Field(
        default=[],
        description="What you may do to it now, your permission and its state together: "
        "answer, sign_off (and submit), review, send_back (for more information), moderate, "
        "accept",
    )
    evidence_files: EvidenceFileRules | None = Field(
        default=None, description="What may be attached as evidence"
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
    carry_forward_from: CarrySource | None = Field(
        description="While you may answer it and some requirement is unrated: the accepted "
        "return its answers may start from"
    )


class ResponseWrite(BaseModel):
    """One answer. Evidence files are attached separately."""

    model_config = ConfigDict(extra="forbid")

    rating: Annotated[str, StringConstraints(max_length=32), NoNul] | None = None
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), NoNul] = (
        ""
    )
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000), NoNul] = (
        Field(
            default="",
            description=(
                "Anything the reviewer should know. Required at submission when the rating's "
                "level needs a reason (e.g. not applicable: why it does not apply to this "
                "agency); other ratings need evidence or a file instead."
            ),
        )
    )


class ResponseSaved(ResponseRead):
    return_status: ReturnStatus


class SignOffIn(BaseModel):
    """The agency's approver signs off the return as they submit it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul] = ""
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul] = ""
    declaration: StrictBool = Field(
        default=False, description="The approver confirms the declaration"
    )


class VersionSummary(BaseModel):
    """One submission of a return, frozen."""

    number: int
    submitted_at: datetime
    due_on: date = Field(description="The due date in force when it was submitted")
    signed_off_name: str
    signed_off_role: str
    content_sha256: str = Field(description="SHA-256 of the frozen content, as canonical JSON")


class FrozenResponse(BaseModel):
    requirement_id: int
    code: str
    rating: str | None
    evidence: str
    comment: str


class FrozenAttachment(BaseModel):
    id: int
    requirement_id: int
    filename: str
    media_type: str
    size: int
    sha256: str


class FrozenAction(BaseModel):
    id: int
    description: str
    owner: str
    due_on: str
    status: str


class FrozenSignOff(BaseModel):
    name: str
    role: str
    declaration: str = Field(description="The declaration as it read when they signed")


class Snapshot(BaseModel):
    """What a submission froze: written and read back through this one schema.

    Its JSON is stored as dumped, with the fields in this order, and `content_sha256` hashes
    it with sorted keys. Versions frozen before files existed have no attachments, so reading
    one back adds an empty list: hash what is stored, never a snapshot read back.
    """

    return_id: int
    programme_id: int
    agency_id: int
    framework_version_id: int
    responses: list[FrozenResponse]
    attachments: list[FrozenAttachment] = []
    actions: list[FrozenAction]
    sign_off: FrozenSignOff


class VersionRead(VersionSummary):
    return_id: int
    declaration: str
    responses: list[FrozenResponse]
    attachments: list[FrozenAttachment]
    actions: list[FrozenAction]


class FieldChange(BaseModel):
    field: str
    before: str | None
    after: str | None


class ResponseChange(BaseModel):
    requirement_id: int
    code: str
    changes: list[FieldChange]


class ActionChangeSeen(BaseModel):
    id: int
    description: str
    changes: list[FieldChange]


class Comparison(BaseModel):
    """What changed from one submitted version of a return to another."""

    return_id: int
    from_version: VersionSummary
    to_version: VersionSummary
    responses: list[ResponseChange]
    attachments_added: list[FrozenAttachment]
    attachments_removed: list[FrozenAttachment]
    actions_added: list[FrozenAction]
    actions_removed: list[FrozenAction]
    actions_changed: list[ActionChangeSeen]
    sign_off: list[FieldChange]


class BulkAnswer(ResponseWrite):
    requirement_id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(
        ge=0, le=MAX_ID, description="The answer's version you read; 0 if it had none"
    )


class BulkAnswers(BaseModel):
    """Every answer at once (for systems that send a whole return)."""

    model_config = ConfigDict(extra="forbid")

    responses: list[BulkAnswer] = Field(min_length=1, max_length=1000)


class Confirmed(BaseModel):
    confirmed: int = Field(description="Answers carried forward that are now confirmed")


class CarriedForward(BaseModel):
    answers: int = Field(description="Answers copied, each marked carried forward")
    files: int = Field(description="Evidence files copied with them")
    source: CarrySource
