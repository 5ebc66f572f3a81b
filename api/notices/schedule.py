"""When the time-driven notices are due. No database: the worker asks these each round.

Each answer names an occasion, which the message's key carries, so that a notice is queued
once per person and occasion however many rounds (or workers) ask again.
"""

from collections.abc import Sequence
from datetime import date

DEFAULT_REMINDER_DAYS = (14, 7, 1)


def deadline_reminder(due: date, today: date, reminder_days: Sequence[int]) -> int | None:
    """Which "N days to go" reminder is due now, if any: the nearest one already reached.

    A worker that was down on the 14-days day and runs again 6 days before sends the 7-days
    reminder only, never both; once the deadline has passed, none (the digest tells the
    business unit what is late).
    """
    days_left = (due - today).days
    if days_left < 0:
        return None
    reached = [n for n in reminder_days if days_left <= n]
    return min(reached) if reached else None


def deadline_occasion(return_id: int, due: date, days: int) -> str:
    # The due date is part of it: an extension starts the reminders again for the new date.
    return f"r{return_id}-{due.isoformat()}-d{days}"


def is_overdue(due: date, today: date) -> bool:
    return due < today


def overdue_occasion(what: str, record_id: int, due: date) -> str:
    # A new due date makes a new occasion: overdue again, told again.
    return f"{what}{record_id}-{due.isoformat()}"


def digest_occasion(partnership_id: int, today: date) -> str:
    """One weekly digest per partnership per ISO week."""
    year, week, _ = today.isocalendar()
    return f"p{partnership_id}-{year}w{week:02d}"
