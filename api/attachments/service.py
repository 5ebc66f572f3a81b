"""Evidence files attached to a return's answers: added, removed, and read back.

A file's bytes are stored once per distinct content (by SHA-256) and never change, so a
submitted version keeps every file it was submitted with, whatever happens to the draft.
"""

import hashlib
from dataclasses import dataclass

from pydantic import TypeAdapter
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.attachments import rules
from api.attachments.sniff import sniff
from api.audit import service as audit
from api.events.catalogue import Event
from api.events.emit import emit
from api.models import Attachment, EvidenceFile, ReturnStatus, ReturnVersion
from api.problems import Conflict, Invalid, NotFound
from api.returns import rules as return_rules
from api.returns import service as returns
from api.returns.schemas import FrozenAttachment
from api.security import Principal

# A download reads only the file list of a version, through the schema that froze it.
_FROZEN_FILES = TypeAdapter(list[FrozenAttachment])

EMPTY = "The file is empty. Check that it opens on your computer, then attach it again."


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    sha256: str
    content: bytes


def check_changeable(found: returns.Found) -> None:
    """Files change only while the return is in the agency's hands and its programme open."""
    if not found.programme_open:
        raise Conflict("The programme is closed: its returns can no longer change.")
    return_rules.check_editable(found.ret.status)


def check_may_attach(session: Session, *, found: returns.Found, requirement_id: int) -> None:
    """Everything that refuses a file whatever it holds, checked before it is read."""
    check_changeable(found)
    if returns.not_in_return(session, ret=found.ret, requirement_ids=[requirement_id]):
        raise NotFound("No such requirement in this return's framework.")


def add(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: returns.Found,
    requirement_id: int,
    filename: str,
    content: bytes,
    max_bytes: int,
) -> Attachment:
    """Attach a file to one answer, once `check_may_attach` has passed.

    Its type is decided from its content; its name is cleaned and must agree with that
    type (see `rules`). Like a first answer, a first file starts the return.
    """
    ret = found.ret
    assert ret.id is not None
    if not content:
        raise Invalid({"file": EMPTY})
    if len(content) > max_bytes:
        raise rules.too_large(max_bytes)
    name, kind = rules.name_for(filename, sniff(content))
    digest = hashlib.sha256(content).hexdigest()
    _store(session, digest, content)
    attachment = Attachment(
        return_id=ret.id,
        requirement_id=requirement_id,
        sha256=digest,
        filename=name,
        media_type=kind.media_type,
        size=len(content),
        uploaded_by_id=principal.user_id,
        uploaded_by_label=principal.label,
    )
    session.add(attachment)
    session.flush()
    if ret.status == ReturnStatus.not_started:
        returns.move(session, principal=principal, ret=ret, to=return_rules.Move.start)
    emit(
        session,
        Event.attachment_add,
        principal=principal,
        entity_type="return",
        entity_id=ret.id,
        partnership_id=partnership_id,
        after=audit.snapshot(attachment),
    )
    return attachment


def _store(session: Session, digest: str, content: bytes) -> None:
    """Keep the bytes unless the same content is already kept.

    Two people may send the same new file at the same moment: the second insert then
    fails on the key inside its savepoint, and the file the first stored is used.
    """
    known = select(EvidenceFile.sha256).where(EvidenceFile.sha256 == digest)
    if session.exec(known).first() is not None:
        return
    try:
        with session.begin_nested():
            session.add(EvidenceFile(sha256=digest, size=len(content), content=content))
    except IntegrityError:
        if session.exec(known).first() is None:
            raise


def remove(
    session: Session,
    *,
    principal: Principal,
    partnership_id: int,
    found: returns.Found,
    attachment_id: int,
) -> None:
    """Take a file off the draft. Its bytes stay: submitted versions may still hold them."""
    check_changeable(found)
    attachment = _attachment(session, found=found, attachment_id=attachment_id)
    before = audit.snapshot(attachment)
    gone = session.execute(
        delete(Attachment).where(
            col(Attachment.id) == attachment_id, col(Attachment.return_id) == found.ret.id
        )
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("Someone removed this file at the same moment.")
    session.expunge(attachment)
    emit(
        session,
        Event.attachment_remove,
        principal=principal,
        entity_type="return",
        entity_id=found.ret.id,
        partnership_id=partnership_id,
        before=before,
    )


def _attachment(session: Session, *, found: returns.Found, attachment_id: int) -> Attachment:
    attachment = session.exec(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.return_id == found.ret.id
        )
    ).first()
    if attachment is None:
        raise NotFound("No such file on this return.")
    return attachment


def download(session: Session, *, found: returns.Found, attachment_id: int) -> Download:
    """A file as the return holds it now."""
    attachment = _attachment(session, found=found, attachment_id=attachment_id)
    return Download(
        filename=attachment.filename,
        media_type=attachment.media_type,
        sha256=attachment.sha256,
        content=_content(session, attachment.sha256),
    )


def download_from_version(
    session: Session, *, found: returns.Found, number: int, attachment_id: int
) -> Download:
    """A file as submitted version `number` froze it, even if the draft no longer has it."""
    snapshot = session.exec(
        select(ReturnVersion.snapshot).where(
            ReturnVersion.return_id == found.ret.id, ReturnVersion.number == number
        )
    ).first()
    if snapshot is None:
        raise NotFound(f"This return has no submitted version {number}.")
    files = _FROZEN_FILES.validate_python(snapshot.get("attachments", []))
    frozen = next((f for f in files if f.id == attachment_id), None)
    if frozen is None:
        raise NotFound(f"Version {number} of this return has no such file.")
    return Download(
        filename=frozen.filename,
        media_type=frozen.media_type,
        sha256=frozen.sha256,
        content=_content(session, frozen.sha256),
    )


def _content(session: Session, digest: str) -> bytes:
    content = session.exec(
        select(EvidenceFile.content).where(EvidenceFile.sha256 == digest)
    ).first()
    if content is None:  # the bytes are never deleted; this would be a damaged database
        raise NotFound("The file's content is missing.")
    return content
