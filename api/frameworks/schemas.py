"""The framework file format (see docs/frameworks.md) and the framework read models."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.fields import NoNul
from api.fields import text as text_constraints
from api.models import Colour


def _text(max_length: int, min_length: int = 1) -> object:
    return text_constraints(max_length, min_length=min_length, strict=True)


Code = Annotated[str, _text(20), NoNul]
Title = Annotated[str, _text(200), NoNul]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LevelDoc(_Doc):
    code: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    label: Annotated[str, _text(60), NoNul]
    colour: Annotated[Colour, Field(strict=False)]
    needs_action: StrictBool = False
    needs_reason: StrictBool = False
    scored: StrictBool = True
    description: Annotated[str, _text(500), NoNul] | None = None


class RatingScaleDoc(_Doc):
    name: Annotated[str, _text(100), NoNul]
    levels: list[LevelDoc] = Field(min_length=2, max_length=10)


class RequirementDoc(_Doc):
    code: Code
    text: Annotated[str, _text(1000), NoNul]
    guidance: Annotated[str, _text(4000), NoNul] | None = None
    evidence_prompts: list[Annotated[str, _text(500), NoNul]] = Field(
        default_factory=list, max_length=10
    )


class StandardDoc(_Doc):
    code: Code
    title: Title
    description: Annotated[str, _text(2000), NoNul] | None = None
    requirements: list[RequirementDoc] = Field(min_length=1, max_length=30)


class FrameworkDoc(_Doc):
    """A framework file, as imported."""

    key: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    name: Title
    description: Annotated[str, _text(2000), NoNul] | None = None
    rating_scale: RatingScaleDoc
    standards: list[StandardDoc] = Field(min_length=1, max_length=50)


class RatingLevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label: str
    colour: Colour
    needs_action: bool
    needs_reason: bool
    scored: bool
    description: str | None


class RatingScaleRead(BaseModel):
    name: str
    levels: list[RatingLevelRead]


class RequirementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    text: str
    guidance: str | None
    evidence_prompts: list[str]


class StandardRead(BaseModel):
    id: int
    code: str
    title: str
    description: str | None
    requirements: list[RequirementRead]


class VersionSummary(BaseModel):
    id: int
    number: int
    name: str
    imported_at: datetime
    standard_count: int
    requirement_count: int


class FrameworkSummary(BaseModel):
    id: int
    key: str
    name: str
    shared: bool = Field(description="Offered to every partnership on this installation")
    latest_version: VersionSummary


class FrameworkRead(BaseModel):
    id: int
    key: str
    name: str
    shared: bool
    versions: list[VersionSummary]


class VersionRead(BaseModel):
    id: int
    framework_id: int
    framework_key: str
    number: int
    name: str
    description: str | None
    source_sha256: str
    imported_at: datetime
    rating_scale: RatingScaleRead
    standards: list[StandardRead]
