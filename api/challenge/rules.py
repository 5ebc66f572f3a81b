"""The rules of a challenge event, without a database: who may score and when, how the
panel's scores combine, which outcomes there are, and when a follow-up may fall due.

The combined score of a standard is the median of the members' scores on the scale, taken
from worst to best; with an even number of scores it is the lower (worse) of the two
middle levels, so that a split panel never reads as more assured than half its members
are. Members who did not score are left out, and so are scores on a level that does not
count (e.g. "not applicable"); if only such scores were given, the combined score is the
most given of them. A panel's score is a judgement, not an average: a median is always a
level someone chose, and one outlier cannot move it.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from api.models.challenge import EventStatus, Outcome, SessionStatus

OUTCOME_LABELS = {
    Outcome.assured: "Assured",
    Outcome.partially_assured: "Partially assured (more information requested)",
    Outcome.not_assured: "Not assured (escalated to the Executive)",
}


@dataclass(frozen=True)
class ScaleLevel:
    code: str
    label: str
    scored: bool  # counts towards a combined score (not "not applicable")


class ScoreRefused(ValueError):
    """Why a score may not be given; the message is for the person."""


class NotOnPanel(ScoreRefused):
    """The scorer does not sit on the event's panel."""


class ScoresLocked(ScoreRefused):
    """The session is closed, or the event cancelled."""


def is_open(event_status: EventStatus, session_status: SessionStatus) -> bool:
    """A session takes scores, enquiries and answers while it is open and its event stands."""
    return event_status == EventStatus.planned and session_status == SessionStatus.open


def check_may_score(
    *, is_member: bool, event_status: EventStatus, session_status: SessionStatus
) -> None:
    """Only the event's panel scores, and only while the session is open."""
    if not is_member:
        raise NotOnPanel("Only the event's panel members score its sessions.")
    if event_status == EventStatus.cancelled:
        raise ScoresLocked("The event was cancelled.")
    if session_status == SessionStatus.closed:
        raise ScoresLocked("The session is closed: its scores are locked. The chair may reopen it.")


def check_level(code: str, scale: Sequence[ScaleLevel]) -> None:
    if code not in {level.code for level in scale}:
        codes = ", ".join(level.code for level in scale)
        raise ScoreRefused(f"“{code}” is not a level of this framework's scale ({codes}).")


def combined_score(scores: Sequence[str], scale: Sequence[ScaleLevel]) -> str | None:
    """The panel's score of one standard, from its members' levels (see the module's note).

    `scale` is in the framework's order, best first. None when no member has scored.
    """
    counted = [level.code for level in scale if level.scored]
    given = [s for s in scores if s in counted]
    if given:
        worst_first = sorted(given, key=counted.index, reverse=True)
        # the lower middle of an even count: the worse of the two middle levels
        return worst_first[(len(worst_first) - 1) // 2]
    others = [s for s in scores if s in {level.code for level in scale}]
    if not others:
        return None
    return Counter(others).most_common(1)[0][0]


def standard_self_rating(ratings: Sequence[str | None], scale: Sequence[ScaleLevel]) -> str | None:
    """An agency rates requirements; its rating of a standard is the worst counted level it
    gave any of the standard's requirements (a standard is only as met as its weakest part)."""
    counted = [level.code for level in scale if level.scored]
    given = [r for r in ratings if r in counted]
    return max(given, key=counted.index) if given else None


@dataclass(frozen=True)
class Triangulation:
    """Per standard: what the agency said, what the partnership moderated, what the panel
    scored; they disagree when any two that were given differ."""

    standard_id: int
    self_rating: str | None
    moderated: str | None
    panel: str | None

    @property
    def disagree(self) -> bool:
        return len({r for r in (self.self_rating, self.moderated, self.panel) if r}) > 1


def is_upcoming(status: EventStatus, held_on: date, today: date) -> bool:
    """An event is upcoming while it stands and its day has not passed; once its day has
    passed it was held. Derived from the date, never stored."""
    return status == EventStatus.planned and held_on >= today


def check_follow_up_due(due_on: date, held_on: date) -> None:
    if due_on < held_on:
        raise ValueError(f"must be on or after the event, {held_on.isoformat()}")


def may_invite(agency_id: int, *, asked: set[int], invited: set[int]) -> str | None:
    """Why an agency may not be invited to an event, or None if it may."""
    if agency_id not in asked:
        return "is not an agency asked in this event's programme"
    if agency_id in invited:
        return "is already invited to this event"
    return None


class EnquiryRefused(ValueError):
    """Why a line of enquiry may not be drafted, changed or answered now; for the person."""


def _check_open(event_status: EventStatus, session_status: SessionStatus) -> None:
    if event_status == EventStatus.cancelled:
        raise EnquiryRefused("The event was cancelled.")
    if session_status == SessionStatus.closed:
        raise EnquiryRefused("The session is closed. The chair may reopen it.")


def check_may_draft(
    *, published: bool, event_status: EventStatus, session_status: SessionStatus
) -> None:
    """The panel drafts, changes and deletes a line of enquiry while it is a draft and the
    session is open; once published the agency may have read it, so it stays as it was."""
    _check_open(event_status, session_status)
    if published:
        raise EnquiryRefused("The enquiry is published; the agency may have read it.")


def check_may_publish(
    *, published: bool, event_status: EventStatus, session_status: SessionStatus
) -> None:
    _check_open(event_status, session_status)
    if published:
        raise EnquiryRefused("The enquiry is already published.")


def check_may_answer(
    *, published: bool, event_status: EventStatus, session_status: SessionStatus
) -> None:
    """The agency answers a published enquiry, and may change its answer, until the session
    closes."""
    if not published:
        raise EnquiryRefused("The enquiry is not published yet.")
    _check_open(event_status, session_status)


def enquiry_status(published: bool) -> str:
    return "published" if published else "draft"
