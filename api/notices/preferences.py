"""Which kinds of notice each person turned off."""

from sqlalchemy import delete
from sqlmodel import Session, select

from api.models import NoticeOptOut
from api.notices.kinds import NoticeKind
from api.notices.schemas import NoticeChoice, NoticeSettings


def read(session: Session, *, user_id: int) -> NoticeSettings:
    off = set(session.exec(select(NoticeOptOut.kind).where(NoticeOptOut.user_id == user_id)))
    return NoticeSettings(
        notices=[NoticeChoice(kind=k, label=k.label, on=k.value not in off) for k in NoticeKind]
    )


def replace(session: Session, *, user_id: int, off: set[NoticeKind]) -> NoticeSettings:
    """Turn off exactly these kinds (and every other kind on)."""
    session.execute(delete(NoticeOptOut).where(NoticeOptOut.user_id == user_id))  # type: ignore[arg-type]
    session.add_all(NoticeOptOut(user_id=user_id, kind=k.value) for k in sorted(off))
    session.flush()
    return read(session, user_id=user_id)
