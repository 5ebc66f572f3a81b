"""The bodies and replies of a session's lines of enquiry."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.fields import NoNul, text
from api.http import RecordId

Question = Annotated[str, text(2000, min_length=1), NoNul]
AnswerText = Annotated[str, text(10_000, min_length=1), NoNul]


def _unique(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValueError("must not name a standard twice")
    return ids


StandardIds = Annotated[
    list[RecordId],
    Field(
        max_length=50,
        description="Standards of the event's framework the question is about",
        json_schema_extra={"uniqueItems": True},
    ),
    AfterValidator(_unique),
]


class EnquiryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Question
    standard_ids: StandardIds = Field(default_factory=list)


class EnquiryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Question | None = None
    standard_ids: StandardIds | None = None


class EnquiryAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: AnswerText = Field(description="The agency's written answer, before the day")


class EnquiryRead(BaseModel):
    id: int
    session_id: int
    question: str
    standard_ids: list[int]
    author_label: str
    status: Literal["draft", "published"] = Field(
        description="Derived: published once the chair publishes it to the agency"
    )
    published_at: datetime | None
    answer: str
    answer_version: int = Field(description='The answer\'s ETag: "0" before the first answer')
    answered_at: datetime | None
    answered_by_label: str | None
    version: int


class EnquiryVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: RecordId
    version: RecordId = Field(description="The draft's version you read (its ETag)")


class EnquiriesPublish(BaseModel):
    """The drafts the chair publishes at once, each at the version the chair read."""

    model_config = ConfigDict(extra="forbid")

    enquiries: list[EnquiryVersion] = Field(min_length=1, max_length=200)
