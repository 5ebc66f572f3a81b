"""The rules of actions, without a database."""

from datetime import date

from api.models import OPEN_ACTION_STATUSES, ActionStatus


def is_overdue(status: ActionStatus, due_on: date, today: date) -> bool:
    """An action is overdue while it is open and its due date has passed."""
    return status in OPEN_ACTION_STATUSES and due_on < today


def change_problems(status: ActionStatus, completion_evidence: str | None) -> dict[str, str]:
    if status == ActionStatus.done and not (completion_evidence or "").strip():
        return {"completion_evidence": "say what shows the action is done"}
    return {}
