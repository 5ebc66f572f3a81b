"""Schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS by tests/fuzz.py).

Each generated POST that carries a valid `Idempotency-Key` gets a fresh one: the fuzzer
draws the same few short keys again and again, and the same key with another body is
rightly refused (422 idempotency-key-reused), which would hide what the body itself gets.
Invalid keys are left as drawn, so that their refusal is still checked.
"""

import re
import uuid
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x20-\x7E]{1,255}")


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    """Just before each request is sent, in every phase (coverage cases are not drawn,
    so a map_headers hook would not see them)."""
    headers = case.headers
    if headers and _VALID.fullmatch(str(headers.get(HEADER, ""))):
        headers[HEADER] = str(uuid.uuid4())
