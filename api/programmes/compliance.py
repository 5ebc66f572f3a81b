"""Compliance: who of the agencies a programme asks has returned, on time or late, and
where their action plans stand. "17 of 17 returned (100%)" is read from here.

The whole tracker is one query over the asked agencies, with every count made by an
aggregate subquery, so it costs the same statements for five agencies or five hundred.
Filtering and sorting happen after, in Python, because the totals are over every asked
agency and the rows already hold everything they sort by.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from api.actions import rules as action_rules
from api.actions import service as actions
from api.models import (
    Action,
    Agency,
    ModeratedRating,
    Programme,
    ProgrammeAgency,
    Return,
    ReturnStatus,
    ReturnVersion,
)
from api.returns import rules as return_rules

SORT_KEYS = ("agency", "status", "submitted_at", "open_actions", "overdue_actions")
ComplianceSort = Literal[
    "agency", "-agency", "status", "-status", "submitted_at", "-submitted_at",
    "open_actions", "-open_actions", "overdue_actions", "-overdue_actions",
]  # fmt: skip

# A return's life, in order: sorting by status follows it rather than the alphabet.
STATUS_ORDER = {s: i for i, s in enumerate(ReturnStatus)}


class Timeliness(StrEnum):
    on_time = "on_time"  # first submitted on or before its due date then in force
    late = "late"  # first submitted after it, or still outstanding after it
    outstanding = "outstanding"  # never submitted


# The pure rule, without a database.


@dataclass(frozen=True)
class Standing:
    """Where an agency stands against the deadline."""

    on_time: bool | None  # None: not submitted, and the deadline has not passed yet
    days_late: int | None  # None: on time, or not yet due

    def matches(self, wanted: Timeliness, *, submitted: bool) -> bool:
        if wanted == Timeliness.outstanding:
            return not submitted
        return self.on_time is (wanted == Timeliness.on_time)


def standing(first_submitted_on: date | None, deadline: date, today: date) -> Standing:
    """On time is a first submission on or before the deadline (UTC dates); late is a
    first submission after it, or none at all once it has passed."""
    if first_submitted_on is not None:
        late_by = (first_submitted_on - deadline).days
        return Standing(on_time=late_by <= 0, days_late=late_by if late_by > 0 else None)
    if today > deadline:
        return Standing(on_time=False, days_late=(today - deadline).days)
    return Standing(on_time=None, days_late=None)


def percent(part: int, whole: int) -> int:
    """A whole percentage, rounded down: 100% only when every agency has returned."""
    return 100 * part // whole if whole else 0


# Schemas.


class ComplianceTotals(BaseModel):
    asked: int
    submitted: int = Field(description="Returned a self-assessment at least once")
    on_time: int = Field(description="First submitted on or before the date it was then due")
    late: int = Field(description="First submitted after its due date, or outstanding after it")
    outstanding: int = Field(description="Never submitted")
    accepted: int
    returned: int = Field(description="Returned to the agency for more information, now")
    with_action_plan: int = Field(description="Have an action that began in this programme")
    percent_returned: int = Field(description="submitted of asked, as a whole per cent")


class ComplianceRow(BaseModel):
    return_id: int | None = Field(description="None until the programme opens")
    agency_id: int
    agency_name: str
    status: ReturnStatus | None = Field(description="None until the programme opens")
    first_submitted_at: datetime | None
    due_on: date = Field(
        description="When it was due: as recorded at its first submission; until then the "
        "programme's deadline, or the agency's extension"
    )
    extended_to: date | None = Field(description="The agency's extension, if granted")
    submitted_at: datetime | None = Field(description="The latest submission")
    on_time: bool | None = Field(description="None while not submitted and not yet due")
    days_late: int | None
    version_count: int
    moderated: bool
    open_actions: int
    overdue_actions: int


class ComplianceRead(BaseModel):
    programme_id: int
    deadline: date
    totals: ComplianceTotals
    rows: list[ComplianceRow]


@dataclass(frozen=True)
class Filters:
    status: ReturnStatus | None = None
    timeliness: Timeliness | None = None
    moderated: bool | None = None

    def keep(self, row: ComplianceRow, standing_: Standing) -> bool:
        status = row.status or ReturnStatus.not_started  # no return yet: not started
        return (
            (self.status is None or status == self.status)
            and (
                self.timeliness is None
                or standing_.matches(self.timeliness, submitted=row.version_count > 0)
            )
            and (self.moderated is None or row.moderated == self.moderated)
        )


# The service.


def _query(programme: Programme, today: date) -> Any:
    """One row per asked agency, with its return (if any) and every count beside it."""
    returns = select(Return.id).where(Return.programme_id == programme.id)
    versions = (
        select(
            ReturnVersion.return_id,
            func.count().label("n"),
            func.min(case((col(ReturnVersion.number) == 1, col(ReturnVersion.submitted_at)))).label(
                "first"
            ),
            # The due date recorded with the first submission, not the deadline as it is now.
            func.min(case((col(ReturnVersion.number) == 1, col(ReturnVersion.due_on)))).label(
                "first_due_on"
            ),
        )
        .where(col(ReturnVersion.return_id).in_(returns))
        .group_by(col(ReturnVersion.return_id))
        .subquery()
    )
    moderated = (
        select(ModeratedRating.return_id, func.count().label("n"))
        .where(col(ModeratedRating.return_id).in_(returns))
        .group_by(col(ModeratedRating.return_id))
        .subquery()
    )
    plans = (
        select(Action.return_id, func.count().label("n"))
        .where(col(Action.return_id).in_(returns))
        .group_by(col(Action.return_id))
        .subquery()
    )
    counts = (
        select(
            Action.agency_id,
            func.sum(case((action_rules.open_condition(), 1), else_=0)).label("open"),
            func.sum(case((action_rules.overdue_condition(today), 1), else_=0)).label("overdue"),
        )
        .where(Action.partnership_id == programme.partnership_id)
        .group_by(col(Action.agency_id))
        .subquery()
    )
    return (
        select(  # type: ignore[call-overload]
            ProgrammeAgency.agency_id,
            Agency.name,
            Return.id,
            Return.status,
            Return.submitted_at,
            versions.c.first,
            versions.c.first_due_on,
            Return.extended_to,
            func.coalesce(versions.c.n, 0),
            func.coalesce(moderated.c.n, 0),
            func.coalesce(counts.c.open, 0),
            func.coalesce(counts.c.overdue, 0),
            func.coalesce(plans.c.n, 0),
        )
        .join(Agency, col(Agency.id) == ProgrammeAgency.agency_id)
        .outerjoin(
            Return,
            and_(
                col(Return.programme_id) == ProgrammeAgency.programme_id,
                col(Return.agency_id) == ProgrammeAgency.agency_id,
            ),
        )
        .outerjoin(versions, versions.c.return_id == Return.id)
        .outerjoin(moderated, moderated.c.return_id == Return.id)
        .outerjoin(plans, plans.c.return_id == Return.id)
        .outerjoin(counts, counts.c.agency_id == ProgrammeAgency.agency_id)
        .where(ProgrammeAgency.programme_id == programme.id)
        .order_by(col(Agency.name), col(Agency.id))
    )


def _utc_date(at: datetime | None) -> date | None:
    return at.astimezone(UTC).date() if at is not None else None


def _sort_key(key: str) -> Callable[[ComplianceRow], Any]:
    return {
        "agency": lambda r: r.agency_name.casefold(),
        "status": lambda r: STATUS_ORDER[r.status or ReturnStatus.not_started],
        "submitted_at": lambda r: r.submitted_at,
        "open_actions": lambda r: r.open_actions,
        "overdue_actions": lambda r: r.overdue_actions,
    }[key]


def sort_rows(rows: list[ComplianceRow], sort: str) -> list[ComplianceRow]:
    """Sort by one column (`-` first for descending); ties and blanks keep agency order,
    and blanks (never submitted) always come last."""
    key = _sort_key(sort.removeprefix("-"))
    by_name = sorted(rows, key=lambda r: (r.agency_name.casefold(), r.agency_id))
    present = [r for r in by_name if key(r) is not None]
    blank = [r for r in by_name if key(r) is None]
    return sorted(present, key=key, reverse=sort.startswith("-")) + blank


def read(
    session: Session, *, programme: Programme, sort: str = "agency", filters: Filters = Filters()
) -> ComplianceRead:
    """The programme's compliance: totals over every asked agency, rows after the filters."""
    assert programme.id is not None
    today = actions.today()
    rows: list[ComplianceRow] = []
    standings: dict[int, Standing] = {}
    planned = 0
    for (
        agency_id, agency_name, return_id, status, submitted_at, first, first_due_on,
        extended_to, version_count, moderated, open_actions, overdue_actions, plan_actions,
    ) in session.exec(_query(programme, today)).all():  # fmt: skip
        due_on = first_due_on or return_rules.due_date(programme.deadline, extended_to)
        found = standing(_utc_date(first), due_on, today)
        standings[agency_id] = found
        planned += plan_actions > 0
        rows.append(
            ComplianceRow(
                return_id=return_id,
                agency_id=agency_id,
                agency_name=agency_name,
                status=status,
                first_submitted_at=first,
                due_on=due_on,
                extended_to=extended_to,
                submitted_at=submitted_at,
                on_time=found.on_time,
                days_late=found.days_late,
                version_count=version_count,
                moderated=moderated > 0,
                open_actions=open_actions,
                overdue_actions=overdue_actions,
            )
        )
    submitted = sum(r.version_count > 0 for r in rows)
    totals = ComplianceTotals(
        asked=len(rows),
        submitted=submitted,
        on_time=sum(s.on_time is True for s in standings.values()),
        late=sum(s.on_time is False for s in standings.values()),
        outstanding=len(rows) - submitted,
        accepted=sum(r.status == ReturnStatus.accepted for r in rows),
        returned=sum(r.status == ReturnStatus.returned for r in rows),
        with_action_plan=planned,
        percent_returned=percent(submitted, len(rows)),
    )
    kept = [r for r in rows if filters.keep(r, standings[r.agency_id])]
    return ComplianceRead(
        programme_id=programme.id,
        deadline=programme.deadline,
        totals=totals,
        rows=sort_rows(kept, sort),
    )
