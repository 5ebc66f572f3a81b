"""Submitted versions of a return: read one, and compare any two."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.models import ReturnVersion
from api.problems import NotFound
from api.returns.schemas import (
    ActionChangeSeen,
    Comparison,
    FieldChange,
    FrozenResponse,
    ResponseChange,
    Snapshot,
    VersionRead,
    VersionSummary,
)


def list_versions(session: Session, *, return_id: int) -> list[VersionSummary]:
    rows = session.exec(
        select(ReturnVersion)
        .where(ReturnVersion.return_id == return_id)
        .order_by(col(ReturnVersion.number))
    )
    return [VersionSummary.model_validate(v, from_attributes=True) for v in rows]


def _get(session: Session, return_id: int, number: int) -> ReturnVersion:
    found = session.exec(
        select(ReturnVersion).where(
            ReturnVersion.return_id == return_id, ReturnVersion.number == number
        )
    ).first()
    if found is None:
        raise NotFound(f"This return has no version {number}.")
    return found


def frozen(version: ReturnVersion) -> VersionRead:
    """A version as it was submitted, read through the schema that wrote it.

    One frozen before files existed lists none.
    """
    snapshot = Snapshot.model_validate(version.snapshot)
    return VersionRead(
        **VersionSummary.model_validate(version, from_attributes=True).model_dump(),
        return_id=version.return_id,
        declaration=snapshot.sign_off.declaration,
        responses=snapshot.responses,
        attachments=snapshot.attachments,
        actions=snapshot.actions,
    )


def read_version(session: Session, *, return_id: int, number: int) -> VersionRead:
    return frozen(_get(session, return_id, number))


def _changes(before: Any, after: Any, fields: tuple[str, ...]) -> list[FieldChange]:
    return [
        FieldChange(field=f, before=getattr(before, f), after=getattr(after, f))
        for f in fields
        if getattr(before, f) != getattr(after, f)
    ]


def compare(old: VersionRead, new: VersionRead) -> Comparison:
    """Every difference between two versions, in the framework's order."""
    old_answers = {r.requirement_id: r for r in old.responses}
    responses = []
    for answer in new.responses:
        before = old_answers.get(answer.requirement_id) or FrozenResponse(
            requirement_id=answer.requirement_id, code=answer.code, rating=None,
            evidence="", comment="",
        )  # fmt: skip
        changes = _changes(before, answer, ("rating", "evidence", "comment"))
        if changes:
            responses.append(
                ResponseChange(
                    requirement_id=answer.requirement_id, code=answer.code, changes=changes
                )  # fmt: skip
            )
    old_files = {(a.requirement_id, a.sha256): a for a in old.attachments}
    new_files = {(a.requirement_id, a.sha256): a for a in new.attachments}
    old_actions = {a.id: a for a in old.actions}
    new_actions = {a.id: a for a in new.actions}
    changed_actions = [
        ActionChangeSeen(id=a.id, description=a.description, changes=changes)
        for a in new.actions
        if a.id in old_actions
        and (
            changes := _changes(old_actions[a.id], a, ("description", "owner", "due_on", "status"))
        )
    ]
    return Comparison(
        return_id=new.return_id,
        from_version=VersionSummary(**old.model_dump(include=set(VersionSummary.model_fields))),
        to_version=VersionSummary(**new.model_dump(include=set(VersionSummary.model_fields))),
        responses=responses,
        attachments_added=[a for k, a in new_files.items() if k not in old_files],
        attachments_removed=[a for k, a in old_files.items() if k not in new_files],
        actions_added=[a for i, a in new_actions.items() if i not in old_actions],
        actions_removed=[a for i, a in old_actions.items() if i not in new_actions],
        actions_changed=changed_actions,
        sign_off=_changes(old, new, ("signed_off_name", "signed_off_role")),
    )


def compare_versions(
    session: Session, *, return_id: int, from_number: int | None, to_number: int | None
) -> Comparison:
    """Compare two versions: by default the latest with the one before it."""
    if to_number is None:
        to_number = session.exec(
            select(func.max(ReturnVersion.number)).where(ReturnVersion.return_id == return_id)
        ).one()
        if to_number is None:
            raise NotFound("This return has not been submitted yet: there is nothing to compare.")
    if from_number is None:
        from_number = max(1, to_number - 1)
    return compare(
        read_version(session, return_id=return_id, number=from_number),
        read_version(session, return_id=return_id, number=to_number),
    )
