"""The rules of a return's life and of submitting it, without a database."""

import pytest

from api.models import ReturnStatus
from api.problems import Conflict
from api.returns.rules import (
    EDITABLE,
    Answer,
    Level,
    Move,
    SignOff,
    check_editable,
    next_status,
    submission_problems,
)

S = ReturnStatus

ALLOWED = {
    (S.not_started, Move.start): S.in_progress,
    (S.in_progress, Move.submit): S.submitted,
    (S.returned, Move.submit): S.submitted,
    (S.submitted, Move.send_back): S.returned,
    (S.submitted, Move.accept): S.accepted,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("move", list(Move))
def test_every_move_from_every_status(status, move):
    if (status, move) in ALLOWED:
        assert next_status(status, move) == ALLOWED[status, move]
    else:
        with pytest.raises(Conflict):
            next_status(status, move)


def test_an_accepted_return_is_final():
    for move in Move:
        with pytest.raises(Conflict):
            next_status(S.accepted, move)


@pytest.mark.parametrize("status", list(S))
def test_only_a_return_in_the_agency_s_hands_can_change(status):
    if status in (S.not_started, S.in_progress, S.returned):
        check_editable(status)
        assert status in EDITABLE
    else:
        with pytest.raises(Conflict, match="cannot change"):
            check_editable(status)


LEVELS = {
    "met": Level("met", "Met", needs_action=False, needs_reason=False),
    "partially_met": Level("partially_met", "Partially met", needs_action=True, needs_reason=False),
    "not_applicable": Level(
        "not_applicable", "Not applicable", needs_action=False, needs_reason=True
    ),
}
SIGNED = SignOff(name="Ann Approver", role="Head of Housing", declaration=True)


def answer(rid: int, rating: str | None, **kw) -> Answer:  # type: ignore[no-untyped-def]
    base = dict(code=f"1.{rid}", evidence="", has_attachments=False, comment="", open_actions=0)
    return Answer(requirement_id=rid, rating=rating, **{**base, **kw})


def test_a_complete_return_meets_every_rule():
    answers = [
        answer(1, "met", evidence="Board minutes, March"),
        answer(2, "partially_met", has_attachments=True, open_actions=1),
        answer(3, "not_applicable", comment="We do not commission services"),
    ]
    assert submission_problems(answers, LEVELS, SIGNED) == []


def test_every_unmet_rule_is_listed_at_once_with_its_field():
    answers = [
        answer(1, None),
        answer(2, "met"),
        answer(3, "partially_met", evidence="Some"),
        answer(4, "not_applicable"),
        answer(5, "unknown-code"),
    ]
    problems = submission_problems(answers, LEVELS, None)
    assert [(p.field, p.requirement_id) for p in problems] == [
        ("responses.1.rating", 1),
        ("responses.2.evidence", 2),
        ("responses.3.actions", 3),
        ("responses.4.comment", 4),
        ("responses.5.rating", 5),
        ("sign_off", None),
    ]


def test_the_sign_off_needs_a_name_a_role_and_the_declaration():
    problems = submission_problems([], LEVELS, SignOff(name=" ", role="", declaration=False))
    assert [p.field for p in problems] == [
        "sign_off.name",
        "sign_off.role",
        "sign_off.declaration",
    ]
