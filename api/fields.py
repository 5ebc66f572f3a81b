"""Field types for request bodies and queries: trimmed, bounded text, slugs, days, flags.

Text may not hold the NUL character: PostgreSQL cannot store it, and no person types it.
Each type says in its JSON Schema what it refuses, so the OpenAPI document is the contract.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import CoreSchema, core_schema


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


class _NoNul:
    """Refuses NUL with a plain message, and says so in the schema as a pattern."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_no_nul, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = dict(handler(schema))
        json_schema.setdefault("pattern", "^[^\u0000]*$")
        return json_schema


NoNul = _NoNul()


def _true_or_false(value: object) -> object:
    """A query's boolean is the word true or false; 0, 1, yes and on are refused."""
    if isinstance(value, bool) or value in ("true", "false"):
        return value
    raise ValueError("must be true or false")


Flag = Annotated[bool, BeforeValidator(_true_or_false)]
"""A boolean in a query string: exactly `true` or `false`."""

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
Day = Annotated[
    date,
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="A day between 2000-01-01 and 2100-12-31",
        # JSON Schema has no bounds for dates; the pattern holds the years to the same range.
        json_schema_extra={"pattern": "^(20[0-9]{2}|2100)-"},
    ),
]


def text(max_length: int, *, min_length: int = 0, strict: bool = False) -> object:
    """Constraints for free text: trimmed, bounded."""
    return StringConstraints(
        strict=strict, strip_whitespace=True, min_length=min_length, max_length=max_length
    )


Name = Annotated[str, text(200, min_length=1), NoNul]
ShortText = Annotated[str, text(2000), NoNul]
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$"
    ),
]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200), NoNul]
