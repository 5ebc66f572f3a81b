"""Challenge events: creating, rescheduling and cancelling them, their panels, and the
agencies they invite (each invitation is the agency's session)."""

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, false, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from api.actions.service import today
from api.audit import service as audit
from api.challenge import ratings, rules
from api.challenge.schemas import (
    Candidate,
    CandidatesRead,
    EventCreate,
    EventRead,
    EventUpdate,
    PersonRef,
    SessionRead,
    StandardRatings,
)
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    Agency,
    Deactivation,
    Membership,
    Programme,
    ProgrammeAgency,
    Return,
    User,
)
from api.models.challenge import (
    ChallengeEvent,
    ChallengeSession,
    EnquiryStandard,
    EventStatus,
    LineOfEnquiry,
    Outcome,
    PanelMember,
    PanelScore,
)
from api.permissions import PANEL_ROLES, EventView, event_allowed
from api.problems import Conflict, Invalid, NotFound
from api.security import Principal


def _visible(query: Any, view: EventView) -> Any:
    if view.every:
        return query
    seen: list[Any] = []
    if view.panel_user_id is not None:
        sits = select(PanelMember.event_id).where(PanelMember.user_id == view.panel_user_id)
        seen.append(col(ChallengeEvent.id).in_(sits))
    if view.agency_ids:
        inviting = select(ChallengeSession.event_id).where(
            col(ChallengeSession.agency_id).in_(view.agency_ids)
        )
        seen.append(col(ChallengeEvent.id).in_(inviting))
    return query.where(or_(*seen) if seen else false())


def session_visible(view: EventView) -> Any:
    """The sessions the viewer may see, as a condition on the session table: all of an
    event whose panel they sit on, else only their own agencies'."""
    if view.every:
        return true()
    seen: list[Any] = []
    if view.panel_user_id is not None:
        sits = select(PanelMember.event_id).where(PanelMember.user_id == view.panel_user_id)
        seen.append(col(ChallengeSession.event_id).in_(sits))
    if view.agency_ids:
        seen.append(col(ChallengeSession.agency_id).in_(view.agency_ids))
    return or_(*seen) if seen else false()


def _reads(session: Session, events: list[ChallengeEvent], view: EventView) -> list[EventRead]:
    """The events with their chairs, panels and (visible) sessions, in three statements."""
    ids = [e.id for e in events]
    panels: dict[int, list[PersonRef]] = defaultdict(list)
    names: dict[int, str] = {}
    for event_id, user_id, name in session.exec(
        select(PanelMember.event_id, User.id, User.name)
        .join(User, col(User.id) == PanelMember.user_id)
        .where(col(PanelMember.event_id).in_(ids))
        .order_by(col(User.name), col(User.id))
    ).all():
        assert user_id is not None
        panels[event_id].append(PersonRef(id=user_id, name=name))
        names[user_id] = name
    missing = {e.chair_user_id for e in events} - set(names)
    if missing:  # a chair is always on the panel; this only guards old rows
        names.update(
            (u, n)
            for u, n in session.exec(
                select(User.id, User.name).where(col(User.id).in_(missing))
            ).all()
            if u is not None
        )
    sessions: dict[int, list[SessionRead]] = defaultdict(list)
    for s, agency_name in session.exec(
        select(ChallengeSession, Agency.name)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(col(ChallengeSession.event_id).in_(ids))
        .order_by(col(Agency.name), col(ChallengeSession.id))
    ).all():
        assert s.id is not None
        sessions[s.event_id].append(
            SessionRead(
                id=s.id,
                agency_id=s.agency_id,
                agency_name=agency_name,
                reason=s.reason,
                status=s.status,
                outcome=s.outcome,
                version=s.version,
            )
        )
    out, on = [], today()
    for e in events:
        assert e.id is not None
        panel = panels.get(e.id, [])
        everyone = view.sees_all_sessions({p.id for p in panel})
        out.append(
            EventRead(
                id=e.id,
                partnership_id=e.partnership_id,
                programme_id=e.programme_id,
                title=e.title,
                held_on=e.held_on,
                place=e.place,
                status=e.status,
                cancelled_reason=e.cancelled_reason,
                chair=PersonRef(id=e.chair_user_id, name=names.get(e.chair_user_id, "")),
                panel=panel,
                sessions=[
                    s for s in sessions.get(e.id, []) if everyone or s.agency_id in view.agency_ids
                ],
                version=e.version,
                created_at=e.created_at,
                updated_at=e.updated_at,
                upcoming=rules.is_upcoming(e.status, e.held_on, on),
                allowed=event_allowed(view, e.status),
            )
        )
    return out


