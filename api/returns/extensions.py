"""Extensions: the partnership gives one agency longer than the programme's deadline.

An extension moves only the date a return is due by until it is first submitted; that
submission records the date then in force, so nothing granted later relabels it.
"""

from sqlmodel import Session

from api.db import bump_version
from api.events.catalogue import Event
from api.events.emit import emit
from api.models.base import utcnow
from api.problems import Conflict, Invalid
from api.returns.schemas import ExtensionWrite
from api.returns.service import Found
from api.security import Principal


def _check_open(found: Found) -> None:
    if not found.programme_open:
        raise Conflict("The programme is not open: its due dates can no longer change.")
    if found.ret.submitted_at is not None:
        raise Conflict(
            "This return has been submitted: the date it was due is recorded with its first "
            "submission and does not change."
        )


def _state(found: Found) -> dict[str, object]:
    ret = found.ret
    return {
        "extended_to": ret.extended_to.isoformat() if ret.extended_to else None,
        "extension_reason": ret.extension_reason,
    }


def grant(
    session: Session, *, principal: Principal, partnership_id: int, found: Found,
    data: ExtensionWrite,
) -> None:  # fmt: skip
    """Grant (or change) an agency's extension, with the reason, audited."""
    _check_open(found)
    if data.due_on <= found.deadline:
        raise Invalid({"due_on": f"must be after the programme's deadline, {found.deadline}"})
    ret, before = found.ret, _state(found)
    ret.extended_to, ret.extension_reason = data.due_on, data.reason
    ret.extended_at, ret.extended_by_label = utcnow(), principal.label
    bump_version(session, ret)
    session.add(ret)
    emit(
        session, Event.return_extend, principal=principal,  entity_type="return",
        entity_id=ret.id, partnership_id=partnership_id, before=before, after=_state(found),
    )  # fmt: skip


def withdraw(session: Session, *, principal: Principal, partnership_id: int, found: Found) -> None:
    """Withdraw an extension: the return is due by the programme's deadline again."""
    _check_open(found)
    ret = found.ret
    if ret.extended_to is None:
        return
    before = _state(found)
    ret.extended_to = ret.extension_reason = ret.extended_at = ret.extended_by_label = None
    bump_version(session, ret)
    session.add(ret)
    emit(
        session, Event.return_withdraw_extension, principal=principal,  entity_type="return",
        entity_id=ret.id, partnership_id=partnership_id, before=before, after=_state(found),
    )  # fmt: skip
