"""The OpenAPI document's account of `Idempotency-Key`, on every POST of the API."""

from typing import Any

from api.idempotency import rules
from api.problems import PROBLEM_MEDIA_TYPE

PARAMETER = {
    "name": rules.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any printable ASCII text of 1 to 255 characters, new for each request (a UUID). "
        "Sent again within 24 hours with the same body, the request is not done again: "
        f"the first answer is repeated, with `{rules.REPLAYED}: true` (an answer that showed "
        "a secret once, or was given without credentials, is not kept: 409 instead). The "
        "same key with another body or path is 422; while the first is being worked on, "
        "409 with Retry-After. Server errors are not kept, so the key may be sent again. "
        "Keys belong to the credentials in Authorization."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": rules.MAX_LENGTH,
        "pattern": rules.PATTERN,
    },
}
_ANSWERS = {
    "409": "A request with this Idempotency-Key is still being worked on (see Retry-After), "
    "or was done and its answer is not kept",
    "422": "The Idempotency-Key was used with another request, or is not a valid key",
}


def describe(document: dict[str, Any], *, prefix: str) -> None:
    """Add the header and its answers to each POST under `prefix`."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        operation = operations.get("post") if path.startswith(prefix) else None
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(dict(PARAMETER))
        responses = operation.setdefault("responses", {})
        for status, description in _ANSWERS.items():
            if status in responses:
                responses[status]["description"] += f"; or: {description}"
            else:
                responses[status] = {
                    "description": description,
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": problem}},
                }