def list_events(
    session: Session,
    *,
    partnership_id: int,
    view: EventView,
    programme_id: int | None,
    agency_id: int | None,
    status: EventStatus | None,
    outcome: Outcome | None,
    upcoming: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[EventRead], int]:
    """Events the viewer may see in a fixed number of statements: newest first, or the
    soonest first when only upcoming ones are asked for."""
    query = _visible(
        select(ChallengeEvent).where(ChallengeEvent.partnership_id == partnership_id), view
    )
    if programme_id is not None:
        query = query.where(ChallengeEvent.programme_id == programme_id)
    if status is not None:
        query = query.where(ChallengeEvent.status == status)
    if outcome is not None:  # a session the viewer may see ended so
        ended = select(ChallengeSession.event_id).where(
            ChallengeSession.outcome == outcome, session_visible(view)
        )
        query = query.where(col(ChallengeEvent.id).in_(ended))
    if agency_id is not None:
        inviting = select(ChallengeSession.event_id).where(ChallengeSession.agency_id == agency_id)
        found: Any = col(ChallengeEvent.id).in_(inviting)
        if not view.every and agency_id not in view.agency_ids:
            # another agency's invitation shows only to those who see every session
            sits = select(PanelMember.event_id).where(PanelMember.user_id == view.panel_user_id)
            found = and_(found, col(ChallengeEvent.id).in_(sits))
        query = query.where(found)
    if upcoming is not None:  # rules.is_upcoming, in SQL
        standing = col(ChallengeEvent.status) == EventStatus.planned
        ahead = and_(standing, col(ChallengeEvent.held_on) >= today())
        query = query.where(ahead if upcoming else ~ahead)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    when = col(ChallengeEvent.held_on)
    order = (
        (when.asc(), col(ChallengeEvent.id))
        if upcoming
        else (when.desc(), col(ChallengeEvent.id).desc())
    )
    rows = session.exec(query.order_by(*order).limit(limit).offset(offset)).all()
    return _reads(session, list(rows), view), total


def panel_reads(
    session: Session, *, partnership_id: int, user_id: int | None
) -> tuple[frozenset[int], frozenset[int]]:
    """What the panels this person sits on read: the invited agencies' returns in their
    events' programmes, and those agencies (for their action plans). Events cancelled are
    left out."""
    if user_id is None:
        return frozenset(), frozenset()
    rows = session.exec(
        select(ChallengeSession.agency_id, Return.id)
        .join(ChallengeEvent, col(ChallengeEvent.id) == ChallengeSession.event_id)
        .join(PanelMember, col(PanelMember.event_id) == ChallengeEvent.id)
        .outerjoin(
            Return,
            and_(
                col(Return.agency_id) == ChallengeSession.agency_id,
                col(Return.programme_id) == ChallengeEvent.programme_id,
            ),
        )
        .where(
            ChallengeEvent.partnership_id == partnership_id,
            ChallengeEvent.status == EventStatus.planned,
            PanelMember.user_id == user_id,
        )
    ).all()
    returns = frozenset(r for _, r in rows if r is not None)
    return returns, frozenset(agency for agency, _ in rows)


def get(session: Session, *, partnership_id: int, event_id: int, view: EventView) -> ChallengeEvent:
    query = _visible(
        select(ChallengeEvent).where(
            ChallengeEvent.id == event_id, ChallengeEvent.partnership_id == partnership_id
        ),
        view,
    )
    event = session.exec(query).first()
    if event is None:
        raise NotFound("No such challenge event.")
    return event


def read(session: Session, *, event: ChallengeEvent, view: EventView) -> EventRead:
    return _reads(session, [event], view)[0]


