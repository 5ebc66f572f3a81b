"""Evidence files, and what the partnership says of a return: reasons it is returned for
more information, and its own (moderated) ratings beside the agency's."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import fk_field, id_field, timestamp_field


class EvidenceFile(SQLModel, table=True):
    """A file's bytes, stored once by their SHA-256 and never changed.

    Attachments point at them, so a submitted version keeps its files even after the
    agency removes them from its next draft.
    """

    __tablename__ = "evidence_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Attachment(SQLModel, table=True):
    """An evidence file attached to one requirement's answer in a return."""

    __tablename__ = "attachment"

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    requirement_id: int = fk_field("requirement.id", index=False)
    sha256: str = Field(foreign_key="evidence_file.sha256", max_length=64, index=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    carried_forward: bool = False
    uploaded_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    uploaded_by_label: str = Field(max_length=200)
    uploaded_at: datetime = timestamp_field()


class ReviewNote(SQLModel, table=True):
    """Why the partnership returned a submission for more information.

    A note names a requirement, or none for the return as a whole; `version_number` is the
    submission it is about.
    """

    __tablename__ = "review_note"

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    version_number: int
    requirement_id: int | None = fk_field("requirement.id", nullable=True, index=False)
    note: str = Field(sa_type=Text)
    author_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    author_label: str = Field(max_length=200)
    at: datetime = timestamp_field()


class ModeratedRating(SQLModel, table=True):
    """The partnership's own rating of a requirement or a standard, beside the agency's."""

    __tablename__ = "moderated_rating"
    __table_args__ = (
        UniqueConstraint("return_id", "requirement_id"),
        UniqueConstraint("return_id", "standard_id"),
        CheckConstraint("(requirement_id IS NULL) <> (standard_id IS NULL)", name="one_subject"),
    )

    id: int | None = id_field()
    return_id: int = fk_field("agency_return.id")
    requirement_id: int | None = fk_field("requirement.id", nullable=True, index=False)
    standard_id: int | None = fk_field("standard.id", nullable=True, index=False)
    rating: str = Field(max_length=32)
    note: str = Field(default="", sa_type=Text)
    version: int = 1
    moderated_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    moderated_by_label: str = Field(max_length=200)
    at: datetime = timestamp_field()
