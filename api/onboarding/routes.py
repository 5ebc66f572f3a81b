"""Onboarding a partnership's agencies and people from a CSV: a preview that writes
nothing, then the same file confirmed, all or nothing."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.db import SessionDep
from api.http import Id
from api.onboarding import rules, service
from api.onboarding.rules import Kind
from api.onboarding.schemas import Plan, PlanRow
from api.onboarding.service import Planned, RowOutcome
from api.permissions import Permission, require
from api.problems import PayloadTooLarge, UnsupportedMediaType, responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["onboarding"])
PATH = "/partnerships/{partnership_id}/onboarding/{kind}"
NEEDS = {Kind.agencies: Permission.manage_agencies, Kind.people: Permission.manage_people}
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CSV file (UTF-8 or Windows-1252) whose first line names the "
        "columns: for agencies name, sector, statutory_partner (yes/no); for people name, "
        "email, role, agency (for agency roles). GET the template for an example.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def may_onboard(partnership_id: Id, kind: Kind, principal: CurrentPrincipal) -> Principal:
    require(principal, partnership_id, NEEDS[kind])
    return principal


async def csv_file(
    request: Request, principal: Annotated[Principal, Depends(may_onboard)]
) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        raise UnsupportedMediaType("Send the file as text/csv.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > rules.MAX_BYTES:
            raise PayloadTooLarge(f"A file may be at most {rules.MAX_BYTES:,} bytes.")
    return body


def _plan(kind: Kind, planned: list[Planned]) -> Plan:
    counts = dict.fromkeys(service.OUTCOMES[kind], 0)
    for p in planned:
        counts[p.outcome] += 1
    return Plan(
        kind=kind,
        columns=list(rules.COLUMNS[kind]),
        rows=[
            PlanRow(
                line=p.row.line,
                values=p.row.values,
                outcome=p.outcome,
                note=p.note,
                problems=p.row.problems,
            )
            for p in planned
        ],
        counts=counts,
        ready=not counts[RowOutcome.refused],
    )


@router.get(
    PATH + "/template",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **responses(401, 403, 404, 422)},
)
def template(partnership_id: Id, kind: Kind, principal: CurrentPrincipal) -> Response:
    """A CSV with the kind's columns and an example row, to fill in."""
    require(principal, partnership_id, NEEDS[kind])
    return Response(
        rules.template(kind),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="assure-{kind.value}.csv"'},
    )


@router.post(
    PATH + "/preview",
    response_model=Plan,
    responses=responses(401, 403, 404, 413, 415, 422),
    openapi_extra=CSV_BODY,
)
def preview(
    partnership_id: Id,
    kind: Kind,
    raw: Annotated[bytes, Depends(csv_file)],
    principal: Annotated[Principal, Depends(may_onboard)],
    session: SessionDep,
) -> Plan:
    """What each row would do (agencies: create; people: invite by email, or add a role to
    someone of the partnership; skip as already there; or refused, and why). Nothing is
    written; send the same file to `…/onboarding/{kind}` to do it."""
    planned = service.plan(
        session, principal=principal, partnership_id=partnership_id, kind=kind, raw=raw
    )
    return _plan(kind, planned)


@router.post(
    PATH,
    response_model=Plan,
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 413, 415, 422),
    openapi_extra=CSV_BODY,
)
def confirm(
    partnership_id: Id,
    kind: Kind,
    raw: Annotated[bytes, Depends(csv_file)],
    principal: Annotated[Principal, Depends(may_onboard)],
    session: SessionDep,
) -> Plan:
    """Do every row of the file, or none: a file with any refused row is answered 422
    naming each (`rows.{line}.{column}`) and nothing is written."""
    planned = service.apply(
        session, principal=principal, partnership_id=partnership_id, kind=kind, raw=raw
    )
    return _plan(kind, planned)
