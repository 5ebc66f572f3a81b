"""Onboarding from a CSV: what each row would do against what the partnership holds (the
preview), and doing it all, or nothing if any row is refused."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agencies import service as agencies
from api.agencies.schemas import AgencyCreate
from api.models import Agency, Partnership, PartnershipAgency
from api.onboarding import rules
from api.onboarding.rules import Kind, Row
from api.problems import FieldProblem, Invalid
from api.security import Principal


class RowOutcome(StrEnum):
    create = "create"  # a new agency
    skip = "skip"  # already there: nothing to do
    refused = "refused"


@dataclass
class Planned:
    row: Row
    outcome: RowOutcome
    note: str


def _refused(row: Row) -> Planned:
    why = "; ".join(f"{column} {message}" for column, message in row.problems.items())
    return Planned(row, RowOutcome.refused, why)


def _agency_names(session: Session, partnership_id: int) -> set[str]:
    return set(
        session.exec(
            select(func.lower(Agency.name))
            .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
            .where(PartnershipAgency.partnership_id == partnership_id)
        ).all()
    )


def _plan_agencies(session: Session, partnership_id: int, rows: list[Row]) -> list[Planned]:
    held = _agency_names(session, partnership_id)
    planned = []
    for row in rows:
        if row.problems:
            planned.append(_refused(row))
        elif row.values["name"].lower() in held:
            planned.append(Planned(row, RowOutcome.skip, "Already an agency of the partnership."))
        else:
            sector = rules.sector(row.values["sector"])
            assert sector is not None
            partner = " (a statutory partner)" if _yes(row.values["statutory_partner"]) else ""
            planned.append(
                Planned(row, RowOutcome.create, f"A new {sector.value} agency{partner}.")
            )
    return planned


def _yes(text: str) -> bool:
    return text.lower() in rules.YES


def plan(session: Session, *, partnership_id: int, kind: Kind, raw: bytes) -> list[Planned]:
    """What each row of the file would do; raises Invalid if the file cannot be read."""
    try:
        rows = rules.read(raw, kind)
    except rules.BadFile as exc:
        raise Invalid({"file": str(exc)}) from exc
    return _plan_agencies(session, partnership_id, rows)


def apply(
    session: Session, *, principal: Principal, partnership_id: int, kind: Kind, raw: bytes
) -> list[Planned]:
    """Do what the preview says, every row or, if any is refused, none (Invalid names them).

    The partnership's row is locked first, so two files confirmed at once are planned one
    after the other (PostgreSQL; SQLite's write lock does it already) and the second finds
    what the first added already there.
    """
    session.exec(
        select(Partnership.id).where(Partnership.id == partnership_id).with_for_update()
    ).one()
    planned = plan(session, partnership_id=partnership_id, kind=kind, raw=raw)
    refused = [
        FieldProblem(field=f"rows.{p.row.line}.{column}", message=message, type="invalid")
        for p in planned
        if p.outcome == RowOutcome.refused
        for column, message in p.row.problems.items()
    ]
    if refused:
        raise Invalid(
            refused,
            detail=f"{len({p.row.line for p in planned if p.outcome == RowOutcome.refused})} "
            "rows are refused, so nothing was added: correct them and send the file again.",
        )
    for p in planned:
        if p.outcome == RowOutcome.create:
            sector = rules.sector(p.row.values["sector"])
            assert sector is not None
            data = AgencyCreate(
                name=p.row.values["name"],
                sector=sector,
                statutory_partner=_yes(p.row.values["statutory_partner"]),
            )
            agencies.create(session, principal=principal, partnership_id=partnership_id, data=data)
    return planned
