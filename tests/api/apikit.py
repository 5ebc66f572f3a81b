"""Small helpers shared by the API tests: problem+json checks, demo names, framework documents.

Kept in a plain module (not conftest) so that test modules can import them by name;
tests/api has no __init__.py on purpose, since a package called `api` would shadow the
application's own `api` package.
"""

import copy
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import Response
from sqlalchemy import func
from sqlmodel import Session, select

API = "/api/v1"
PASSWORD = "assure-demo-2023"
PROBLEM = "application/problem+json"
MAX_ID = 2**63 - 1

PEOPLE = {
    "admin": "admin@york.example",
    "scrutineer": "scrutineer@york.example",
    "panel": "panel@york.example",
    "panel_police": "panel.police@york.example",
    "panel_icb": "panel.icb@york.example",
    "executive": "executive@york.example",
    "editor": "editor@york.example",
    "approver": "approver@york.example",
    "north_admin": "admin@northyorkshire.example",
    "platform": "platform@assure.example",
}
HOUSING = "City of York Council Housing Services"


def api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """Every (method, path) under /api/v1, with its route, from the router and the OpenAPI.

    FastAPI 0.16x keeps included routers nested; `iter_route_contexts` flattens them.
    The OpenAPI paths are added as a cross-check, so that neither source can hide a route.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: routes are already flat
        contexts: list[Any] = [r for r in app.routes if isinstance(r, APIRoute)]
        flat = [(c.path, c.methods, c) for c in contexts]
    else:
        flat = [
            (c.path, c.methods, c.original_route)
            for c in iter_route_contexts(app.routes)
            if isinstance(c.original_route, APIRoute)
        ]
    found: dict[tuple[str, str], Any] = {
        (method, path): route
        for path, methods, route in flat
        if path and path.startswith(API)
        for method in methods or ()
    }
    for path, operations in app.openapi()["paths"].items():
        for method in operations if path.startswith(API) else ():
            found.setdefault((method.upper(), path), None)
    return found


def assert_problem(response: Response, status: int, *, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem of this status (and naming `field`, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:assure:problem:")
    assert isinstance(body["title"], str) and body["title"]
    if field is not None:
        assert field in error_fields(response), body
    return body


def error_fields(response: Response) -> set[str]:
    return {e["field"] for e in response.json().get("errors") or []}


def count(db: Session, model: Any, *where: Any) -> int:
    """Rows of a table, as the test's transaction sees them."""
    query = select(func.count()).select_from(model)
    for clause in where:
        query = query.where(clause)
    return db.exec(query).one()


_FRAMEWORK: dict[str, Any] = {
    "key": "test-framework",
    "name": "Test framework",
    "description": "A framework for the tests.",
    "rating_scale": {
        "name": "Met or not",
        "levels": [
            {"code": "met", "label": "Met", "colour": "green"},
            {"code": "not_met", "label": "Not met", "colour": "red", "needs_action": True},
        ],
    },
    "standards": [
        {
            "code": "A",
            "title": "Keeping children safe",
            "requirements": [
                {
                    "code": "A1",
                    "text": "We have a written safeguarding policy.",
                    "evidence_prompts": ["The policy"],
                },
                {"code": "A2", "text": "Everyone knows the safeguarding lead."},
            ],
        },
        {
            "code": "B",
            "title": "Safe people",
            "requirements": [{"code": "B1", "text": "Volunteers have the right DBS check."}],
        },
    ],
}


def framework_doc(key: str = "test-framework", **changes: Any) -> dict[str, Any]:
    """A small valid framework document (2 standards, 3 requirements)."""
    doc = copy.deepcopy(_FRAMEWORK)
    doc["key"] = key
    doc.update(changes)
    return doc


def as_yaml(doc: dict[str, Any]) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


YAML_HEADERS = {"Content-Type": "application/yaml"}


def open_programme_asking_all(
    db: Session, partnership_id: int, *, title: str, opens_on: Any, deadline: Any, opened_at: Any
) -> Any:
    """An open programme of the partnership's framework asking all its agencies, each with a
    return not yet begun: straight into the database, for tests of what follows."""
    from api.models import PartnershipAgency, Programme, ProgrammeAgency, ProgrammeStatus, Return

    version = db.exec(
        select(Programme.framework_version_id).where(Programme.partnership_id == partnership_id)
    ).first()
    assert version is not None
    programme = Programme(
        partnership_id=partnership_id, framework_version_id=version, title=title,
        opens_on=opens_on, deadline=deadline, status=ProgrammeStatus.open, opened_at=opened_at,
    )  # fmt: skip
    db.add(programme)
    db.flush()
    assert programme.id is not None
    agencies = db.exec(
        select(PartnershipAgency.agency_id).where(
            PartnershipAgency.partnership_id == partnership_id
        )
    ).all()
    db.add_all(ProgrammeAgency(programme_id=programme.id, agency_id=a) for a in agencies)
    db.add_all(Return(programme_id=programme.id, agency_id=a) for a in agencies)
    db.commit()
    return programme
