"""Returns: made when a programme asks an agency, read by those who may see them."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from api.attachments.schemas import AttachmentRead
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionRequirement,
    Agency,
    Attachment,
    Framework,
    FrameworkVersion,
    ModeratedRating,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
    RatingLevel,
    RequirementResponse,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
    ReviewNote,
    Standard,
)
from api.models.base import utcnow
from api.models.framework import Requirement
from api.permissions import ReturnsView
from api.problems import Conflict, FieldProblem, Invalid, NotFound
from api.programmes.schemas import FrameworkVersionRef
from api.returns import rules, submission
from api.returns.schemas import (
    Extension,
    ResponseRead,
    ReturnRead,
    ReturnSummary,
    SignOffIn,
    StandardProgress,
)
from api.reviews.schemas import ModeratedRatingRead, ReviewNoteRead
from api.security import Principal


def make_for(session: Session, *, programme: Programme, agency_ids: list[int] | None = None) -> int:
    """Make a return for each agency the open programme asks that has none yet."""
    if programme.status != ProgrammeStatus.open:
        return 0
    asked = select(ProgrammeAgency.agency_id).where(ProgrammeAgency.programme_id == programme.id)
    if agency_ids is not None:
        asked = asked.where(col(ProgrammeAgency.agency_id).in_(agency_ids))
    have = select(Return.agency_id).where(Return.programme_id == programme.id)
    missing = session.exec(asked.where(col(ProgrammeAgency.agency_id).not_in(have))).all()
    assert programme.id is not None
    session.add_all(Return(programme_id=programme.id, agency_id=a) for a in missing)
    session.flush()
    _carry_actions(session, programme=programme, agency_ids=list(missing))
    return len(missing)


def _carry_actions(session: Session, *, programme: Programme, agency_ids: list[int]) -> None:
    """Carry the agencies' open actions into their new returns.

    Actions belong to the agency, not to one return, so an open action already counts in
    the next return of the same framework version. Where the programme uses a newer version,
    each open action is also linked to the requirements that keep its requirements' codes.
    """
    old_requirement = Requirement.__table__.alias("old_requirement")  # type: ignore[attr-defined]
    old_standard = Standard.__table__.alias("old_standard")  # type: ignore[attr-defined]
    old_version = FrameworkVersion.__table__.alias("old_version")  # type: ignore[attr-defined]
    new_version = select(FrameworkVersion.framework_id).where(
        FrameworkVersion.id == programme.framework_version_id
    )
    wanted = session.exec(
        select(ActionRequirement.action_id, Requirement.id)  # type: ignore[call-overload]
        .join(Action, col(Action.id) == ActionRequirement.action_id)
        .join(old_requirement, old_requirement.c.id == ActionRequirement.requirement_id)
        .join(old_standard, old_standard.c.id == old_requirement.c.standard_id)
        .join(old_version, old_version.c.id == old_standard.c.framework_version_id)
        .join(Requirement, col(Requirement.code) == old_requirement.c.code)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(
            Action.partnership_id == programme.partnership_id,
            col(Action.agency_id).in_(agency_ids),
            col(Action.status).in_(OPEN_ACTION_STATUSES),
            old_version.c.framework_id.in_(new_version),
            old_standard.c.framework_version_id != programme.framework_version_id,
            Standard.framework_version_id == programme.framework_version_id,
        )
    ).all()
    have = set(
        session.exec(
            select(ActionRequirement.action_id, ActionRequirement.requirement_id).where(
                col(ActionRequirement.action_id).in_({a for a, _ in wanted})
            )
        ).all()
    )
    session.add_all(
        ActionRequirement(action_id=a, requirement_id=r)
        for a, r in set(wanted) - have
        if r is not None
    )


@dataclass(frozen=True)
class Found:
    """A return, with what is said about it from its programme, agency and answers."""

    ret: Return
    programme_title: str
    deadline: date
    framework_version_id: int
    agency_name: str
    rated: int
    requirement_count: int
    programme_status: ProgrammeStatus

    @property
    def programme_open(self) -> bool:
        return self.programme_status == ProgrammeStatus.open

    @property
    def editable(self) -> bool:
        """Its answers may change now (whoever may answer it)."""
        return self.programme_open and self.ret.status in rules.EDITABLE


def _summary_query(partnership_id: int, view: ReturnsView) -> Any:
    # Correlated counts: each looks only at the rows of the returns selected, never at
    # every answer in the installation.
    rated = (
        select(func.count())
        .where(RequirementResponse.return_id == Return.id)
        .where(col(RequirementResponse.rating).is_not(None))
        .where(col(RequirementResponse.carried_forward).is_(False))
        .correlate(Return)
        .scalar_subquery()
    )
    requirement_count = (
        select(func.count(col(Requirement.id)))
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == Programme.framework_version_id)
        .correlate(Programme)
        .scalar_subquery()
    )
    query = (
        select(  # type: ignore[call-overload]
            Return,
            Programme.title,
            Programme.deadline,
            Programme.framework_version_id,
            Agency.name,
            rated,
            requirement_count,
            Programme.status,
        )
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .where(Programme.partnership_id == partnership_id)
    )
    if view.agencies is not None:
        query = query.where(
            or_(col(Return.agency_id).in_(view.agencies), col(Return.id).in_(view.panel_returns))
        )
    return query


def _summary(found: Found) -> ReturnSummary:
    ret = found.ret
    assert ret.id is not None
    extension = (
        Extension(
            due_on=ret.extended_to,
            reason=ret.extension_reason or "",
            granted_at=ret.extended_at,
            granted_by=ret.extended_by_label,
        )  # fmt: skip
        if ret.extended_to is not None
        else None
    )
    return ReturnSummary(
        id=ret.id,
        programme_id=ret.programme_id,
        programme_title=found.programme_title,
        deadline=found.deadline,
        due_on=rules.due_date(found.deadline, ret.extended_to),
        extension=extension,
        agency_id=ret.agency_id,
        agency_name=found.agency_name,
        status=ret.status,
        submitted_at=ret.submitted_at,
        rated=found.rated,
        requirement_count=found.requirement_count,
        version=ret.version,
    )


def list_returns(
    session: Session,
    *,
    partnership_id: int,
    view: ReturnsView,
    programme_id: int | None,
    agency_id: int | None,
    status: ReturnStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[ReturnSummary], int]:
    """The returns the viewer may see, by deadline then agency, in two statements."""
    query = _summary_query(partnership_id, view)
    if programme_id is not None:
        query = query.where(Return.programme_id == programme_id)
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    if status is not None:
        query = query.where(Return.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Programme.deadline).desc(), col(Agency.name), col(Return.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [_summary(Found(*r)) for r in rows], total


def get(session: Session, *, partnership_id: int, return_id: int, view: ReturnsView) -> Found:
    row = session.exec(_summary_query(partnership_id, view).where(Return.id == return_id)).first()
    if row is None:
        raise NotFound("No such return, or it is not yours to see.")
    return Found(*row)


def read(
    session: Session,
    *,
    found: Found,
    may_answer: bool,
    may_sign_off: bool,
    may_review: bool,
) -> ReturnRead:
    """The whole return: its answers, files, progress by standard, and the review so far."""
    ret, version_id = found.ret, found.framework_version_id
    assert ret.id is not None
    responses = session.exec(
        select(RequirementResponse).where(RequirementResponse.return_id == ret.id)
    ).all()
    rated_ids = {
        r.requirement_id for r in responses if r.rating is not None and not r.carried_forward
    }
    to_review = {r.requirement_id for r in responses if r.carried_forward}
    requirements = session.exec(
        select(Standard, Requirement.id)
        .join(Requirement, col(Requirement.standard_id) == Standard.id)
        .where(Standard.framework_version_id == version_id)
        .order_by(col(Standard.position), col(Requirement.position))
    ).all()
    progress: dict[int, StandardProgress] = {}
    for standard, requirement_id in requirements:
        assert standard.id is not None
        entry = progress.setdefault(
            standard.id,
            StandardProgress(
                standard_id=standard.id,
                code=standard.code,
                title=standard.title,
                rated=0,
                to_review=0,
                requirement_count=0,
            ),
        )
        entry.requirement_count += 1
        entry.rated += requirement_id in rated_ids
        entry.to_review += requirement_id in to_review
    version, key = session.exec(
        select(FrameworkVersion, Framework.key)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
        .where(FrameworkVersion.id == version_id)
    ).one()
    assert version.id is not None
    return ReturnRead(
        **_summary(found).model_dump(),
        framework_version=FrameworkVersionRef(
            id=version.id,
            framework_id=version.framework_id,
            framework_key=key,
            number=version.number,
            name=version.name,
        ),
        started_at=ret.started_at,
        accepted_at=ret.accepted_at,
        editable=found.editable,
        may_answer=may_answer,
        may_sign_off=may_sign_off,
        may_review=may_review,
        declaration=rules.DECLARATION,
        progress=list(progress.values()),
        responses=[ResponseRead.model_validate(r, from_attributes=True) for r in responses],
        attachments=_all(session, Attachment, AttachmentRead, ret.id, Attachment.id),
        review_notes=_all(
            session,
            ReviewNote,
            ReviewNoteRead,
            ret.id,
            col(ReviewNote.version_number).desc(),
            ReviewNote.id,
        ),  # fmt: skip
        moderation=_all(session, ModeratedRating, ModeratedRatingRead, ret.id, ModeratedRating.id),
        carry_forward_from=None,
    )


def _all(session: Session, table: Any, schema: Any, return_id: int, *order: Any) -> list[Any]:
    """Every row of `table` for one return, as `schema`, in `order`."""
    rows = session.exec(select(table).where(table.return_id == return_id).order_by(*order))
    return [schema.model_validate(row, from_attributes=True) for row in rows]


def rating_codes(session: Session, framework_version_id: int) -> list[str]:
    """The codes of the framework version's rating scale, in order."""
    return list(
        session.exec(
            select(RatingLevel.code)
            .join(
                FrameworkVersion,
                col(FrameworkVersion.rating_scale_id) == RatingLevel.rating_scale_id,
            )
            .where(FrameworkVersion.id == framework_version_id)
            .order_by(col(RatingLevel.position))
        ).all()
    )


