"""Every programme's returns, as years of real use leave them: answers in every state,
frozen submissions, evidence files, review notes, moderated ratings and action plans.

Rows are made in Python by small deterministic rules (no randomness: every run builds the
same installation), already in SQLite's storage form (the text SQLAlchemy writes for
timestamps, dates and JSON), and written with the driver's executemany: the per-row
parameter processing of an ORM or Core insert would triple the build time.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from api.models import (
    Action,
    ActionRequirement,
    ActionStatus,
    Attachment,
    EvidenceFile,
    ModeratedRating,
    Requirement,
    RequirementResponse,
    Return,
    ReturnStatus,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.returns.rules import DECLARATION

S = ReturnStatus
# A return's status from its agency's place in the programme: most past returns were
# accepted, a few never came; the open programme has returns in every state.
CLOSED_PATTERN = [S.accepted] * 6 + [S.submitted, S.returned, S.in_progress, S.not_started]
OPEN_PATTERN = [S.not_started] * 2 + [S.in_progress] * 3 + [S.submitted] * 2 + [S.returned]
OPEN_PATTERN += [S.accepted] * 2
SUBMITTED = {S.submitted, S.returned, S.accepted}
FILE = b"%PDF-1.4\n% Safeguarding policy, approved by the board\n" + b"0" * 2000
FILE_SHA = hashlib.sha256(FILE).hexdigest()
FILES = [("safeguarding-policy.pdf", 0), ("board-report.pdf", 4)]  # name, requirement place
BATCH = 50_000


def status_of(agency_index: int, programme_index: int, programmes: int) -> ReturnStatus:
    pattern = CLOSED_PATTERN if programme_index < programmes - 1 else OPEN_PATTERN
    return pattern[(agency_index * 7 + programme_index * 3) % len(pattern)]


def fullest(agencies: int, programmes: int) -> int:
    """The agency whose return in the open programme says most: sent back for more
    information, so every answer, its files, review notes and moderation."""

    def richness(i: int) -> tuple[bool, bool]:
        status = status_of(i, programmes - 1, programmes)
        return status == S.returned, i % 3 == 0

    return max(range(1, agencies + 1), key=richness)


def rating_of(return_id: int, index: int) -> str:
    """One answer in thirteen is "not met", and so needs an action."""
    return "not_met" if (return_id * 7 + index * 3) % 13 == 0 else "met"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@lru_cache(maxsize=4096)
def stored(moment: datetime | None) -> str | None:
    """A UTC timestamp as SQLAlchemy keeps it in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if moment else None


@dataclass(frozen=True)
class Req:
    id: int
    code: str
    standard_id: int


@dataclass(frozen=True)
class Slot:
    """One asked agency in one programme: where its return comes from."""

    partnership_id: int
    programme_id: int
    programme_index: int
    agency_index: int
    agency_id: int
    return_id: int
    opens: date
    deadline: date
    closed: bool


