"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent, for the tests."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from liveserver import free_port


@dataclass
class Inbox:
    """What arrived, in order; `refuse` answers the next N messages with a temporary error,
    and `hold_at` keeps the Nth message's sender waiting (after it arrived) until released."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    hold_at: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    host: str = "127.0.0.1"
    port: int = 0

    @property
    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        assert isinstance(envelope.content, bytes)
        self.received.append(
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        )
        if self.hold_at is not None and len(self.received) == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        inbox.release.set()
        controller.stop()
