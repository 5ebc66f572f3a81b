"""What a review may do at each point of a return's life, without a database.

The partnership reviews a return once the agency has submitted it: it may return it for
more information (only while the programme is open, since the agency must be able to
answer), rate requirements and standards itself, and accept it. Its own ratings can be
given or changed while the review lasts (submitted, or returned and waiting for the
agency); acceptance ends the review.
"""

from api.models import ReturnStatus
from api.problems import Conflict
from api.returns.rules import MOVES, Move

MODERATABLE = frozenset({ReturnStatus.submitted, ReturnStatus.returned})

MAX_NOTE = 5_000


def may_send_back(status: ReturnStatus, *, programme_open: bool) -> bool:
    """Whether a return may go back to the agency for more information now (state only)."""
    return programme_open and (ReturnStatus(status), Move.send_back) in MOVES


def may_accept(status: ReturnStatus) -> bool:
    return (ReturnStatus(status), Move.accept) in MOVES


def may_moderate(status: ReturnStatus) -> bool:
    return ReturnStatus(status) in MODERATABLE


def check_send_back(*, programme_open: bool) -> None:
    """The state machine checks the return's status; this checks what it cannot see."""
    if not programme_open:
        raise Conflict(
            "The programme is closed: the agency could no longer answer, so the return "
            "cannot be returned for more information. Accept it, or moderate it as it stands."
        )


def check_moderate(status: ReturnStatus) -> None:
    if ReturnStatus(status) == ReturnStatus.accepted:
        raise Conflict("This return has been accepted: its review is over.")
    if not may_moderate(status):
        raise Conflict(
            "The agency has not submitted this return yet, so there is nothing to moderate."
        )


def send_back_problems(reason: str, requirement_ids: list[int]) -> dict[str, str]:
    """What is wrong with a request for more information, by field (empty when nothing)."""
    problems: dict[str, str] = {}
    if not reason.strip() and not requirement_ids:
        problems["reason"] = (
            "say what more information is needed, for the whole return or for a requirement"
        )
    seen: set[int] = set()
    for i, requirement_id in enumerate(requirement_ids):
        if requirement_id in seen:
            problems[f"requirements.{i}.requirement_id"] = (
                "is named twice; put everything about one requirement in one note"
            )
        seen.add(requirement_id)
    return problems


def send_back_reason(reason: str, note_count: int) -> str:
    """Why the return moved, as its history shows it: the whole-return note, or a count."""
    if reason.strip():
        return reason.strip()
    return f"returned with {note_count} note{'' if note_count == 1 else 's'}"
