"""Action plans: an agency's actions, their requirements and their progress."""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.actions import rules
from api.actions.schemas import ActionChange, ActionCreate, ActionRead, ProgressRead
from api.audit import service as audit
from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import (
    Action,
    ActionRequirement,
    ActionStatus,
    ActionUpdate,
    Agency,
    Programme,
    Requirement,
    Return,
)
from api.models.base import utcnow
from api.problems import Invalid, NotFound
from api.returns import service as returns
from api.security import Principal


def today() -> date:
    """The date that decides what is overdue (UTC, as every stored time is)."""
    return utcnow().date()


def _reads(
    session: Session, rows: list[tuple[Action, str]], *, with_updates: bool
) -> list[ActionRead]:
    """Actions with their requirements (and updates), in a fixed number of statements."""
    ids = [a.id for a, _ in rows]
    links = session.exec(
        select(ActionRequirement.action_id, Requirement.id, Requirement.code)
        .join(Requirement, col(Requirement.id) == ActionRequirement.requirement_id)
        .where(col(ActionRequirement.action_id).in_(ids))
        .order_by(col(Requirement.id))
    ).all()
    requirements: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for action_id, requirement_id, code in links:
        requirements[action_id].append((requirement_id or 0, code))
    updates: dict[int, list[ProgressRead]] = defaultdict(list)
    if with_updates:
        for u in session.exec(
            select(ActionUpdate)
            .where(col(ActionUpdate.action_id).in_(ids))
            .order_by(col(ActionUpdate.at), col(ActionUpdate.id))
        ):
            updates[u.action_id].append(ProgressRead.model_validate(u))
    on = today()
    out = []
    for action, agency_name in rows:
        assert action.id is not None
        out.append(
            ActionRead(
                id=action.id,
                agency_id=action.agency_id,
                agency_name=agency_name,
                return_id=action.return_id,
                description=action.description,
                owner=action.owner,
                due_on=action.due_on,
                status=action.status,
                overdue=rules.is_overdue(action.status, action.due_on, on),
                completion_evidence=action.completion_evidence,
                requirement_ids=[r for r, _ in requirements[action.id]],
                requirement_codes=[c for _, c in requirements[action.id]],
                version=action.version,
                created_at=action.created_at,
                updated_at=action.updated_at,
                updates=updates[action.id],
            )
        )
    return out


def _query(partnership_id: int, agencies: frozenset[int] | None) -> Any:
    query = (
        select(Action, Agency.name)
        .join(Agency, col(Agency.id) == Action.agency_id)
        .where(Action.partnership_id == partnership_id)
    )
    if agencies is not None:
        query = query.where(col(Action.agency_id).in_(agencies))
    return query


def _in_plan_of(return_id: int) -> Any:
    """A return's action plan: the actions begun in it, and the agency's actions still open
    that began in a programme opening no later than this return's: carried into it."""
    this = (
        select(Return.agency_id, Programme.opens_on)  # type: ignore[call-overload]
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Return.id == return_id)
        .subquery()
    )
    earlier = (
        select(Return.id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .join(this, this.c.agency_id == Return.agency_id)
        .where(Programme.opens_on <= this.c.opens_on)
    )
    carried = rules.open_condition() & col(Action.return_id).in_(earlier)
    return (col(Action.return_id) == return_id) | carried


def list_actions(
    session: Session,
    *,
    partnership_id: int,
    agencies: frozenset[int] | None,
    agency_id: int | None,
    return_id: int | None,
    programme_id: int | None,
    plan_of: int | None,
    status: ActionStatus | None,
    overdue: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[ActionRead], int]:
    """Actions the viewer may see, by due date, in three statements."""
    query = _query(partnership_id, agencies)
    if agency_id is not None:
        query = query.where(Action.agency_id == agency_id)
    if return_id is not None:
        query = query.where(Action.return_id == return_id)
    if programme_id is not None:  # began in one of the programme's returns
        began_in = select(Return.id).where(Return.programme_id == programme_id)
        query = query.where(col(Action.return_id).in_(began_in))
    if plan_of is not None:
        query = query.where(_in_plan_of(plan_of))
    if status is not None:
        query = query.where(Action.status == status)
    if overdue is not None:
        late = rules.overdue_condition(today())
        query = query.where(late if overdue else ~late)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Action.due_on), col(Action.id)).limit(limit).offset(offset)
    ).all()
    return _reads(session, list(rows), with_updates=False), total


