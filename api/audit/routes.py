from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import service
from api.audit.schemas import AuditEventRead
from api.db import SessionDep
from api.fields import NoNul
from api.http import MAX_ID, Id, Limit, Offset, Page, Timestamp
from api.permissions import Permission, require
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["audit"])


@router.get(
    "/partnerships/{partnership_id}/audit-events",
    response_model=Page[AuditEventRead],
    responses=responses(401, 403, 404, 422),
)
def list_audit_events(
    partnership_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    action: Annotated[str | None, Query(max_length=64), NoNul] = None,
    entity_type: Annotated[str | None, Query(max_length=64), NoNul] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    actor_user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditEventRead]:
    """Who changed what in the partnership, newest first."""
    require(principal, partnership_id, Permission.read_audit)
    rows, total = service.list_events(
        session,
        partnership_id=partnership_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_user_id=actor_user_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    items = [AuditEventRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
