"""Which events send which notices, to whom: the request-time half of the notices (the
worker finds the time-driven half, api/notices/reminders.py)."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from api.events.catalogue import Event
from api.models import (
    AuditEvent,
    Partnership,
    Programme,
    Requirement,
    Return,
    ReturnStatus,
)
from api.notices import recipients
from api.notices.context import return_context
from api.notices.kinds import NoticeKind
from api.notices.send import notify


def _to_agency(session: Session, kind: NoticeKind, row: AuditEvent, **extra: Any) -> None:
    assert row.entity_id is not None
    partnership, context = return_context(session, row.entity_id)
    people = recipients.agency_staff(
        session, partnership_id=partnership.id or 0, agency_id=context["agency"].id
    )
    notify(
        session,
        kind,
        occasion=f"a{row.id}",
        partnership=partnership,
        people=people,
        context={**context, "reviewer": row.actor_label, **extra},
    )


def return_submitted(session: Session, row: AuditEvent) -> None:
    assert row.entity_id is not None
    partnership, context = return_context(session, row.entity_id)
    submitted = context["ret"].submitted_at
    late = submitted is not None and submitted.date() > context["due"]
    people = recipients.business_unit(session, partnership_id=partnership.id or 0)
    notify(
        session,
        NoticeKind.return_submitted,
        occasion=f"a{row.id}",
        partnership=partnership,
        people=people,
        context={**context, "late": late},
    )


def return_returned(session: Session, row: AuditEvent) -> None:
    after = row.after or {}
    asked = after.get("requirements", [])
    codes = dict(
        session.exec(
            select(Requirement.id, Requirement.code).where(
                col(Requirement.id).in_([r["requirement_id"] for r in asked])
            )
        ).all()
    )
    requirements = [{"code": codes[r["requirement_id"]], "note": r["note"]} for r in asked]
    _to_agency(
        session,
        NoticeKind.return_returned,
        row,
        reason=after.get("reason"),
        requirements=requirements,
    )


def return_accepted(session: Session, row: AuditEvent) -> None:
    _to_agency(session, NoticeKind.return_accepted, row, note=(row.after or {}).get("note"))


def programme_opened(session: Session, row: AuditEvent) -> None:
    """Every agency asked: its staff learn the programme is open, and by when to return."""
    programme = session.get(Programme, row.entity_id)
    assert programme is not None
    partnership = session.get(Partnership, programme.partnership_id)
    assert partnership is not None
    asked = session.exec(
        select(Return).where(
            Return.programme_id == programme.id, Return.status == ReturnStatus.not_started
        )
    ).all()
    for ret in asked:
        _, context = return_context(session, ret.id or 0)
        notify(
            session,
            NoticeKind.programme_opened,
            occasion=f"a{row.id}-r{ret.id}",
            partnership=partnership,
            people=recipients.agency_staff(
                session, partnership_id=partnership.id or 0, agency_id=ret.agency_id
            ),
            context=context,
        )


HANDLERS: dict[Event, Callable[[Session, AuditEvent], None]] = {
    Event.return_submit: return_submitted,
    Event.return_send_back: return_returned,
    Event.return_accept: return_accepted,
    Event.programme_open: programme_opened,
}
