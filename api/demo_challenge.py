"""The demo's challenge events: York's Section 11 challenge day of 31 October 2023, held
and followed up, and the 2026 event being planned.

On the day the Independent Scrutineer chaired a panel from the three statutory partners;
six agencies were invited, Housing among them. Housing's session ended with reassurance
and an update report to the Executive, due and given on 20 March 2024. The 2026 event has
its invitations and the panel's first draft questions, not yet published.

Enquiries, scores and closes go through the services (`api/challenge/enquiries.py`,
`api/challenge/sessions.py`), and what they write is dated to when it happened: drafted on
9 October, published on the 16th, answered on the 25th, scored and closed on the day.
The business unit plans the events and invites the agencies through the events' service,
and the chair records the follow-ups done through theirs.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from api.challenge import enquiries, follow_ups, sessions
from api.challenge import service as events
from api.challenge.follow_up_schemas import FollowUpChange
from api.challenge.schemas import EventCreate
from api.challenge.sessions import FollowUpIn
from api.demo_dating import at, dated
from api.models import (
    ActionStatus,
    Agency,
    AuditEvent,
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    FollowUpUpdate,
    LineOfEnquiry,
    Outcome,
    PanelScore,
    Standard,
)
from api.models.base import utcnow
from api.security import Principal

DAY_2023 = date(2023, 10, 31)
# What the sessions' services write on the day, dated to the day.
STAMPED = (
    (PanelScore, "created_at"), (PanelScore, "updated_at"), (FollowUp, "created_at"),
    (ChallengeSession, "closed_at"), (ChallengeSession, "updated_at"), (AuditEvent, "at"),
)  # fmt: skip
DAY_2026 = date(2027, 3, 10)


@dataclass(frozen=True)
class Invited:
    agency: str
    reason: str
    questions: tuple[tuple[str, str, str], ...]  # standard code, question, answer
    weak: tuple[str, ...]  # standards the panel scored partially met
    outcome: Outcome
    summary: str


HOUSING = "City of York Council Housing Services"
INVITED_2023 = (
    Invited(
        HOUSING,
        "Housing staff go into family homes every day; the panel wanted to hear how "
        "safeguarding reaches repairs and lettings teams.",
        (
            (
                "9",
                "How do repairs operatives know what to do when they are worried about a child?",
                "Every operative completes safeguarding training in their first month; the Head "
                "of Building Services has added safeguarding to the repairs contract.",
            ),
            (
                "2",
                "How do tenancy officers recognise a safeguarding concern on a home visit, and "
                "what do they do with it?",
                "They use a short checklist from their training and talk to the team's "
                "safeguarding champion the same day; concerns about a child go to the Children's "
                "Front Door, and the housing safeguarding lead reviews every referral monthly.",
            ),
            (
                "6",
                "How does Housing share information with Children's Social Care?",
                "Through the front door and a named link worker; we now join the young people's "
                "accommodation pathway meetings.",
            ),
        ),
        (),
        Outcome.assured,
        "The panel was reassured that Housing feels part of safeguarding across adults' and "
        "children's services and is well supported. Information sharing is good; Housing "
        "staff found the Building Brighter Futures practice training useful, and the "
        "accommodation pathway for homeless young people is a real joint achievement. An "
        "update report goes to the Executive.",
    ),
    Invited(
        "North Yorkshire Police",
        "Self-rated met everywhere; the panel wanted to test supervision and training.",
        (
            (
                "6",
                "How is safeguarding supervision recorded and checked?",
                "Supervision is recorded in the force's HR system; an audit starts in January.",
            ),
        ),
        ("6",),
        Outcome.partially_assured,
        "Strong leadership; the panel asked for the results of the supervision audit.",
    ),
    Invited(
        "Humber and North Yorkshire Integrated Care Board",
        "A new organisation since 2022: the panel wanted to see how duties carried over.",
        (
            (
                "1",
                "Who holds the safeguarding lead role at board level?",
                "The Chief Nurse, with a named non-executive director.",
            ),
        ),
        (),
        Outcome.assured,
        "Clear accountability from the board down.",
    ),
    Invited(
        "York and Scarborough Teaching Hospitals NHS Foundation Trust",
        "A large workforce: the panel wanted to hear about training coverage.",
        (
            (
                "9",
                "What share of staff are up to date with level 3 training?",
                "91% in September 2023, against a target of 90%.",
            ),
        ),
        (),
        Outcome.assured,
        "Training coverage is good and monitored monthly.",
    ),
    Invited(
        "York Youth Justice Service",
        "Works with children at the highest risk; the panel wanted to hear the voice of the "
        "child in its practice.",
        (
            (
                "5",
                "How do children's views shape their plans?",
                "Each plan records the child's own words; a participation worker started in June.",
            ),
        ),
        ("5",),
        Outcome.assured,
        "Good practice in hearing children; the participation work is young.",
    ),
    Invited(
        "IDAS (domestic abuse support)",
        "A voluntary agency: the panel wanted to hear how the partnership supports it.",
        (
            (
                "7",
                "How do your staff escalate a disagreement with another agency?",
                "Through the partnership's escalation policy; we used it twice this year.",
            ),
        ),
        (),
        Outcome.assured,
        "The escalation policy is known and used.",
    ),
)
# What the chair asked for at the close, and how each was done.
FOLLOW_UPS = {
    HOUSING: (
        (
            FollowUpIn("Update report to the Executive", "Head of Housing Services",
                       date(2024, 3, 20), to_executive=True),
            "Reported to the Executive on 20 March 2024: safeguarding is part of Housing's "
            "policies and commissioning, and repairs staff are trained.",
        ),
    ),
    "North Yorkshire Police": (
        (
            FollowUpIn("Send the results of the supervision audit to the business unit.",
                       "Head of Public Protection", date(2024, 1, 31)),
            "The audit of 40 supervision records was sent on 29 January 2024.",
        ),
    ),
}  # fmt: skip
INVITED_2026 = (
    ("York Youth Justice Service", "To follow up the participation work seen in 2023."),
    ("Cafcass", "Not invited before; self-rated partially met on two standards."),
    ("York College", "New safeguarding lead in 2026."),
)
DRAFTS_2026 = (
    ("Cafcass", "What has changed since you rated standard 6 partially met?", "6"),
    ("York College", "How has the new lead's first term gone?", "1"),
)
# What the enquiries' services write, dated to the step of the story they belong to.
ENQUIRY_STAMPS = (
    (LineOfEnquiry, "created_at"), (LineOfEnquiry, "updated_at"),
    (LineOfEnquiry, "published_at"), (LineOfEnquiry, "answered_at"), (AuditEvent, "at"),
)  # fmt: skip


def tell(
    session: Session,
    *,
    partnership_id: int,
    programme_2023: int,
    programme_2026: int,
    framework_version_id: int,
    agency_ids: dict[str, int],
    scrutineer: Principal,
    panel_members: list[Principal],
    admin: Principal,
    answerer: Principal,
) -> None:
    """Both events, York's panel and what happened at and after the 2023 one: the
    scrutineer chairs, and the panel members come from the three statutory partners."""
    panel = [scrutineer, *panel_members]
    standards = {
        code: sid
        for code, sid in session.exec(
            select(Standard.code, Standard.id).where(
                Standard.framework_version_id == framework_version_id
            )
        )
        if sid is not None
    }
    held = _event(session, partnership_id, programme_2023, "Section 11 challenge day 2023",
                  DAY_2023, "West Offices, York", panel, admin,
                  created=at(date(2023, 10, 2), 9))  # fmt: skip
    invited_rows = [
        _invite(session, admin, held, agency_ids[i.agency], i.reason, at(date(2023, 10, 2), 10))
        for i in INVITED_2023
    ]
    _questioned(session, partnership_id, held, invited_rows, standards, panel[0], answerer)
    since = utcnow()
    for invited, row in zip(INVITED_2023, invited_rows, strict=True):
        _held_session(session, partnership_id, held, row, invited, standards, panel)
    dated(session, since, at(DAY_2023, 16), STAMPED)

    planned = _event(session, partnership_id, programme_2026, "Section 11 challenge day 2026",
                     DAY_2026, "Online", panel, admin,
                     created=at(date(2026, 11, 23), 9))  # fmt: skip
    assert planned.id is not None
    sessions_2026: dict[str, int] = {}
    for name, reason in INVITED_2026:
        invitation = _invite(session, admin, planned, agency_ids[name], reason,
                             at(date(2026, 11, 23), 10))  # fmt: skip
        assert invitation.id is not None
        sessions_2026[name] = invitation.id
    drafter = panel_members[0]
    for name, question, code in DRAFTS_2026:
        target = session.get(ChallengeSession, sessions_2026[name])
        assert target is not None
        enquiries.draft(
            session, principal=drafter, partnership_id=partnership_id, event=planned,
            target=target, question=question, standard_ids=[standards[code]],
        )  # fmt: skip
    session.flush()


EVENT_STAMPS = (
    (ChallengeEvent, "created_at"), (ChallengeEvent, "updated_at"),
    (ChallengeSession, "created_at"), (ChallengeSession, "updated_at"), (AuditEvent, "at"),
)  # fmt: skip


def _event(
    db: Session,
    partnership_id: int,
    programme_id: int,
    title: str,
    held_on: date,
    place: str,
    panel: list[Principal],
    admin: Principal,
    *,
    created: datetime,
) -> ChallengeEvent:
    """An event the business unit plans, chaired by the first of its panel."""
    assert panel[0].user_id is not None
    since = utcnow()
    event = events.create(db, principal=admin, partnership_id=partnership_id, data=EventCreate(
        programme_id=programme_id, title=title, held_on=held_on, place=place,
        chair_user_id=panel[0].user_id, panel_user_ids=[p.user_id or 0 for p in panel[1:]],
    ))  # fmt: skip
    dated(db, since, created, EVENT_STAMPS)
    return event


def _invite(
    db: Session, admin: Principal, event: ChallengeEvent, agency_id: int, reason: str,
    when: datetime,
) -> ChallengeSession:  # fmt: skip
    since = utcnow()
    row = events.invite(db, principal=admin, event=event, agency_id=agency_id, reason=reason)
    dated(db, since, when, EVENT_STAMPS)
    return row


def _questioned(
    db: Session,
    partnership_id: int,
    event: ChallengeEvent,
    rows: list[ChallengeSession],
    standards: dict[str, int],
    chair: Principal,
    housing_editor: Principal,
) -> None:
    """The chair drafts the panel's questions, publishes them a week later, and each
    agency answers them (Housing's editor for Housing, a stand-in lead for the others)."""
    made: list[tuple[ChallengeSession, LineOfEnquiry, str, Principal]] = []
    since = utcnow()
    for invited, row in zip(INVITED_2023, rows, strict=True):
        lead = housing_editor if invited.agency == HOUSING else Principal(
            label=f"Safeguarding lead, {invited.agency}"[:200], token_id=None)  # fmt: skip
        for code, question, answer in invited.questions:
            enquiry = enquiries.draft(
                db, principal=chair, partnership_id=partnership_id, event=event, target=row,
                question=question, standard_ids=[standards[code]],
            )  # fmt: skip
            made.append((row, enquiry, answer, lead))
    dated(db, since, at(date(2023, 10, 9), 11), ENQUIRY_STAMPS)
    since = utcnow()
    for row, enquiry, _, _ in made:
        enquiries.publish(db, principal=chair, partnership_id=partnership_id, event=event,
                          target=row, row=enquiry)  # fmt: skip
    dated(db, since, at(date(2023, 10, 16), 12), ENQUIRY_STAMPS)
    since = utcnow()
    for row, enquiry, answer, lead in made:
        enquiries.answer(db, principal=lead, partnership_id=partnership_id, event=event,
                         target=row, row=enquiry, text=answer, expected_version=0)  # fmt: skip
    dated(db, since, at(date(2023, 10, 25), 15), ENQUIRY_STAMPS)


def _held_session(
    db: Session,
    partnership_id: int,
    event: ChallengeEvent,
    row: ChallengeSession,
    invited: Invited,
    standards: dict[str, int],
    panel: list[Principal],
) -> None:
    """Scored by each member on the day, closed by the chair with its outcome; then its
    follow-ups done."""
    chair = panel[0]
    for member in panel:
        for code, standard_id in standards.items():
            weak = code in invited.weak and member is not chair
            sessions.score(
                db, principal=member, partnership_id=partnership_id, event=event, target=row,
                standard_id=standard_id, level="partially_met" if weak else "met",
                comment="Heard at the session." if weak else "", expected_version=0,
            )  # fmt: skip
    follow_ups = [f for f, _ in FOLLOW_UPS.get(invited.agency, ())]
    made = sessions.close(
        db, principal=chair, partnership_id=partnership_id, event=event, target=row,
        outcome=invited.outcome, summary=invited.summary, follow_ups=follow_ups,
    )  # fmt: skip
    for follow_up, (_, evidence) in zip(made, FOLLOW_UPS.get(invited.agency, ()), strict=True):
        _done(db, partnership_id, event, row, follow_up, evidence, chair)


DONE_STAMPS = ((FollowUp, "updated_at"), (FollowUpUpdate, "at"), (AuditEvent, "at"))


def _done(
    db: Session, partnership_id: int, event: ChallengeEvent, row: ChallengeSession,
    follow_up: FollowUp, evidence: str, chair: Principal,
) -> None:  # fmt: skip
    """The chair records the follow-up done, with its evidence, on the day it was due."""
    since = utcnow()
    agency = db.get(Agency, row.agency_id)
    assert event.id is not None and agency is not None
    found = follow_ups.Found(follow_up, event.id, row.agency_id, agency.name, event.held_on)
    follow_ups.add_progress(db, principal=chair, partnership_id=partnership_id,
                            follow_up=follow_up, note="Done: " + evidence)  # fmt: skip
    done = FollowUpChange(status=ActionStatus.done, completion_evidence=evidence)
    follow_ups.change(db, principal=chair, partnership_id=partnership_id, found=found, data=done)
    dated(db, since, at(follow_up.due_on, 16), DONE_STAMPS)
