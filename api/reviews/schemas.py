from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.fields import NoNul
from api.http import MAX_ID
from api.reviews.rules import MAX_NOTE


class ReviewNoteRead(BaseModel):
    """Why the partnership returned a submission: about one requirement, or the whole return."""

    requirement_id: int | None
    version_number: int = Field(description="The submission the note is about")
    note: str
    author_label: str
    at: datetime


class ModeratedRatingRead(BaseModel):
    """The partnership's rating of one requirement or one standard, beside the agency's."""

    requirement_id: int | None
    standard_id: int | None
    rating: str
    note: str
    version: int
    moderated_by_label: str
    at: datetime


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE), NoNul]


class RequirementNote(BaseModel):
    """What more the partnership needs to know about one requirement."""

    model_config = ConfigDict(extra="forbid")

    requirement_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE), NoNul
    ]


class SendBackIn(BaseModel):
    """Return a submitted return to the agency for more information, saying why.

    Give a note for the whole return, notes for requirements, or both; at least one.
    """

    model_config = ConfigDict(extra="forbid")

    reason: Note = Field(default="", description="About the return as a whole; may be empty")
    requirements: list[RequirementNote] = Field(default_factory=list, max_length=1_500)


class ModerationWrite(BaseModel):
    """The partnership's rating, a level of the framework version's scale, and why."""

    model_config = ConfigDict(extra="forbid")

    rating: Annotated[str, StringConstraints(max_length=32), NoNul]
    note: Note = ""


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = Field(default="", description="Kept in the return's history")
