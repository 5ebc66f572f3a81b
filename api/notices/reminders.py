"""The time-driven notices: deadlines near, actions and follow-ups overdue, the weekly digest.

The worker asks `write_due` every few minutes; each notice is queued once per person and
occasion (api/notices/schedule.py names the occasions), however often it asks and however
many workers ask at once (the outbox's unique key settles a race).
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlmodel import Session, col, func, select

from api.models import (
    OPEN_ACTION_STATUSES,
    Action,
    Agency,
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    Partnership,
    Programme,
    ProgrammeStatus,
    Return,
    ReturnStatus,
    User,
)
from api.notices import links, recipients, schedule
from api.notices.context import return_context
from api.notices.kinds import NoticeKind
from api.notices.send import notify
from api.returns.rules import due_date

NOT_SUBMITTED = (ReturnStatus.not_started, ReturnStatus.in_progress, ReturnStatus.returned)


def write_due(session: Session, *, now: datetime) -> int:
    """Queue every time-driven notice that is due; how many messages were queued."""
    today = now.date()
    return (
        deadline_reminders(session, today=today)
        + overdue_actions(session, today=today)
        + overdue_follow_ups(session, today=today)
        + weekly_digests(session, today=today)
    )


class StaffFinder:
    """An agency's editors and approvers, looked up once per round."""

    def __init__(self, session: Session):
        self.session = session
        self.find = cache(self._find)

    def _find(self, partnership_id: int, agency_id: int) -> Sequence[User]:
        return recipients.agency_staff(
            self.session, partnership_id=partnership_id, agency_id=agency_id
        )


def deadline_reminders(session: Session, *, today: date) -> int:
    rows = session.exec(
        select(Return, Programme)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Programme.status == ProgrammeStatus.open, col(Return.status).in_(NOT_SUBMITTED))
        .order_by(col(Return.id))
    ).all()
    staff = StaffFinder(session)
    queued = 0
    for ret, programme in rows:
        due = due_date(programme.deadline, ret.extended_to)
        days = schedule.deadline_reminder(due, today, programme.reminder_days)
        if days is None:
            continue
        partnership, context = return_context(session, ret.id or 0)
        queued += notify(
            session,
            NoticeKind.deadline_near,
            occasion=schedule.deadline_occasion(ret.id or 0, due, days),
            partnership=partnership,
            people=staff.find(programme.partnership_id, ret.agency_id),
            context={**context, "days_left": (due - today).days},
        )
    return queued


def overdue_actions(session: Session, *, today: date) -> int:
    rows = session.exec(
        select(Action, Agency, Partnership)
        .join(Agency, col(Agency.id) == Action.agency_id)
        .join(Partnership, col(Partnership.id) == Action.partnership_id)
        .where(col(Action.status).in_(OPEN_ACTION_STATUSES), col(Action.due_on) < today)
        .order_by(col(Action.id))
    ).all()
    staff = StaffFinder(session)
    queued = 0
    for action, agency, partnership in rows:
        queued += notify(
            session,
            NoticeKind.action_overdue,
            occasion=schedule.overdue_occasion("action", action.id or 0, action.due_on),
            partnership=partnership,
            people=staff.find(action.partnership_id, action.agency_id),
            context={
                "agency": agency,
                "action": action,
                "page_url": links.page(f"/p/{action.partnership_id}/actions/{action.id}"),
            },
        )
    return queued


def overdue_follow_ups(session: Session, *, today: date) -> int:
    rows = session.exec(
        select(FollowUp, ChallengeSession, ChallengeEvent, Agency)
        .join(ChallengeSession, col(ChallengeSession.id) == FollowUp.session_id)
        .join(ChallengeEvent, col(ChallengeEvent.id) == ChallengeSession.event_id)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(col(FollowUp.status).in_(OPEN_ACTION_STATUSES), col(FollowUp.due_on) < today)
        .order_by(col(FollowUp.id))
    ).all()
    staff = StaffFinder(session)
    queued = 0
    for follow_up, invited, event, agency in rows:
        partnership = session.get(Partnership, event.partnership_id)
        assert partnership is not None
        queued += notify(
            session,
            NoticeKind.follow_up_overdue,
            occasion=schedule.overdue_occasion("follow_up", follow_up.id or 0, follow_up.due_on),
            partnership=partnership,
            people=staff.find(event.partnership_id, invited.agency_id),
            context={
                "agency": agency,
                "follow_up": follow_up,
                "event": event,
                "page_url": links.page(f"/p/{event.partnership_id}/follow-ups/{follow_up.id}"),
            },
        )
    return queued


def weekly_digests(session: Session, *, today: date) -> int:
    """Each partnership's business unit, once a week: what came in, what is late, overdue."""
    queued = 0
    for partnership in session.exec(select(Partnership).order_by(col(Partnership.id))).all():
        digest = _digest(session, partnership_id=partnership.id or 0, today=today)
        if not any(digest.values()):
            continue  # nothing to tell: no email
        queued += notify(
            session,
            NoticeKind.weekly_digest,
            occasion=schedule.digest_occasion(partnership.id or 0, today),
            partnership=partnership,
            people=recipients.business_unit(session, partnership_id=partnership.id or 0),
            context={
                **digest,
                "since": today - timedelta(days=7),
                "returns_url": links.page(f"/p/{partnership.id}/returns"),
                "actions_url": links.page(f"/p/{partnership.id}/actions"),
            },
        )
    return queued


def _digest(session: Session, *, partnership_id: int, today: date) -> dict[str, list[str] | int]:
    week_ago = datetime.combine(today - timedelta(days=7), time.min, tzinfo=UTC)
    open_returns = (
        select(Return, Programme, Agency)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .where(Programme.partnership_id == partnership_id)
        .order_by(col(Agency.name))
    )
    submitted = [
        f"{agency.name} ({programme.title})"
        for _, programme, agency in session.exec(
            open_returns.where(col(Return.submitted_at) >= week_ago)
        ).all()
    ]
    late = [
        f"{agency.name} ({programme.title}), due {due_date(programme.deadline, ret.extended_to)}"
        for ret, programme, agency in session.exec(
            open_returns.where(
                Programme.status == ProgrammeStatus.open, col(Return.status).in_(NOT_SUBMITTED)
            )
        ).all()
        if schedule.is_overdue(due_date(programme.deadline, ret.extended_to), today)
    ]
    actions = session.exec(
        select(func.count()).where(
            Action.partnership_id == partnership_id,
            col(Action.status).in_(OPEN_ACTION_STATUSES),
            col(Action.due_on) < today,
        )
    ).one()
    follow_ups = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .join(ChallengeSession, col(ChallengeSession.id) == FollowUp.session_id)
        .join(ChallengeEvent, col(ChallengeEvent.id) == ChallengeSession.event_id)
        .where(
            ChallengeEvent.partnership_id == partnership_id,
            col(FollowUp.status).in_(OPEN_ACTION_STATUSES),
            col(FollowUp.due_on) < today,
        )
    ).one()
    return {
        "submitted": submitted,
        "late": late,
        "overdue_actions": actions,
        "overdue_follow_ups": follow_ups,
    }
