"""The demo's returns: York's 2023 cycle from start to finish, and its 2026 cycle under way.

Everything is done through the services the API uses, as the people who would do it, and
each step is then dated to when it would have happened (see `demo_dating.dated`). 2023 ends with all
17 returns submitted (one late, one returned once for more information and resubmitted),
moderated where the challenge day looked closely, accepted, with action plans, some done
and some carried into 2026. 2026 has a return in every state; the demo's own agency
(Housing) has not started, so its editor can start from the 2023 return.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from api import demo_challenge
from api.actions import service as actions
from api.actions.schemas import ActionChange, ActionCreate
from api.attachments import service as attachments
from api.demo_dating import at, dated
from api.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Attachment,
    AuditEvent,
    FrameworkVersion,
    ModeratedRating,
    Programme,
    ProgrammeStatus,
    RequirementResponse,
    Return,
    ReturnEvent,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.models.base import utcnow
from api.models.framework import Requirement
from api.permissions import ReturnsView
from api.programmes import service as programmes
from api.returns import answers, service
from api.returns.schemas import BulkAnswer, ResponseWrite, SignOffIn
from api.reviews import service as reviews
from api.reviews.schemas import ModerationWrite, RequirementNote, SendBackIn
from api.security import Principal

# Rows whose timestamps a demo step rewrites to the day the step happened.
STAMPED: list[tuple[Any, str]] = [
    (Return, "started_at"),
    (Return, "submitted_at"),
    (Return, "accepted_at"),
    (Return, "updated_at"),
    (ReturnEvent, "at"),
    (ReturnVersion, "submitted_at"),
    (RequirementResponse, "updated_at"),
    (ReviewNote, "at"),
    (ModeratedRating, "at"),
    (Attachment, "uploaded_at"),
    (Action, "created_at"),
    (Action, "updated_at"),
    (ActionUpdate, "at"),
    (AuditEvent, "at"),
    (Programme, "opened_at"),
    (Programme, "closed_at"),
    (Programme, "updated_at"),
]

SIGNERS = [
    "Sam Okafor",
    "Priya Shah",
    "Tom Whitaker",
    "Grace Lin",
    "Dan Hughes",
    "Aisha Rahman",
    "Chris Moss",
    "Helen Foster",
    "Raj Patel",
    "Lucy Barker",
    "Mark Ellis",
    "Zoe Turner",
    "Neil Hart",
    "Ruth Kay",
    "Owen Price",
    "Jo Winter",
    "Kate Bell",
]

CHALLENGE_DAY = [invited.agency for invited in demo_challenge.INVITED_2023]  # 31 Oct 2023
LATE_2023 = "York CVS"
RETURNED_2023 = "Yorkshire Ambulance Service NHS Trust"
ASKED_2023 = (
    "Say how often the training is refreshed and what share of staff are up to date.",
    "The evidence names the policy but not when it was last reviewed.",
)
MORE_2023 = (
    "Training is refreshed every two years; 94% of front-line staff were up to date in "
    "September 2023.",
    "The trust board last reviewed the policy in May 2023.",
)
STATES_2026 = {
    "City of York Council": "accepted",
    "North Yorkshire Police": "submitted",
    "Humber and North Yorkshire Integrated Care Board": "submitted",
    "City of York Council Public Health": "submitted",
    "York and Scarborough Teaching Hospitals NHS Foundation Trust": "returned",
    "Tees, Esk and Wear Valleys NHS Foundation Trust": "in_progress",
    "York Youth Justice Service": "in_progress",
    "York College": "in_progress",
    "Cafcass": "in_progress",
}


@dataclass
class Agency:
    id: int
    name: str
    editor: Principal
    approver: Principal
    signer: str


@dataclass
class Framework:
    version_id: int
    requirements: list[tuple[int, str, str, str]]  # id, code, evidence prompt, standard code
    standards: dict[str, int]


def _framework(session: Session, version_id: int) -> Framework:
    rows = session.exec(
        select(Requirement, Standard.code, Standard.id)  # type: ignore[call-overload]
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    return Framework(
        version_id=version_id,
        requirements=[
            (r.id or 0, r.code, (r.evidence_prompts or [r.text])[0], code) for r, code, _ in rows
        ],
        standards={code: sid or 0 for _, code, sid in rows},
    )


class Story:
    def __init__(self, session: Session, partnership_id: int, reviewer: Principal):
        self.session, self.partnership_id, self.reviewer = session, partnership_id, reviewer
        self.rng = random.Random(2023)

    def found(self, return_id: int) -> service.Found:
        return service.get(
            self.session,
            partnership_id=self.partnership_id,
            return_id=return_id,
            view=ReturnsView(agencies=None),
        )

    def step(self, when: datetime) -> "_Step":
        return _Step(self.session, when)

    def answer(
        self, ret: int, who: Agency, fw: Framework, year: int, *, share: float = 1.0, weak: int = 2
    ) -> list[int]:
        """Answer `share` of the requirements; `weak` of them partially met. Returns those."""
        chosen = fw.requirements[: max(1, round(len(fw.requirements) * share))]
        weak_ids = {r[0] for r in self.rng.sample(chosen, min(weak, len(chosen)))}
        found = self.found(ret)
        existing = {
            r.requirement_id: r.version
            for r in self.session.exec(
                select(RequirementResponse).where(RequirementResponse.return_id == ret)
            )
        }
        answers.save_responses(
            self.session,
            principal=who.editor,
            partnership_id=self.partnership_id,
            found=found,
            answers=[
                BulkAnswer(
                    requirement_id=rid,
                    rating="partially_met" if rid in weak_ids else "met",
                    evidence=f"{prompt}, reviewed by our safeguarding lead in {year}.",
                    comment="Work is under way; see the action plan." if rid in weak_ids else "",
                    version=existing.get(rid, 0),
                )
                for rid, _, prompt, _ in chosen
            ],
        )
        return sorted(weak_ids)

    def add_to_evidence(self, ret: int, who: Agency, requirement_id: int, more: str) -> None:
        """The agency adds to one answer, as asked."""
        r = self.session.exec(
            select(RequirementResponse).where(
                RequirementResponse.return_id == ret,
                RequirementResponse.requirement_id == requirement_id,
            )
        ).one()
        answers.save_response(
            self.session,
            principal=who.editor,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            requirement_id=requirement_id,
            expected_version=r.version,
            data=ResponseWrite(rating=r.rating, evidence=f"{r.evidence} {more}", comment=r.comment),
        )

    def plan(self, ret: int, who: Agency, weak: list[int], fw: Framework, due: date) -> list[int]:
        codes = {rid: code for rid, code, _, _ in fw.requirements}
        made = []
        for rid in weak:
            action = actions.create(
                self.session,
                principal=who.editor,
                partnership_id=self.partnership_id,
                ret=self.found(ret).ret,
                data=ActionCreate(
                    description=f"Close the gap found against requirement {codes[rid]}: "
                    "update the procedure, brief staff and check it is followed.",
                    owner=f"Safeguarding lead, {who.name}"[:200],
                    due_on=due,
                    requirement_ids=[rid],
                ),
            )
            assert action.id is not None
            made.append(action.id)
        return made

    def attach(self, ret: int, who: Agency, requirement_id: int, name: str, text: str) -> None:
        attachments.add(
            self.session,
            principal=who.editor,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            requirement_id=requirement_id,
            filename=name,
            content=text.encode(),
            max_bytes=10 * 1024 * 1024,
        )

    def submit(
        self, ret: int, who: Agency, role: str = "Director with lead for safeguarding"
    ) -> None:
        service.submit(
            self.session,
            principal=who.approver,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            sign_off=SignOffIn(name=who.signer, role=role, declaration=True),
        )

    def send_back(self, ret: int, reason: str, notes: list[tuple[int, str]]) -> None:
        reviews.send_back(
            self.session,
            principal=self.reviewer,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            data=SendBackIn(
                reason=reason,
                requirements=[RequirementNote(requirement_id=r, note=n) for r, n in notes],
            ),
        )

    def moderate(self, ret: int, subject: dict[str, int], rating: str, note: str) -> None:
        reviews.moderate(
            self.session,
            principal=self.reviewer,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            subject=subject,
            data=ModerationWrite(rating=rating, note=note),
            expected_version=0,
        )

    def accept(self, ret: int, note: str = "") -> None:
        reviews.accept(
            self.session,
            principal=self.reviewer,
            partnership_id=self.partnership_id,
            found=self.found(ret),
            note=note,
        )


class _Step:
    """A `with` block whose writes are dated `when`."""

    def __init__(self, session: Session, when: datetime):
        self.session, self.when = session, when

    def __enter__(self) -> None:
        self.session.flush()
        self.since = utcnow()

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            dated(self.session, self.since, self.when, STAMPED)


def _returns(session: Session, programme_id: int) -> dict[int, int]:
    """Each agency's return in a programme, by agency id."""
    return {
        r.agency_id: r.id
        for r in session.exec(select(Return).where(Return.programme_id == programme_id))
        if r.id is not None
    }


