"""Submitting a return, step by step: gather its facts, then freeze them as a version.

The rules between the two steps are pure (`rules.submission_problems`); these are the only
parts of a submission that touch the database, each in a fixed number of statements.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from api.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionRequirement,
    Attachment,
    FrameworkVersion,
    RatingLevel,
    RequirementResponse,
    Return,
    ReturnVersion,
    Standard,
)
from api.models.framework import Requirement
from api.returns import rules
from api.returns.schemas import (
    FrozenAction,
    FrozenAttachment,
    FrozenResponse,
    FrozenSignOff,
    SignOffIn,
    Snapshot,
)
from api.security import Principal


@dataclass(frozen=True)
class SubmissionFacts:
    """What the submission rules judge and a version freezes, read once from the database."""

    return_id: int
    programme_id: int
    agency_id: int
    framework_version_id: int
    answers: list[rules.Answer]  # one per requirement, in the framework's order
    levels: dict[str, rules.Level]
    files: list[FrozenAttachment]
    actions: list[FrozenAction]  # the agency's open actions tied to requirements, by id


def facts(
    session: Session, *, partnership_id: int, ret: Return, framework_version_id: int
) -> SubmissionFacts:
    """Everything a submission needs to know, in four statements however long the framework."""
    assert ret.id is not None
    files = _files(session, ret.id)
    actions, per_requirement = _open_actions(session, partnership_id, ret.agency_id)
    with_files = {f.requirement_id for f in files}
    answers = [
        rules.Answer(
            requirement_id=rid,
            code=code,
            rating=rating,
            evidence=evidence or "",
            has_attachments=rid in with_files,
            comment=comment or "",
            open_actions=per_requirement[rid],
            carried_forward=bool(carried_forward),
        )
        for rid, code, rating, evidence, comment, carried_forward in _answers(
            session, ret.id, framework_version_id
        )
    ]
    return SubmissionFacts(
        return_id=ret.id,
        programme_id=ret.programme_id,
        agency_id=ret.agency_id,
        framework_version_id=framework_version_id,
        answers=answers,
        levels=_levels(session, framework_version_id),
        files=files,
        actions=actions,
    )


def _answers(session: Session, return_id: int, framework_version_id: int) -> list[Any]:
    """Each requirement in order with its answer's fields, or None where it has no answer."""
    return list(
        session.exec(
            select(  # type: ignore[call-overload]
                Requirement.id,
                Requirement.code,
                RequirementResponse.rating,
                RequirementResponse.evidence,
                RequirementResponse.comment,
                RequirementResponse.carried_forward,
            )
            .join(Standard, col(Standard.id) == Requirement.standard_id)
            .outerjoin(
                RequirementResponse,
                and_(
                    col(RequirementResponse.requirement_id) == Requirement.id,
                    col(RequirementResponse.return_id) == return_id,
                ),
            )
            .where(Standard.framework_version_id == framework_version_id)
            .order_by(col(Standard.position), col(Requirement.position))
        ).all()
    )


def _levels(session: Session, framework_version_id: int) -> dict[str, rules.Level]:
    """The rating scale's levels by code, with what each one asks for."""
    return {
        level.code: rules.Level(level.code, level.label, level.needs_action, level.needs_reason)
        for level in session.exec(
            select(RatingLevel)
            .join(
                FrameworkVersion,
                col(FrameworkVersion.rating_scale_id) == RatingLevel.rating_scale_id,
            )
            .where(FrameworkVersion.id == framework_version_id)
        )
    }


def _open_actions(
    session: Session, partnership_id: int, agency_id: int
) -> tuple[list[FrozenAction], Counter[int]]:
    """The agency's open actions tied to any requirement, and how many each requirement has.

    Actions belong to the agency, not to one return, so these may have begun in an earlier one.
    """
    rows = session.exec(
        select(Action, ActionRequirement.requirement_id)
        .join(ActionRequirement, col(ActionRequirement.action_id) == Action.id)
        .where(
            # An agency in two partnerships has an action plan in each; this one's only.
            Action.partnership_id == partnership_id,
            Action.agency_id == agency_id,
            col(Action.status).in_(OPEN_ACTION_STATUSES),
        )
    ).all()
    actions = {a.id: a for a, _ in rows}
    return (
        [_frozen_action(actions[i]) for i in sorted(i for i in actions if i is not None)],
        Counter(requirement_id for _, requirement_id in rows),
    )


def _frozen_action(action: Action) -> FrozenAction:
    assert action.id is not None
    return FrozenAction(
        id=action.id,
        description=action.description,
        owner=action.owner,
        due_on=action.due_on.isoformat(),
        status=action.status.value,
    )


def _files(session: Session, return_id: int) -> list[FrozenAttachment]:
    rows = session.exec(
        select(Attachment).where(Attachment.return_id == return_id).order_by(col(Attachment.id))
    )
    return [FrozenAttachment.model_validate(f, from_attributes=True) for f in rows]


def freeze(
    session: Session,
    *,
    principal: Principal,
    facts: SubmissionFacts,
    sign_off: SignOffIn,
    due_on: date,
) -> ReturnVersion:
    """Write the next numbered version of the return, holding its facts and the sign-off."""
    snapshot = Snapshot(
        return_id=facts.return_id,
        programme_id=facts.programme_id,
        agency_id=facts.agency_id,
        framework_version_id=facts.framework_version_id,
        responses=[
            FrozenResponse(
                requirement_id=a.requirement_id,
                code=a.code,
                rating=a.rating,
                evidence=a.evidence,
                comment=a.comment,
            )
            for a in facts.answers
        ],
        attachments=facts.files,
        actions=facts.actions,
        sign_off=FrozenSignOff(
            name=sign_off.name, role=sign_off.role, declaration=rules.DECLARATION
        ),
    ).model_dump(mode="json")
    before = session.exec(
        select(func.count()).where(ReturnVersion.return_id == facts.return_id)
    ).one()
    version = ReturnVersion(
        return_id=facts.return_id,
        number=before + 1,
        snapshot=snapshot,
        content_sha256=hashlib.sha256(
            json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest(),
        signed_off_name=sign_off.name,
        signed_off_role=sign_off.role,
        signed_off_by_id=principal.user_id,
        due_on=due_on,
    )
    session.add(version)
    return version