def not_in_return(session: Session, *, ret: Return, requirement_ids: list[int]) -> list[int]:
    """Those of `requirement_ids` that the return's framework version does not have."""
    in_version = select(Programme.framework_version_id).where(Programme.id == ret.programme_id)
    found = set(
        session.exec(
            select(Requirement.id)
            .join(Standard, col(Standard.id) == Requirement.standard_id)
            .where(
                col(Standard.framework_version_id).in_(in_version),
                col(Requirement.id).in_(requirement_ids),
            )
        ).all()
    )
    return [r for r in requirement_ids if r not in found]


def move(
    session: Session,
    *,
    principal: Principal,
    ret: Return,
    to: rules.Move,
    reason: str | None = None,
) -> None:
    """Move a return on in its life, and record who moved it, when and why."""
    target = rules.next_status(ret.status, to)
    assert ret.id is not None
    session.add(
        ReturnEvent(
            return_id=ret.id,
            from_status=ret.status,
            to_status=target,
            actor_user_id=principal.user_id,
            actor_label=principal.label,
            reason=reason,
        )
    )
    if to == rules.Move.start:
        ret.started_at = utcnow()
    ret.status = target
    bump_version(session, ret)
    session.add(ret)


def submit(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: Found,
    sign_off: SignOffIn,
) -> ReturnVersion:
    """Submit the return as a new, frozen version, if it meets every rule; else list them all."""
    ret = found.ret
    assert ret.id is not None
    if not found.programme_open:
        raise Conflict("The programme is closed: returns can no longer be submitted.")
    rules.next_status(ret.status, rules.Move.submit)  # refuses submitting twice
    facts = submission.facts(
        session,
        partnership_id=partnership_id,
        ret=ret,
        framework_version_id=found.framework_version_id,
    )
    unmet = rules.submission_problems(
        facts.answers,
        facts.levels,
        rules.SignOff(sign_off.name, sign_off.role, sign_off.declaration),
    )
    if unmet:
        raise Invalid(
            [FieldProblem(field=u.field, message=u.message, type="unmet") for u in unmet],
            detail=f"{len(unmet)} things to do before this return can be submitted.",
        )
    version = submission.freeze(
        session,
        principal=principal,
        facts=facts,
        sign_off=sign_off,
        due_on=rules.due_date(found.deadline, ret.extended_to),
    )
    ret.submitted_at = version.submitted_at
    reason = f"version {version.number}"
    move(session, principal=principal, ret=ret, to=rules.Move.submit, reason=reason)
    emit(
        session,
        Event.return_submit,
        principal=principal,
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        after={"version": version.number, "content_sha256": version.content_sha256},
    )
    return version