def tell(
    session: Session,
    *,
    partnership_id: int,
    agencies: list[Agency],
    reviewer: Principal,
    loader: Principal,
    cycle_2023: Programme,
    cycle_2026: Programme,
) -> None:
    """Play both cycles from their drafts: 2023 ends closed, 2026 is open."""
    story = Story(session, partnership_id, reviewer)
    version = session.get(FrameworkVersion, cycle_2023.framework_version_id)
    assert version is not None and version.id is not None
    fw = _framework(session, version.id)
    by_name = {a.name: a for a in agencies}

    with story.step(at(date(2023, 6, 1), 9)):
        programmes.transition(
            session, principal=loader, programme=cycle_2023, target=ProgrammeStatus.open
        )
    assert cycle_2023.id is not None
    returns_2023 = _returns(session, cycle_2023.id)
    for i, agency in enumerate(agencies):
        ret = returns_2023[agency.id]
        started = date(2023, 6, 12) + timedelta(days=2 * i)
        with story.step(at(started)):
            weak = story.answer(ret, agency, fw, 2023, weak=1 + i % 3)
            policy = f"{agency.name}: safeguarding children policy, approved 2023.\n"
            story.attach(ret, agency, fw.requirements[0][0], "safeguarding-policy.txt", policy)
            due = date(2024, 3, 29) + timedelta(days=30 * (i % 4))
            story.plan(ret, agency, weak, fw, due=due)
        submitted = (
            date(2023, 10, 6) if agency.name == LATE_2023 else date(2023, 9, 4) + timedelta(days=i)
        )
        with story.step(at(submitted, 15)):
            story.submit(ret, agency)

    returned = by_name[RETURNED_2023]
    ret = returns_2023[returned.id]
    asked = fw.requirements[4][0], fw.requirements[10][0]
    with story.step(at(date(2023, 10, 2))):
        story.send_back(
            ret,
            "Thank you. Two answers need a little more before we can accept.",
            list(zip(asked, ASKED_2023, strict=True)),
        )
    with story.step(at(date(2023, 10, 9))):
        for rid, more in zip(asked, MORE_2023, strict=True):
            story.add_to_evidence(ret, returned, rid, more)
    with story.step(at(date(2023, 10, 11), 16)):
        story.submit(ret, returned)

    standard_1 = fw.standards["1"]
    for name in CHALLENGE_DAY:
        ret = returns_2023[by_name[name].id]
        with story.step(at(date(2023, 10, 31), 14)):
            story.moderate(
                ret,
                {"standard_id": standard_1},
                "met",
                "Confirmed at the challenge day on 31 October 2023.",
            )
            story.moderate(
                ret,
                {"requirement_id": fw.requirements[7][0]},
                "partially_met",
                "The panel heard that supervision records are not yet audited.",
            )
    for i, agency in enumerate(agencies):
        with story.step(at(date(2023, 11, 13) + timedelta(days=i % 5), 11)):
            story.accept(returns_2023[agency.id], "Accepted after moderation.")

    # Progress on the 2023 plans: most done, a few still open (one of them overdue).
    plan = session.exec(
        select(Action)
        .where(col(Action.return_id).in_(list(returns_2023.values())))
        .order_by(col(Action.id))
    ).all()
    for i, action in enumerate(plan):
        agency = next(a for a in agencies if a.id == action.agency_id)
        with story.step(at(date(2024, 1, 15) + timedelta(days=i), 12)):
            actions.add_progress(
                session, principal=agency.editor, action=action,
                note="Procedure redrafted and shared with team leaders.",
            )  # fmt: skip
        if i == 3:
            continue  # never finished, and now overdue
        if i % 7 == 0:
            change = ActionChange(status=ActionStatus.in_progress, due_on=date(2027, 3, 31))
        else:
            evidence = "An audit of 20 cases in the quarter found the procedure followed."
            change = ActionChange(status=ActionStatus.done, completion_evidence=evidence)
        with story.step(at(action.due_on - timedelta(days=7), 12)):
            actions.change(session, principal=agency.editor, action=action, data=change)
    with story.step(at(date(2023, 11, 30), 17)):
        programmes.transition(
            session, principal=loader, programme=cycle_2023, target=ProgrammeStatus.closed
        )

    _tell_2026(story, fw, agencies, cycle_2026, loader)