def get(
    session: Session, *, partnership_id: int, action_id: int, agencies: frozenset[int] | None
) -> tuple[Action, str]:
    row = session.exec(_query(partnership_id, agencies).where(Action.id == action_id)).first()
    if row is None:
        raise NotFound("No such action, or it is not yours to see.")
    return row[0], row[1]


def read(session: Session, *, row: tuple[Action, str]) -> ActionRead:
    return _reads(session, [row], with_updates=True)[0]


def _check_requirements(session: Session, *, ret: Return, requirement_ids: list[int]) -> None:
    unknown = returns.not_in_return(session, ret=ret, requirement_ids=requirement_ids)
    if unknown:
        raise Invalid(
            {"requirement_ids": f"not requirements of this return: {', '.join(map(str, unknown))}"}
        )


def _link(session: Session, action: Action, requirement_ids: list[int]) -> None:
    assert action.id is not None
    session.add_all(
        ActionRequirement(action_id=action.id, requirement_id=r)
        for r in dict.fromkeys(requirement_ids)
    )


def _state(action: Action, requirement_ids: list[int]) -> dict[str, Any]:
    return {**(audit.snapshot(action) or {}), "requirement_ids": sorted(set(requirement_ids))}


def create(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    ret: Return,
    data: ActionCreate,
) -> Action:
    """Add an action to an agency's plan, from its return and for some of its requirements."""
    _check_requirements(session, ret=ret, requirement_ids=data.requirement_ids)
    action = Action(
        partnership_id=partnership_id,
        agency_id=ret.agency_id,
        return_id=ret.id,
        created_by_id=principal.user_id,
        **data.model_dump(exclude={"requirement_ids"}),
    )
    session.add(action)
    session.flush()
    _link(session, action, data.requirement_ids)
    emit(
        session,
        Event.action_create,
        principal=principal,
        entity_type="action",
        entity_id=action.id,
        partnership_id=partnership_id,
        after=_state(action, data.requirement_ids),
    )
    return action


def _differs(action: Action, key: str, value: Any) -> bool:
    """Whether a change changes anything; empty evidence is the same as none (and clears it)."""
    if key == "completion_evidence":
        return bool((action.completion_evidence or "") != value)
    return bool(getattr(action, key) != value)


def change(session: Session, *, principal: Principal, action: Action, data: ActionChange) -> Action:
    current_ids = list(
        session.exec(
            select(ActionRequirement.requirement_id).where(ActionRequirement.action_id == action.id)
        ).all()
    )
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None and k != "requirement_ids" and _differs(action, k, v)
    }
    new_ids = data.requirement_ids
    if new_ids is not None and set(new_ids) == set(current_ids):
        new_ids = None
    if not changes and new_ids is None:  # nothing to change: no new version, no event
        return action
    problems = rules.change_problems(
        changes.get("status", action.status),
        changes.get("completion_evidence", action.completion_evidence),
    )
    if problems:
        raise Invalid(problems)
    before = _state(action, current_ids)
    if new_ids is not None:
        if not new_ids:
            raise Invalid({"requirement_ids": "an action answers to at least one requirement"})
        ret = session.get(Return, action.return_id) if action.return_id else None
        if ret is not None:
            _check_requirements(session, ret=ret, requirement_ids=new_ids)
        for link in session.exec(
            select(ActionRequirement).where(ActionRequirement.action_id == action.id)
        ):
            session.delete(link)
        session.flush()
        _link(session, action, new_ids)
    for key, value in changes.items():
        setattr(action, key, value or None if key == "completion_evidence" else value)
    bump_version(session, action)
    session.add(action)
    emit(
        session,
        Event.action_update,
        principal=principal,
        entity_type="action",
        entity_id=action.id,
        partnership_id=action.partnership_id,
        before=before,
        after=_state(action, new_ids if new_ids is not None else current_ids),
    )
    return action


def add_progress(
    session: Session, *, principal: Principal, action: Action, note: str
) -> ActionUpdate:
    assert action.id is not None
    update = ActionUpdate(
        action_id=action.id,
        note=note,
        author_user_id=principal.user_id,
        author_label=principal.label,
    )
    session.add(update)
    session.flush()
    emit(
        session,
        Event.action_progress,
        principal=principal,
        entity_type="action",
        entity_id=action.id,
        partnership_id=action.partnership_id,
        after={"note": note},
    )
    return update
