"""The rules of a programme's life, without a database: draft → open → closed."""

from datetime import date

from api.models import ProgrammeStatus
from api.problems import Conflict

TRANSITIONS: dict[ProgrammeStatus, frozenset[ProgrammeStatus]] = {
    ProgrammeStatus.draft: frozenset({ProgrammeStatus.open}),
    ProgrammeStatus.open: frozenset({ProgrammeStatus.closed}),
    ProgrammeStatus.closed: frozenset(),
}

# What may change in each status: once open, agencies have started; once closed, it is history.
EDITABLE: dict[ProgrammeStatus, frozenset[str]] = {
    ProgrammeStatus.draft: frozenset(
        {"title", "description", "opens_on", "deadline", "framework_version_id", "reminder_days"}
    ),
    ProgrammeStatus.open: frozenset({"title", "description", "deadline", "reminder_days"}),
    ProgrammeStatus.closed: frozenset(),
}


def date_problems(opens_on: date, deadline: date) -> dict[str, str]:
    if deadline < opens_on:
        return {"deadline": "must be on or after the opening date"}
    return {}


def check_transition(current: ProgrammeStatus, target: ProgrammeStatus, *, asked: int) -> None:
    """Refuse a move the life cycle does not allow, saying why."""
    if target not in TRANSITIONS[current]:
        raise Conflict(f"A programme that is {current.value} cannot become {target.value}.")
    if target == ProgrammeStatus.open and asked == 0:
        raise Conflict("Ask at least one agency before opening the programme.")


def check_edit(status: ProgrammeStatus, fields: set[str]) -> None:
    locked = sorted(fields - EDITABLE[status])
    if locked:
        raise Conflict(
            f"In a programme that is {status.value}, these cannot change: {', '.join(locked)}."
        )


def check_asked_change(status: ProgrammeStatus, *, adding: bool) -> None:
    """Agencies may be added until the programme closes, and removed only while a draft."""
    if status == ProgrammeStatus.closed or (not adding and status != ProgrammeStatus.draft):
        verb = "added to" if adding else "removed from"
        raise Conflict(f"Agencies cannot be {verb} a programme that is {status.value}.")
