"""Turning the API's field problems into messages a person can act on."""

from typing import Any

from web.client import ApiError

# Pydantic's error types, said plainly; {label} is the field's label in lower case.
PLAIN = {
    "missing": "Enter {label}",
    "string_too_short": "Enter {label}",
    "string_too_long": "{Label} is too long",
    "date_from_datetime_parsing": "Enter {label} as a real date",
    "date_parsing": "Enter {label} as a real date",
    "date_type": "Enter {label} as a real date",
    "int_parsing": "Choose {label}",
    "int_type": "Choose {label}",
    "less_than_equal": "{Label} is too far in the future",
    "greater_than_equal": "{Label} is too far in the past",
}


def field_errors(exc: ApiError, labels: dict[str, str]) -> dict[str, str]:
    """One message per form field; problems about no known field go under `form`."""
    out: dict[str, str] = {}
    for e in exc.problem.get("errors") or []:
        field = str(e.get("field", "")).split(".")[0]
        label = labels.get(field)
        if label is None:
            out.setdefault("form", str(e.get("message", exc.detail)))
            continue
        template = PLAIN.get(str(e.get("type")))
        if template:
            message = template.format(label=label.lower(), Label=label)
        elif e.get("type") == "invalid":  # the API's own rules read as a sentence
            message = f"{label} {e.get('message')}"
        else:
            message = f"{label}: {e.get('message')}"
        out.setdefault(field, message)
    if not out:
        out["form"] = exc.detail
    return out


def form_values(form: Any, names: list[str]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def refused_status(exc: ApiError) -> int:
    """A refused form's page: 422 when a field needs correcting, else 409 (a conflict, or a
    page made stale by another's change: the browser sent no If-Match of its own)."""
    return 422 if exc.status == 422 else 409


def form_etag(value: str) -> str:
    """The ETag a form carried back; anything else is treated as long out of date."""
    inner = value[1:-1] if len(value) > 2 and value[0] == value[-1] == '"' else ""
    return value if inner.isdigit() else '"0"'
