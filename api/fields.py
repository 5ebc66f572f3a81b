"""Field types for request bodies and queries: trimmed, bounded text, slugs, days, flags.

Text may not hold the NUL character: PostgreSQL cannot store it, and no person types it.
Each type says in its JSON Schema what it refuses, so the OpenAPI document is the contract.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import CoreSchema, core_schema

from api import passwords


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
        if json_schema.get("minLength") == 1:  # required text is trimmed: spaces alone are empty
            json_schema.setdefault("pattern", "^[^\u0000]*[^\\s\u0000][^\u0000]*$")
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


# Month and day as a calendar has them in every year (29 February is added where it falls).
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)


def _days_pattern() -> str:
    """Exactly the calendar days from 2000-01-01 to 2100-12-31, as a regular expression.

    JSON Schema has no bounds for dates, so the pattern states them; it names every real
    day and no other, so a client (or a fuzzer) can make valid dates from it alone.
    """
    leap_years = "20(?:[02468][048]|[13579][26])"  # 2000 to 2096; 2100 is not one
    return f"^(?:(?:20[0-9]{{2}}|2100)-{_MONTH_DAY}|{leap_years}-02-29)$"


DAYS_PATTERN = _days_pattern()
TIMESTAMP_PATTERN = (
    f"^(?:19|2[0-9])[0-9]{{2}}-(?:{_MONTH_DAY}|02-29)"
    "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,6})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""Date-times in the years 1900 to 2999, with a zone; 29 February of other than a leap year
is refused by the date-time format beside it."""


def _a_written_day(value: object) -> object:
    """A day is written as text (2026-04-01); a number, which pydantic reads as Unix time,
    is refused."""
    if value is None or isinstance(value, str | date):  # None: pydantic names what is missing
        return value
    raise ValueError("must be a date written as YYYY-MM-DD, such as 2026-04-01")


Day = Annotated[
    date,
    BeforeValidator(_a_written_day),
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="A day between 2000-01-01 and 2100-12-31",
        json_schema_extra={"pattern": DAYS_PATTERN},
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


def _password_length(value: str) -> str:
    """The policy's length rule, checked with the body; the rest needs the person (the
    service checks it with `passwords.require_acceptable`)."""
    problem = passwords.length_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Password = Annotated[
    str,
    AfterValidator(_password_length),
    NoNul,
    Field(
        description=f"A new password: {passwords.RULES}",
        json_schema_extra={"minLength": passwords.MIN_LENGTH, "maxLength": passwords.MAX_LENGTH},
    ),
]
