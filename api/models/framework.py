"""Frameworks as data: versions of standards and requirements, rated on a scale."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import EnumText, fk_field, id_field, timestamp_field


class Colour(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"
    grey = "grey"
    blue = "blue"


class RatingScale(SQLModel, table=True):
    __tablename__ = "rating_scale"

    id: int | None = id_field()
    name: str = Field(max_length=100)


class RatingLevel(SQLModel, table=True):
    __tablename__ = "rating_level"
    __table_args__ = (UniqueConstraint("rating_scale_id", "code"),)

    id: int | None = id_field()
    rating_scale_id: int = fk_field("rating_scale.id")
    position: int
    code: str = Field(max_length=32)
    label: str = Field(max_length=60)
    colour: Colour = Field(sa_type=EnumText(Colour, 16))  # type: ignore[call-overload]
    needs_action: bool = False
    needs_reason: bool = False
    scored: bool = True
    description: str | None = Field(default=None, max_length=500)


class Framework(SQLModel, table=True):
    """An audit tool. Without a partnership it is offered to every partnership."""

    id: int | None = id_field()
    key: str = Field(max_length=63, index=True)
    name: str = Field(max_length=200)
    partnership_id: int | None = fk_field("partnership.id", nullable=True)
    created_at: datetime = timestamp_field()


class FrameworkVersion(SQLModel, table=True):
    """One immutable version of a framework, as imported."""

    __tablename__ = "framework_version"
    __table_args__ = (UniqueConstraint("framework_id", "number"),)

    id: int | None = id_field()
    framework_id: int = fk_field("framework.id")
    number: int
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    rating_scale_id: int = fk_field("rating_scale.id")
    source_sha256: str = Field(max_length=64)
    imported_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    imported_at: datetime = timestamp_field()


class Standard(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)

    id: int | None = id_field()
    framework_version_id: int = fk_field("framework_version.id")
    position: int
    code: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)


class Requirement(SQLModel, table=True):
    id: int | None = id_field()
    standard_id: int = fk_field("standard.id")
    position: int
    code: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    guidance: str | None = Field(default=None, sa_type=Text)
    evidence_prompts: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
