"""The rules of challenge events, without a database."""

from datetime import date

import pytest

from api.challenge.rules import (
    OUTCOME_LABELS,
    NotOnPanel,
    ScaleLevel,
    ScoreRefused,
    ScoresLocked,
    Triangulation,
    check_follow_up_due,
    check_level,
    check_may_score,
    combined_score,
    may_invite,
    standard_self_rating,
)
from api.models.challenge import EventStatus, Outcome, SessionStatus

# The Section 11 scale, best first, as the default framework has it.
SCALE = [
    ScaleLevel("met", "Met", True),
    ScaleLevel("partially_met", "Partially met", True),
    ScaleLevel("not_met", "Not met", True),
    ScaleLevel("not_applicable", "Not applicable", False),
]


@pytest.mark.parametrize(
    ("scores", "combined"),
    [
        ([], None),
        (["met"], "met"),
        (["met", "met", "not_met"], "met"),  # one outlier does not move it
        (["met", "partially_met", "not_met"], "partially_met"),
        (["met", "partially_met"], "partially_met"),  # a split panel: the worse middle
        (["met", "met", "partially_met", "partially_met"], "partially_met"),
        (["met", "met", "met", "not_met"], "met"),
        (["not_met", "met", "not_applicable"], "not_met"),  # N/A is left out
        (["not_applicable", "not_applicable"], "not_applicable"),  # only N/A: N/A
    ],
)
def test_the_combined_score_is_the_median_with_ties_to_the_worse(scores, combined):
    assert combined_score(scores, SCALE) == combined


def test_the_combined_score_is_always_a_level_someone_gave():
    for scores in (["met", "not_met"], ["met", "partially_met", "not_met", "not_met"]):
        assert combined_score(scores, SCALE) in scores


def test_a_standards_self_rating_is_its_weakest_requirement():
    assert standard_self_rating(["met", "partially_met", "met"], SCALE) == "partially_met"
    assert standard_self_rating(["met", None, "not_applicable"], SCALE) == "met"
    assert standard_self_rating([None, "not_applicable"], SCALE) is None


def test_triangulation_marks_disagreement_between_any_two_given():
    assert Triangulation(1, "met", None, "not_met").disagree
    assert Triangulation(1, "met", "partially_met", None).disagree
    assert not Triangulation(1, "met", "met", "met").disagree
    assert not Triangulation(1, "met", None, None).disagree


def test_only_the_panel_scores_and_only_while_the_session_is_open():
    check_may_score(
        is_member=True, event_status=EventStatus.planned, session_status=SessionStatus.open
    )
    refusals = [
        (False, EventStatus.planned, SessionStatus.open, NotOnPanel, "panel members"),
        (True, EventStatus.planned, SessionStatus.closed, ScoresLocked, "locked"),
        (True, EventStatus.cancelled, SessionStatus.open, ScoresLocked, "cancelled"),
    ]
    for member, event, session, refusal, says in refusals:
        with pytest.raises(refusal, match=says):
            check_may_score(is_member=member, event_status=event, session_status=session)


def test_a_score_is_a_level_of_the_scale():
    check_level("partially_met", SCALE)
    with pytest.raises(ScoreRefused, match="excellent"):
        check_level("excellent", SCALE)


def test_a_follow_up_falls_due_on_or_after_the_event():
    day = date(2023, 10, 31)
    check_follow_up_due(day, day)
    check_follow_up_due(date(2024, 3, 20), day)
    with pytest.raises(ValueError, match="2023-10-31"):
        check_follow_up_due(date(2023, 10, 30), day)


def test_an_agency_is_invited_once_and_only_if_asked_in_the_programme():
    asked = {1, 2, 3}
    assert may_invite(2, asked=asked, invited={1}) is None
    assert may_invite(1, asked=asked, invited={1}) == "is already invited to this event"
    assert "not an agency asked" in (may_invite(9, asked=asked, invited=set()) or "")


def test_every_outcome_has_a_label():
    assert set(OUTCOME_LABELS) == set(Outcome)
    assert "Executive" in OUTCOME_LABELS[Outcome.not_assured]


# Lines of enquiry: drafted and changed while a draft, answered once published, both only
# while the session is open and the event not cancelled.
from api.challenge.rules import (  # noqa: E402
    EnquiryRefused,
    check_may_answer,
    check_may_draft,
    check_may_publish,
    enquiry_status,
)

OPEN = {"event_status": EventStatus.planned, "session_status": SessionStatus.open}
CLOSED = {"event_status": EventStatus.planned, "session_status": SessionStatus.closed}
CANCELLED = {"event_status": EventStatus.cancelled, "session_status": SessionStatus.open}


def test_a_draft_changes_until_published_while_the_session_is_open():
    check_may_draft(published=False, **OPEN)
    with pytest.raises(EnquiryRefused, match="the agency may have read it"):
        check_may_draft(published=True, **OPEN)
    with pytest.raises(EnquiryRefused, match="closed"):
        check_may_draft(published=False, **CLOSED)
    with pytest.raises(EnquiryRefused, match="cancelled"):
        check_may_draft(published=False, **CANCELLED)


def test_an_enquiry_is_published_once():
    check_may_publish(published=False, **OPEN)
    with pytest.raises(EnquiryRefused, match="already published"):
        check_may_publish(published=True, **OPEN)
    with pytest.raises(EnquiryRefused, match="closed"):
        check_may_publish(published=False, **CLOSED)


def test_the_agency_answers_only_published_enquiries_of_an_open_session():
    check_may_answer(published=True, **OPEN)
    with pytest.raises(EnquiryRefused, match="not published"):
        check_may_answer(published=False, **OPEN)
    with pytest.raises(EnquiryRefused, match="closed"):
        check_may_answer(published=True, **CLOSED)
    with pytest.raises(EnquiryRefused, match="cancelled"):
        check_may_answer(published=True, **CANCELLED)
    assert (enquiry_status(False), enquiry_status(True)) == ("draft", "published")
