"""Small pieces every router shares: ids in paths, pages, ETags and If-Match."""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Header, Path, Query, Response
from pydantic import AfterValidator, BaseModel

from api.fields import NoNul
from api.problems import PreconditionFailed, PreconditionRequired

MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id")]
Number = Annotated[int, Path(ge=1, le=1_000_000, description="A version's number")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag you read; required for updates."),
]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]
Search = Annotated[
    str | None, Query(max_length=100, description="Text to look for in the name"), NoNul
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int, *, required: bool = True) -> None:
    """Refuse an update made against anything but the current version of the record."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Send the record's ETag in If-Match, so that no one else's change is lost."
            )
        return
    tags = {t.strip() for t in if_match.split(",")}  # strong comparison (RFC 9110 13.1.1)
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed(
            f"Someone changed this record since you read it (now at version {version}). "
            "Read it again and reapply your change."
        )


def expected_version(if_match: str | None) -> int:
    """The version an update was made against, from If-Match (`"0"`: nothing saved yet)."""
    if if_match is None:
        raise PreconditionRequired(
            'Send the ETag you read in If-Match ("0" if nothing was saved yet), '
            "so that no one else's change is lost."
        )
    tag = if_match.strip()
    if not (tag.startswith('"') and tag.endswith('"') and tag[1:-1].isdigit()):
        raise PreconditionFailed('If-Match must be one ETag, such as "3".')
    return int(tag[1:-1])


def like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _within_reason(value: datetime) -> datetime:
    """A timestamp without a zone is UTC; one far outside any record's life is refused."""
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 2999:
        raise ValueError("must be a time between the years 1900 and 2999")
    return value.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(_within_reason)]
