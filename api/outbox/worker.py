"""`assure worker`: queues the reminders that are due, delivers the outbox, and prunes
expired idempotency keys.

Any number of workers may run against PostgreSQL; on SQLite one is enough, and a second
is harmless (claims take the database's write lock in turn). Delivery is at least once:
a worker killed after sending but before noting it sends again once its lease ends, with
the same Message-ID.
"""

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from api.idempotency import store as idempotency_keys
from api.models import Channel, OutboxMessage
from api.models.base import utcnow
from api.notices import reminders
from api.outbox import service
from api.outbox.smtp import SmtpMailer
from api.outbox.webhook_sender import Refused, WebhookSender
from api.settings import Settings

log = logging.getLogger("assure.worker")
BATCH = 20
# Reminders depend on the day, so looking for them every few minutes is plenty.
REMINDERS_EVERY = 300.0


class Transport(Protocol):
    """Sends one message (raising if it did not go; returning the receiver's HTTP status,
    if any), then closes what it opened for the batch."""

    def send(self, message: OutboxMessage) -> int | None: ...
    def close(self) -> None: ...


Transports = dict[Channel, Transport]


def _writing(engine: Engine) -> Session:
    # On SQLite a writer takes the lock when it begins, so claims never deadlock.
    return Session(engine.execution_options(writes=True), expire_on_commit=False)


@dataclass
class Tally:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0

    def add(self, other: "Tally") -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed


def deliver(
    engine: Engine, transports: Transports, *, now: Callable[[], datetime] = utcnow
) -> Tally:
    """Claim one batch of due messages that a transport can send, and try each, noting each
    outcome as it happens."""
    with _writing(engine) as session:
        batch = service.claim(session, now=now(), limit=BATCH, channels=set(transports))
        session.commit()
    tally = Tally(claimed=len(batch))
    try:
        for message in batch:
            try:
                status = transports[message.channel].send(message)
            except Exception as exc:  # any failure is this message's: noted, tried again later
                log.warning("message %s not delivered: %s", message.id, exc)
                with _writing(engine) as session:
                    service.not_delivered(
                        session,
                        message,
                        error=_describe(exc),
                        now=now(),
                        status=getattr(exc, "status", None),
                    )
                    session.commit()
                tally.failed += 1
                continue
            with _writing(engine) as session:
                service.delivered(session, message, now=now(), status=status)
                session.commit()
            tally.delivered += 1
    finally:
        for transport in transports.values():
            transport.close()
    return tally


def _describe(exc: Exception) -> str:
    """What an admin reads on the outbox page: a receiver's answer as it is, any other
    failure with its kind."""
    if isinstance(exc, Refused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def drain(engine: Engine, transports: Transports, *, now: Callable[[], datetime] = utcnow) -> Tally:
    """Deliver batches until fewer than a full batch was due."""
    total = Tally()
    while True:
        tally = deliver(engine, transports, now=now)
        total.add(tally)
        if tally.claimed < BATCH:
            return total


def transports_for(engine: Engine, settings: Settings) -> Transports:
    """Webhooks always; email only when a mail server is set (else emails wait)."""
    transports: Transports = {Channel.webhook: WebhookSender(engine)}
    if settings.smtp_host:
        transports[Channel.email] = SmtpMailer(settings)
    return transports


class Stop:
    """Set by SIGTERM or SIGINT: the worker finishes the message in hand, then stops."""

    def __init__(self) -> None:
        self.requested = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._request)

    def _request(self, *_: object) -> None:
        self.requested = True


def write_reminders(engine: Engine, *, now: datetime) -> int:
    """Queue the time-driven notices that are due; how many."""
    with _writing(engine) as session:
        queued = reminders.write_due(session, now=now)
        session.commit()
    if queued:
        log.info("queued %s reminders", queued)
    return queued


def prune_idempotency_keys(engine: Engine, *, now: datetime) -> int:
    """Remove the idempotency keys that expired; how many."""
    with _writing(engine) as session:
        pruned = idempotency_keys.prune(session, now=now)
        session.commit()
    return pruned


def run(engine: Engine, settings: Settings, *, once: bool = False) -> Tally:
    """Work until stopped (or one round, with `once`); what was delivered in all."""
    transports = transports_for(engine, settings)
    if Channel.email not in transports:
        log.warning("ASSURE_SMTP_HOST is not set: emails wait in the outbox")
    stop = Stop()
    total = Tally()
    reminded_at: float | None = None
    while True:
        if reminded_at is None or time.monotonic() - reminded_at >= REMINDERS_EVERY:
            write_reminders(engine, now=utcnow())
            prune_idempotency_keys(engine, now=utcnow())
            reminded_at = time.monotonic()
        total.add(drain(engine, transports))
        if once or stop.requested:
            return total
        deadline = time.monotonic() + settings.worker_poll_seconds
        while time.monotonic() < deadline and not stop.requested:
            time.sleep(min(0.2, settings.worker_poll_seconds))
        if stop.requested:
            return total
