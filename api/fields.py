"""Field types for request bodies and queries: trimmed, bounded text and slugs.

Text may not hold the NUL character: PostgreSQL cannot store it, and no person types it.
"""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


NoNul = AfterValidator(_no_nul)


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
