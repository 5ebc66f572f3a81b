"""The OpenAPI document as FastAPI builds it, corrected where it would not tell the truth.

- FastAPI's OpenAPI model keeps numeric bounds as floats, so 2^63 − 1 printed as
  9.223372036854776e+18 (which is 2^63: one more than any id we accept). Bounds of integer
  schemas are put back as the exact integers the models declare.
- Errors are problem+json only: FastAPI also lists each error's model under
  application/json, the route's own media type, which the API never sends for an error.
- Request bodies a route reads itself (the framework import) refer to schemas by
  `#/components/schemas/…`; those schemas are added to the components here.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from api.http import MAX_ID
from api.idempotency import docs as idempotency
from api.problems import PROBLEM_MEDIA_TYPE

REF_TEMPLATE = "#/components/schemas/{model}"
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# The only integer bound a float cannot carry exactly; a test fails if another appears.
_EXACT = {float(MAX_ID): MAX_ID}


def install(app: FastAPI, *, body_models: tuple[type[BaseModel], ...] = ()) -> None:
    """Serve the corrected document at the app's openapi_url (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _add_body_models(document, body_models)
            idempotency.describe(document, prefix="/api/")
            _errors_as_problems(document)
            _exact_integers(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_body_models(document: dict[str, Any], models: tuple[type[BaseModel], ...]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in {**schema.pop("$defs", {}), model.__name__: schema}.items():
            if schemas.setdefault(name, definition) != definition:
                raise ValueError(f"two different schemas are named {name}")


def _errors_as_problems(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if int(status) >= 400 and PROBLEM_MEDIA_TYPE in content and schema:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": schema}}


def _exact_integers(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _exact_integers(item)
    elif isinstance(node, dict):
        if node.get("type") == "integer":
            for key in _BOUNDS:
                value = node.get(key)
                if isinstance(value, float) and value.is_integer():
                    if value not in _EXACT and abs(value) >= 2**53:
                        raise ValueError(f"the bound {value} cannot be printed exactly")
                    node[key] = _EXACT.get(value, int(value))
        for value in node.values():
            _exact_integers(value)
