"""The rules of actions. Each rule is here once; `overdue_condition` is the SQL form of
`is_overdue`, for queries that count or filter by it."""

from datetime import date

from sqlalchemy import ColumnElement
from sqlmodel import col

from api.models import OPEN_ACTION_STATUSES, Action, ActionStatus


def is_overdue(status: ActionStatus, due_on: date, today: date) -> bool:
    """An action is overdue while it is open and its due date has passed."""
    return status in OPEN_ACTION_STATUSES and due_on < today


def overdue_condition(today: date) -> ColumnElement[bool]:
    """`is_overdue`, as a condition on the action table."""
    return open_condition() & (col(Action.due_on) < today)


def open_condition() -> ColumnElement[bool]:
    """An action still to be done: planned or in progress."""
    return col(Action.status).in_(OPEN_ACTION_STATUSES)


def change_problems(status: ActionStatus, completion_evidence: str | None) -> dict[str, str]:
    if status == ActionStatus.done and not (completion_evidence or "").strip():
        return {"completion_evidence": "is needed before the action can be marked done"}
    return {}