def _programme(session: Session, *, partnership_id: int, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None or programme.partnership_id != partnership_id:
        raise Invalid({"programme_id": "is not a programme of this partnership"})
    return programme


def _panel(
    session: Session, *, partnership_id: int, chair_user_id: int, panel_user_ids: list[int]
) -> list[int]:
    """The panel, chair first, each holding the panel-member or scrutineer role here (and
    not deactivated here)."""
    wanted = list(dict.fromkeys([chair_user_id, *panel_user_ids]))
    deactivated = select(Deactivation.user_id).where(Deactivation.partnership_id == partnership_id)
    eligible = set(
        session.exec(
            select(Membership.user_id).where(
                Membership.partnership_id == partnership_id,
                col(Membership.role).in_(PANEL_ROLES),
                col(Membership.user_id).in_(wanted),
                col(Membership.user_id).not_in(deactivated),
            )
        ).all()
    )
    if chair_user_id not in eligible:
        raise Invalid(
            {"chair_user_id": "is not an active panel member or scrutineer of this partnership"}
        )
    unknown = [u for u in wanted if u not in eligible]
    if unknown:
        raise Invalid(
            {
                "panel_user_ids": "not active panel members or scrutineers of this partnership: "
                + ", ".join(map(str, unknown))
            }
        )
    return wanted


def _panel_ids(session: Session, event: ChallengeEvent) -> list[int]:
    return list(
        session.exec(
            select(PanelMember.user_id)
            .where(PanelMember.event_id == event.id)
            .order_by(col(PanelMember.user_id))
        ).all()
    )


def _snapshot(event: ChallengeEvent, panel: list[int]) -> dict[str, Any]:
    return {**(audit.snapshot(event) or {}), "panel_user_ids": sorted(panel)}


def _record(
    session: Session,
    principal: Principal,
    action: Event,
    event: ChallengeEvent,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    emit(
        session,
        action,
        principal=principal,
        entity_type="challenge_event",
        entity_id=event.id,
        partnership_id=event.partnership_id,
        before=before,
        after=after,
    )


def create(
    session: Session, *, principal: Principal, partnership_id: int, data: EventCreate
) -> ChallengeEvent:
    _programme(session, partnership_id=partnership_id, programme_id=data.programme_id)
    panel = _panel(
        session,
        partnership_id=partnership_id,
        chair_user_id=data.chair_user_id,
        panel_user_ids=data.panel_user_ids,
    )
    event = ChallengeEvent(
        partnership_id=partnership_id,
        created_by_id=principal.user_id,
        **data.model_dump(exclude={"panel_user_ids"}),
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    session.add_all(PanelMember(event_id=event.id, user_id=u) for u in panel)
    _record(session, principal, Event.challenge_event_create, event, after=_snapshot(event, panel))
    return event


def _check_not_cancelled(event: ChallengeEvent) -> None:
    if event.status == EventStatus.cancelled:
        raise Conflict("The event was cancelled: it cannot be changed or invited to.")


def update(
    session: Session, *, principal: Principal, event: ChallengeEvent, data: EventUpdate
) -> ChallengeEvent:
    """Reschedule, retitle or move an event, or change its chair or panel (recorded)."""
    _check_not_cancelled(event)
    given = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    old_panel = _panel_ids(session, event)
    chair = given.get("chair_user_id", event.chair_user_id)
    panel = old_panel
    if "chair_user_id" in given or "panel_user_ids" in given:
        members = given.get("panel_user_ids", [u for u in old_panel if u != event.chair_user_id])
        panel = _panel(
            session,
            partnership_id=event.partnership_id,
            chair_user_id=chair,
            panel_user_ids=members,
        )
    changes = {k: v for k, v in given.items() if k != "panel_user_ids" and getattr(event, k) != v}
    if not changes and set(panel) == set(old_panel):
        return event  # nothing to change: no new version, no event
    before = _snapshot(event, old_panel)
    for key, value in changes.items():
        setattr(event, key, value)
    assert event.id is not None
    if set(panel) != set(old_panel):
        session.exec(  # type: ignore[call-overload]
            delete(PanelMember).where(
                col(PanelMember.event_id) == event.id,
                col(PanelMember.user_id).not_in(panel),
            )
        )
        session.add_all(
            PanelMember(event_id=event.id, user_id=u) for u in panel if u not in old_panel
        )
    bump_version(session, event)
    session.add(event)
    action = (
        Event.challenge_event_reschedule if "held_on" in changes else Event.challenge_event_update
    )
    _record(session, principal, action, event, before=before, after=_snapshot(event, panel))
    return event


def cancel(
    session: Session, *, principal: Principal, event: ChallengeEvent, reason: str
) -> ChallengeEvent:
    _check_not_cancelled(event)
    panel = _panel_ids(session, event)
    before = _snapshot(event, panel)
    event.status = EventStatus.cancelled
    event.cancelled_reason = reason
    bump_version(session, event)
    session.add(event)
    _record(session, principal, Event.challenge_event_cancel, event, before=before,
            after=_snapshot(event, panel))  # fmt: skip
    return event


def _session_record(
    session: Session, principal: Principal, action: Event, event: ChallengeEvent,
    invited: ChallengeSession, **kw: Any,
) -> None:  # fmt: skip
    emit(
        session,
        action,
        principal=principal,
        entity_type="challenge_session",
        entity_id=invited.id,
        partnership_id=event.partnership_id,
        **kw,
    )


def invite(
    session: Session, *, principal: Principal, event: ChallengeEvent, agency_id: int, reason: str
) -> ChallengeSession:
    """Invite an agency asked in the event's programme, once: its session at the event."""
    _check_not_cancelled(event)
    asked = set(
        session.exec(
            select(ProgrammeAgency.agency_id).where(
                ProgrammeAgency.programme_id == event.programme_id
            )
        ).all()
    )
    invited = set(
        session.exec(
            select(ChallengeSession.agency_id).where(ChallengeSession.event_id == event.id)
        ).all()
    )
    twice = Conflict("The agency is already invited to this event.")
    refusal = rules.may_invite(agency_id, asked=asked, invited=invited)
    if refusal is not None:
        if agency_id in invited:
            raise twice
        raise Invalid({"agency_id": refusal})
    assert event.id is not None
    row = ChallengeSession(event_id=event.id, agency_id=agency_id, reason=reason)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same invitation, made by another request a moment ago
        raise twice from None
    _session_record(session, principal, Event.challenge_session_invite, event, row,
                    after=audit.snapshot(row))  # fmt: skip
    return row


def withdraw(
    session: Session, *, principal: Principal, event: ChallengeEvent, session_id: int
) -> None:
    """Withdraw an invitation while nothing has been scored or published in its session."""
    invited = session.get(ChallengeSession, session_id)
    if invited is None or invited.event_id != event.id:
        raise NotFound("No such invitation.")
    _check_not_cancelled(event)
    scored = session.exec(select(func.count()).where(PanelScore.session_id == session_id)).one()
    published = session.exec(
        select(func.count()).where(
            LineOfEnquiry.session_id == session_id, col(LineOfEnquiry.published_at).is_not(None)
        )
    ).one()
    if scored or published or invited.outcome is not None:
        raise Conflict(
            "The panel has already published enquiries to, scored or recorded an outcome "
            "for this agency: its invitation can no longer be withdrawn."
        )
    drafts = select(LineOfEnquiry.id).where(LineOfEnquiry.session_id == session_id)
    session.exec(delete(EnquiryStandard).where(col(EnquiryStandard.enquiry_id).in_(drafts)))  # type: ignore[call-overload]
    session.exec(delete(LineOfEnquiry).where(col(LineOfEnquiry.session_id) == session_id))  # type: ignore[call-overload]
    before = audit.snapshot(invited)
    session.delete(invited)
    _session_record(session, principal, Event.challenge_session_withdraw, event, invited,
                    before=before)  # fmt: skip


def candidates(session: Session, *, event: ChallengeEvent) -> CandidatesRead:
    """Every agency asked in the event's programme, with what helps choose whom to invite:
    its return's status, and per standard its self rating and the moderated rating.
    Six statements, however many agencies."""
    levels = ratings.scale(session, event.programme_id)
    standards = ratings.standards(session, event.programme_id)
    asked = session.exec(
        select(Agency, Return)
        .join(ProgrammeAgency, col(ProgrammeAgency.agency_id) == Agency.id)
        .outerjoin(
            Return,
            and_(
                col(Return.agency_id) == Agency.id,
                col(Return.programme_id) == event.programme_id,
            ),
        )
        .where(ProgrammeAgency.programme_id == event.programme_id)
        .order_by(col(Agency.name), col(Agency.id))
    ).all()
    self_ratings, moderated = ratings.given(
        session, [r.id for _, r in asked if r is not None and r.id is not None], levels
    )
    sessions = {
        s.agency_id: s.id
        for s in session.exec(
            select(ChallengeSession).where(ChallengeSession.event_id == event.id)
        ).all()
    }
    items = []
    for agency, ret in asked:
        assert agency.id is not None
        return_id = ret.id if ret else None
        items.append(
            Candidate(
                agency_id=agency.id,
                agency_name=agency.name,
                invited=agency.id in sessions,
                session_id=sessions.get(agency.id),
                return_id=return_id,
                return_status=ret.status if ret else None,
                standards=[
                    StandardRatings(
                        standard_id=s.id,
                        code=s.code,
                        self_rating=self_ratings.get((return_id, s.id)) if return_id else None,
                        moderated=moderated.get((return_id, s.id)) if return_id else None,
                    )
                    for s in standards
                    if s.id is not None
                ],
            )
        )
    assert event.id is not None
    return CandidatesRead(event_id=event.id, items=items)
