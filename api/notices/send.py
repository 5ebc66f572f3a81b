"""Writing a notice for each person it concerns into the outbox, from its template."""

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlmodel import Session, col, select

from api.models import NoticeOptOut, OutboxMessage, Partnership, User
from api.notices import links
from api.notices.kinds import NoticeKind, SecurityKind
from api.outbox import service as outbox

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache
def _environment() -> Environment:
    # Plain text: nothing is escaped, and a missing value is an error, not a blank.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["longdate"] = lambda d: f"{d.day} {d:%B %Y}"
    return environment


def render(kind: NoticeKind | SecurityKind, context: dict[str, Any]) -> tuple[str, str]:
    """The subject (the template's first line) and the plain-text body (the rest)."""
    text = (
        _environment()
        .get_template(f"{kind.value}.txt")
        .render(notices_url=links.notices_page(), **context)
    )
    first, _, rest = text.partition("\n")
    return first.removeprefix("Subject:").strip(), rest.lstrip("\n")


def notify(
    session: Session,
    kind: NoticeKind,
    *,
    occasion: str,
    partnership: Partnership,
    people: Iterable[User],
    context: dict[str, Any],
) -> int:
    """Queue the notice for each person who has not turned its kind off; how many were queued.

    `occasion` names what it is about (a submission, a deadline 7 days away): with the kind
    and the person it is the message's key, so nobody is told twice about one occasion, and
    asking again (the worker does each round) renders nothing that was already queued.
    """
    keys = {f"{kind.value}-{occasion}-u{p.id}": p for p in people if p.is_active}
    if not keys:
        return 0
    done = set(
        session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(keys))).all()
    )
    off = set(
        session.exec(
            select(NoticeOptOut.user_id).where(
                NoticeOptOut.kind == kind.value,
                col(NoticeOptOut.user_id).in_([p.id for p in keys.values()]),
            )
        ).all()
    )
    messages = []
    for key, person in keys.items():
        if key in done or person.id in off:
            continue
        subject, body = render(kind, {**context, "person": person, "partnership": partnership})
        messages.append(
            OutboxMessage(
                key=key,
                partnership_id=partnership.id,
                kind=kind.value,
                recipient=person.email,
                subject=subject,
                body=body,
            )
        )
    return outbox.enqueue_all(session, messages)


def security_email(
    session: Session,
    kind: SecurityKind,
    *,
    key: str,
    partnership_id: int | None,
    recipient: str,
    context: dict[str, Any],
) -> int:
    """Queue an email nobody may turn off (its `key` names the one occasion, e.g. an
    invitation's sending); 1 if queued, 0 if that key was already used."""
    subject, body = render(kind, context)
    message = OutboxMessage(
        key=f"{kind.value}-{key}",
        partnership_id=partnership_id,
        kind=kind.value,
        recipient=recipient,
        subject=subject,
        body=body,
    )
    return outbox.enqueue(session, message)
