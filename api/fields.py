"""Field types for request bodies: trimmed, bounded text and slugs."""

from typing import Annotated

from pydantic import StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$"
    ),
]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]
