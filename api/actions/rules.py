"""The rules of actions, which a challenge session's follow-ups share. Each rule is here
once; `overdue_condition` is the SQL form of `is_overdue`, for queries that count or filter
by it, over the action table unless given another table's status and due date."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col

from api.models import OPEN_ACTION_STATUSES, Action, ActionStatus


def is_overdue(status: ActionStatus, due_on: date, today: date) -> bool:
    """An action is overdue while it is open and its due date has passed."""
    return status in OPEN_ACTION_STATUSES and due_on < today


def overdue_condition(
    today: date, status: Any = Action.status, due_on: Any = Action.due_on
) -> ColumnElement[bool]:
    """`is_overdue`, as a condition on these status and due-date columns."""
    return open_condition(status) & (col(due_on) < today)


def open_condition(status: Any = Action.status) -> ColumnElement[bool]:
    """Still to be done: planned or in progress."""
    return col(status).in_(OPEN_ACTION_STATUSES)


def change_problems(
    status: ActionStatus, completion_evidence: str | None, *, what: str = "the action"
) -> dict[str, str]:
    """Nothing is marked done without evidence that it was done."""
    if status == ActionStatus.done and not (completion_evidence or "").strip():
        return {"completion_evidence": f"is needed before {what} can be marked done"}
    return {}
