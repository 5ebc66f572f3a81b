from datetime import datetime

from pydantic import BaseModel, Field


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