class Writer:
    """Collects rows by table and writes them in large executemany batches."""

    # Parents before children, so that foreign keys always find their rows.
    ORDER: tuple[Any, ...] = (Return, ReturnVersion, RequirementResponse, Attachment)
    ORDER += (ReviewNote, ModeratedRating, Action, ActionRequirement)

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.rows: dict[Any, list[dict[str, Any]]] = {model: [] for model in self.ORDER}
        self.counts: dict[str, int] = {}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        pending = self.rows[model]
        pending.append(row)
        if len(pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for model, pending in self.rows.items():
            if pending:
                name = model.__table__.name
                names = ", ".join(pending[0])
                marks = ", ".join("?" * len(pending[0]))
                self.connection.exec_driver_sql(
                    f"INSERT INTO {name} ({names}) VALUES ({marks})",
                    [tuple(row.values()) for row in pending],
                )
                self.counts[name] = self.counts.get(name, 0) + len(pending)
                pending.clear()


def requirements(session: Session, version_id: int) -> list[Req]:
    rows = session.exec(
        select(Requirement.id, Requirement.code, Requirement.standard_id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    return [Req(r, c, s) for r, c, s in rows if r is not None]


def slots(partnerships: int, agencies: int, programmes: int) -> Iterator[Slot]:
    """Ids as bench.data made them: programme and return ids follow from their places."""
    for p in range(1, partnerships + 1):
        for n in range(programmes):
            programme_id = (p - 1) * programmes + n + 1
            opens = date(2022 + n, 6, 1)
            for i in range(1, agencies + 1):
                yield Slot(
                    partnership_id=p,
                    programme_id=programme_id,
                    programme_index=n,
                    agency_index=i,
                    agency_id=(p - 1) * agencies + i,
                    return_id=(programme_id - 1) * agencies + i,
                    opens=opens,
                    deadline=opens + timedelta(days=120),
                    closed=n < programmes - 1,
                )


def extension(slot: Slot) -> date | None:
    """Every fourth agency was given two weeks more, before the deadline (and so before its
    first submission, which records it as the due date)."""
    return slot.deadline + timedelta(days=14) if slot.agency_index % 4 == 0 else None


def submissions(slot: Slot, status: ReturnStatus) -> list[date]:
    """The days it was submitted: some on time, some late; some twice, once returned."""
    if status not in SUBMITTED:
        return []
    i = slot.agency_index
    first = slot.deadline + timedelta(days=(i * 5) % 30 - 15)
    twice = (status == S.submitted and i % 2 == 0) or (status == S.accepted and i % 3 == 0)
    return [first, first + timedelta(days=21)] if twice else [first]


def build(
    session: Session, *, version_id: int, partnerships: int, agencies: int, programmes: int
) -> dict[str, int]:
    """Write every programme's returns and what hangs off them; returns the row counts."""
    reqs = requirements(session, version_id)
    session.execute(
        EvidenceFile.__table__.insert(),  # type: ignore[attr-defined]
        [{"sha256": FILE_SHA, "size": len(FILE), "content": FILE}],
    )
    out = Writer(session)
    ids = {"attachment": 0, "action": 0}
    for slot in slots(partnerships, agencies, programmes):
        status = status_of(slot.agency_index, slot.programme_index, programmes)
        _one_return(out, ids, slot, status, reqs, version_id)
    out.flush()
    return out.counts


def _one_return(
    out: Writer,
    ids: dict[str, int],
    slot: Slot,
    status: ReturnStatus,
    reqs: list[Req],
    version_id: int,
) -> None:
    rid, i = slot.return_id, slot.agency_index
    days = submissions(slot, status)
    started = at(slot.opens + timedelta(days=i % 20), 9) if status != S.not_started else None
    accepted = at(days[-1] + timedelta(days=10), 15) if status == S.accepted else None
    created = at(slot.opens, 8)
    extended_to = extension(slot)
    out.add(
        Return,
        {
            "id": rid,
            "programme_id": slot.programme_id,
            "agency_id": slot.agency_id,
            "status": status.value,
            "started_at": stored(started),
            "submitted_at": stored(at(days[-1])) if days else None,
            "accepted_at": stored(accepted),
            "extended_to": extended_to.isoformat() if extended_to else None,
            "extension_reason": "A new chief officer started in the summer."
            if extended_to
            else None,
            "extended_at": stored(at(slot.deadline - timedelta(days=20), 11))
            if extended_to
            else None,
            "extended_by_label": "Partnership Admin" if extended_to else None,
            "version": 1 + len(days) + (status in (S.in_progress, S.returned, S.accepted)),
            "created_at": stored(created),
            "updated_at": stored(accepted or (at(days[-1]) if days else started or created)),
        },
    )
    if started is None:
        return
    answers = _answers(out, slot, status, reqs, started)
    files = _files(out, ids, slot, reqs, started) if days else []
    actions = _actions(out, ids, slot, answers, started)
    for number, day in enumerate(days, start=1):
        _version(out, slot, number, day, version_id, (answers, reqs), files, actions)
    if status == S.returned or len(days) == 2:  # sent back once, about a submission
        about = len(days) if status == S.returned else 1
        _notes(out, slot, reqs, about, at(days[about - 1] + timedelta(days=5)))
    if status in (S.accepted, S.returned) and i % 3 == 0:
        _moderation(out, slot, reqs, at(days[-1] + timedelta(days=7)))


def _answers(
    out: Writer, slot: Slot, status: ReturnStatus, reqs: list[Req], started: datetime
) -> list[dict[str, Any]]:
    """Every requirement answered once submitted; while in progress, the first few, and two
    more with evidence but no rating yet."""
    rid = slot.return_id
    rated = len(reqs) if status in SUBMITTED else 1 + (rid * 13) % (len(reqs) - 3)
    answers = []
    for index, req in enumerate(reqs[: min(len(reqs), rated + 2)]):
        row = {
            "return_id": rid,
            "requirement_id": req.id,
            "rating": rating_of(rid, index) if index < rated else None,
            "evidence": f"Policy {req.code} and board minutes, {slot.opens.year}.",
            "comment": "Shared with the named lead." if index % 5 == 0 else "",
            "carried_forward": False,
            "version": 1 + index % 2,
            "updated_at": stored(started + timedelta(days=1 + index % 10)),
            "updated_by_id": None,
        }
        out.add(RequirementResponse, row)
        answers.append(row)
    return answers


def _files(
    out: Writer, ids: dict[str, int], slot: Slot, reqs: list[Req], started: datetime
) -> list[dict[str, Any]]:
    files = []
    for filename, index in FILES:
        ids["attachment"] += 1
        row = {
            "id": ids["attachment"],
            "return_id": slot.return_id,
            "requirement_id": reqs[index % len(reqs)].id,
            "sha256": FILE_SHA,
            "filename": filename,
            "media_type": "application/pdf",
            "size": len(FILE),
            "carried_forward": False,
            "uploaded_by_id": None,
            "uploaded_by_label": f"Editor of agency {slot.agency_id}",
            "uploaded_at": stored(started + timedelta(days=2)),
        }
        out.add(Attachment, row)
        files.append(row)
    return files


def _actions(
    out: Writer,
    ids: dict[str, int],
    slot: Slot,
    answers: list[dict[str, Any]],
    started: datetime,
) -> list[dict[str, Any]]:
    """One action for the requirements rated "not met": past ones mostly done, some still
    open and overdue; the open programme's planned or under way, some already overdue."""
    gaps = [a["requirement_id"] for a in answers if a["rating"] == "not_met"]
    if not gaps:
        return []
    i = slot.agency_index
    if slot.closed:
        status = ActionStatus.in_progress if i % 4 == 0 else ActionStatus.done
        due = slot.deadline + timedelta(days=180)
    else:
        status = ActionStatus.planned if i % 2 else ActionStatus.in_progress
        due = slot.deadline + timedelta(days=30 if i % 3 == 0 else 240)
    ids["action"] += 1
    row = {
        "id": ids["action"],
        "partnership_id": slot.partnership_id,
        "agency_id": slot.agency_id,
        "return_id": slot.return_id,
        "description": "Refresh the safeguarding training of front-line staff and audit "
        "its reach after six months.",
        "owner": "Head of safeguarding",
        "due_on": due.isoformat(),
        "status": status.value,
        "completion_evidence": "Training audit report, 92% reached."
        if status == ActionStatus.done
        else None,
        "created_by_id": None,
        "version": 1,
        "created_at": stored(started),
        "updated_at": stored(started),
    }
    out.add(Action, row)
    for requirement_id in gaps:
        out.add(ActionRequirement, {"action_id": row["id"], "requirement_id": requirement_id})
    return [row]


def _version(
    out: Writer,
    slot: Slot,
    number: int,
    day: date,
    version_id: int,
    answered: tuple[list[dict[str, Any]], list[Req]],
    files: list[dict[str, Any]],
    actions: list[dict[str, Any]],
) -> None:
    """A submission frozen as the API freezes one, with the hash of its canonical JSON."""
    name, role = f"Director of agency {slot.agency_id}", "Director of children's services"
    answers, reqs = answered
    snapshot = {
        "return_id": slot.return_id,
        "programme_id": slot.programme_id,
        "agency_id": slot.agency_id,
        "framework_version_id": version_id,
        "responses": [
            {
                "requirement_id": a["requirement_id"],
                "code": req.code,
                "rating": a["rating"],
                "evidence": a["evidence"],
                "comment": a["comment"],
            }
            for a, req in zip(answers, reqs, strict=False)
        ],
        "attachments": [
            {k: f[k] for k in ("id", "requirement_id", "filename", "media_type", "size", "sha256")}
            for f in files
        ],
        "actions": [
            {
                "id": a["id"],
                "description": a["description"],
                "owner": a["owner"],
                "due_on": a["due_on"],
                "status": ActionStatus.planned.value,
            }
            for a in actions
        ],
        "sign_off": {"name": name, "role": role, "declaration": DECLARATION},
    }
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False)
    out.add(
        ReturnVersion,
        {
            "return_id": slot.return_id,
            "number": number,
            "snapshot": canonical,
            "content_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
            "signed_off_name": name,
            "signed_off_role": role,
            "signed_off_by_id": None,
            "submitted_at": stored(at(day)),
            "due_on": (extension(slot) or slot.deadline).isoformat(),
        },
    )


def _notes(out: Writer, slot: Slot, reqs: list[Req], number: int, when: datetime) -> None:
    for requirement_id, note in (
        (None, "Please tell us how the board checks that the policy is followed."),
        (reqs[1 % len(reqs)].id, "The evidence names a policy from 2019: is there a newer one?"),
    ):
        out.add(
            ReviewNote,
            {
                "return_id": slot.return_id,
                "version_number": number,
                "requirement_id": requirement_id,
                "note": note,
                "author_user_id": None,
                "author_label": "Partnership business unit",
                "at": stored(when),
            },
        )


def _moderation(out: Writer, slot: Slot, reqs: list[Req], when: datetime) -> None:
    for requirement_id, standard_id, rating in (
        (reqs[0].id, None, "met"),
        (reqs[5 % len(reqs)].id, None, "not_met"),
        (None, reqs[0].standard_id, "met"),
    ):
        out.add(
            ModeratedRating,
            {
                "return_id": slot.return_id,
                "requirement_id": requirement_id,
                "standard_id": standard_id,
                "rating": rating,
                "note": "Agreed at the moderation meeting." if rating == "met" else "",
                "version": 1,
                "moderated_by_id": None,
                "moderated_by_label": "Partnership business unit",
                "at": stored(when),
            },
        )