def _tell_2026(
    story: Story, fw: Framework, agencies: list[Agency], cycle: Programme, loader: Principal
) -> None:
    with story.step(at(date(2026, 10, 1), 9)):
        programmes.transition(
            story.session, principal=loader, programme=cycle, target=ProgrammeStatus.open
        )
    assert cycle.id is not None
    returns_2026 = _returns(story.session, cycle.id)
    for i, agency in enumerate(agencies):
        state = STATES_2026.get(agency.name)
        if state is None:
            continue
        ret = returns_2026[agency.id]
        with story.step(at(date(2026, 10, 5) + timedelta(days=i))):
            if state == "in_progress":
                story.answer(ret, agency, fw, 2026, share=0.3 + 0.15 * (i % 3), weak=1)
                continue
            weak = story.answer(ret, agency, fw, 2026, weak=1)
            story.plan(ret, agency, weak, fw, due=date(2027, 6, 30))
        with story.step(at(date(2026, 11, 2) + timedelta(days=i), 15)):
            story.submit(ret, agency)
        if state == "returned":
            with story.step(at(date(2026, 11, 20))):
                note = "Please add the date of the last audit of safer recruitment files."
                story.send_back(ret, "", [(fw.requirements[2][0], note)])
        if state == "accepted":
            with story.step(at(date(2026, 11, 18), 11)):
                story.moderate(ret, {"standard_id": fw.standards["1"]}, "met", "Strong evidence.")
                story.accept(ret, "Accepted.")
