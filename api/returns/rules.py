"""A return's life and the rules for submitting it, without a database.

not started → in progress → submitted → accepted
                               ↓   ↑
                             returned (for more information, with reasons)
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from api.models import ReturnStatus
from api.problems import Conflict


class Move(StrEnum):
    start = "start"  # the first answer saved
    submit = "submit"
    send_back = "return"  # returned for more information
    accept = "accept"


MOVES: dict[tuple[ReturnStatus, Move], ReturnStatus] = {
    (ReturnStatus.not_started, Move.start): ReturnStatus.in_progress,
    (ReturnStatus.in_progress, Move.submit): ReturnStatus.submitted,
    (ReturnStatus.returned, Move.submit): ReturnStatus.submitted,
    (ReturnStatus.submitted, Move.send_back): ReturnStatus.returned,
    (ReturnStatus.submitted, Move.accept): ReturnStatus.accepted,
}

# The agency may change its answers only while the return is in its hands.
EDITABLE = frozenset({ReturnStatus.not_started, ReturnStatus.in_progress, ReturnStatus.returned})

LABELS = {
    ReturnStatus.not_started: "Not started",
    ReturnStatus.in_progress: "In progress",
    ReturnStatus.submitted: "Submitted",
    ReturnStatus.returned: "Returned for more information",
    ReturnStatus.accepted: "Accepted",
}


def next_status(current: ReturnStatus, move: Move) -> ReturnStatus:
    """Where `move` takes a return, or a Conflict that says why it cannot."""
    target = MOVES.get((ReturnStatus(current), move))
    if target is None:
        raise Conflict(
            f"A return that is {LABELS[ReturnStatus(current)].lower()} cannot {_VERBS[move]}."
        )
    return target


_VERBS = {
    Move.start: "be started",
    Move.submit: "be submitted",
    Move.send_back: "be returned for more information",
    Move.accept: "be accepted",
}


def check_editable(current: ReturnStatus) -> None:
    if ReturnStatus(current) not in EDITABLE:
        raise Conflict(
            f"This return is {LABELS[ReturnStatus(current)].lower()}; its answers cannot change "
            "until the partnership returns it for more information."
        )


def due_date(deadline: date, extended_to: date | None) -> date:
    """A return is due by the programme's deadline, or by its agency's extension if later."""
    return max(deadline, extended_to) if extended_to is not None else deadline


def may_extend(*, programme_open: bool, submitted: bool) -> bool:
    """A due date moves only while the programme is open and until the first submission,
    which records the date then in force."""
    return programme_open and not submitted


DECLARATION = (
    "I confirm that, to the best of my knowledge, this self-assessment is accurate, that the "
    "evidence it describes exists and can be shown on request, and that the actions in its "
    "plan have been agreed by the agency."
)


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    needs_action: bool
    needs_reason: bool


@dataclass(frozen=True)
class Answer:
    requirement_id: int
    code: str  # the requirement's code, e.g. "3.2"
    rating: str | None
    evidence: str
    has_attachments: bool
    comment: str
    open_actions: int
    carried_forward: bool = False  # copied from an earlier return and not yet confirmed


@dataclass(frozen=True)
class SignOff:
    name: str
    role: str
    declaration: bool


@dataclass
class Unmet:
    """One rule a return does not yet meet, tied to the field that would meet it."""

    field: str
    message: str
    requirement_id: int | None = None


@dataclass
class Check:
    unmet: list[Unmet] = field(default_factory=list)

    def need(self, ok: bool, field: str, message: str, requirement_id: int | None = None) -> None:
        if not ok:
            self.unmet.append(Unmet(field, message, requirement_id))


def submission_problems(
    answers: list[Answer], levels: dict[str, Level], sign_off: SignOff | None
) -> list[Unmet]:
    """Every rule the return breaks, all at once, in the order of the framework."""
    check = Check()
    for a in answers:
        at = f"responses.{a.requirement_id}"
        if a.carried_forward:  # counts as unrated until someone confirms or changes it
            check.need(
                False,
                f"{at}.carried_forward",
                f"Review the answer carried forward for requirement {a.code}: "
                "confirm it or change it",
                a.requirement_id,
            )
            continue
        level = levels.get(a.rating or "")
        check.need(
            level is not None, f"{at}.rating", f"Rate requirement {a.code}", a.requirement_id
        )
        if level is None:
            continue
        if level.needs_reason:
            check.need(
                bool(a.comment.strip()),
                f"{at}.comment",
                f"Say why requirement {a.code} is {level.label.lower()}",
                a.requirement_id,
            )
        else:
            check.need(
                bool(a.evidence.strip()) or a.has_attachments,
                f"{at}.evidence",
                f"Give evidence for requirement {a.code}",
                a.requirement_id,
            )
        if level.needs_action:
            check.need(
                a.open_actions > 0,
                f"{at}.actions",
                f"Add an action for requirement {a.code}, rated {level.label.lower()}",
                a.requirement_id,
            )
    if sign_off is None:
        check.need(False, "sign_off", "The agency's approver must sign off the return")
    else:
        check.need(bool(sign_off.name.strip()), "sign_off.name", "Give the name of who signs off")
        check.need(bool(sign_off.role.strip()), "sign_off.role", "Give their role")
        check.need(sign_off.declaration, "sign_off.declaration", "Confirm the declaration")
    return check.unmet
