"""Small pieces every router shares: ids in paths, pages, ETags and If-Match."""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Header, Path, Query, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from api.fields import TIMESTAMP_PATTERN, NoNul
from api.problems import PreconditionFailed

MAX_ID = 2**63 - 1
# An id in a body: a record's id as the database can hold it.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id")]
Number = Annotated[int, Path(ge=1, le=1_000_000, description="A version's number")]
IfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        description='The ETag you read, such as `"3"`: 428 without it, 412 if it is not current.',
    ),
]
AnswerIfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        description='The ETag you read, such as `"3"`, or `"0"` if nothing was saved yet: '
        "428 without it, 412 if it is not current.",
    ),
]
OptionalIfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag you read; if sent and not current, 412."),
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


def check_if_match(if_match: str | None, version: int) -> None:
    """Refuse an update made against anything but the current version of the record.

    A missing If-Match never reaches here where it is required: the header is declared
    required, and `api.problems` answers its absence with 428.
    """
    if if_match is None:
        return
    tags = {t.strip() for t in if_match.split(",")}  # strong comparison (RFC 9110 13.1.1)
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed(
            f"Someone changed this record since you read it (now at version {version}). "
            "Read it again and reapply your change."
        )


def expected_version(if_match: str) -> int:
    """The version an update was made against, from If-Match (`"0"`: nothing saved yet)."""
    tag = if_match.strip()
    if not (tag.startswith('"') and tag.endswith('"') and tag[1:-1].isdigit()):
        raise PreconditionFailed('If-Match must be one ETag, such as "3".')
    return int(tag[1:-1])


def like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _a_written_time(value: object) -> object:
    """A timestamp is written as ISO 8601 text; a bare number (Unix seconds) is refused."""
    if isinstance(value, str) and value[:4].isdigit() and value[4:5] == "-":
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an ISO 8601 date and time, such as 2026-04-01T09:30:00Z")


def _within_reason(value: datetime) -> datetime:
    """A timestamp without a zone is UTC; one far outside any record's life is refused."""
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 2999:
        raise ValueError("must be a time between the years 1900 and 2999")
    return value.astimezone(UTC)


Timestamp = Annotated[
    datetime,
    BeforeValidator(_a_written_time),
    AfterValidator(_within_reason),
    Field(
        description="An ISO 8601 date and time in the years 1900 to 2999 (UTC if no zone)",
        json_schema_extra={"pattern": TIMESTAMP_PATTERN},
    ),
]
