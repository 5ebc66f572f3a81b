"""`assure worker` against a real SMTP server on 127.0.0.1, on the suite's database."""

import os
import signal
import subprocess
from datetime import timedelta

from outboxkit import Outbox
from smtpinbox import Inbox
from sqlalchemy import update
from sqlmodel import Session

from api.models import Channel, OutboxMessage
from api.models.base import utcnow
from api.outbox import rules, worker
from api.outbox.smtp import SmtpMailer
from api.settings import Settings

WAIT = 120  # seconds a worker process may take on a slow, busy machine


def mailer(inbox: Inbox) -> worker.Transports:
    """Email through the test's SMTP server (the only channel these tests send)."""
    settings = Settings(smtp_host=inbox.host, smtp_port=inbox.port, smtp_security="none")
    return {Channel.email: SmtpMailer(settings)}


def ours(inbox: Inbox) -> list[str]:
    """The ids of the messages a test added (not the reminders a worker queued itself)."""
    return [i for i in inbox.ids if i.startswith("<m")]


def finish(process: subprocess.Popen[bytes]) -> str:
    out, _ = process.communicate(timeout=WAIT)
    assert process.returncode == 0, out.decode()
    return out.decode()


def test_each_message_is_sent_once_with_its_own_stable_id(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(3)
    tally = worker.drain(outbox.engine, mailer(inbox))
    assert (tally.claimed, tally.delivered, tally.failed) == (3, 3, 0)
    assert inbox.ids == ["<m0@assure>", "<m1@assure>", "<m2@assure>"]
    first = inbox.received[0]
    assert first["To"] == "person0@example.org"
    assert first["Subject"] == "Message 0"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content_type() == "text/plain"
    assert first.get_content().replace("\r\n", "\n") == "Body of message 0.\n"
    rows = outbox.rows()
    assert all(r.delivered_at and r.attempts == 1 and r.claimed_until is None for r in rows)

    again = worker.drain(outbox.engine, mailer(inbox))
    assert again.claimed == 0
    assert len(inbox.received) == 3


def test_a_refused_message_waits_then_goes(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(1)
    inbox.refuse = 1
    start = utcnow()
    tally = worker.drain(outbox.engine, mailer(inbox), now=lambda: start)
    assert (tally.delivered, tally.failed) == (0, 1)
    [row] = outbox.rows()
    assert row.attempts == 1 and row.delivered_at is None and row.failed_at is None
    assert row.last_error and "451" in row.last_error
    assert row.next_attempt_at == start + rules.FIRST_WAIT

    early = worker.drain(outbox.engine, mailer(inbox), now=lambda: start + timedelta(seconds=29))
    assert early.claimed == 0
    later = worker.drain(outbox.engine, mailer(inbox), now=lambda: start + timedelta(seconds=31))
    assert later.delivered == 1
    [row] = outbox.rows()
    assert row.attempts == 2 and row.delivered_at is not None and row.last_error is None
    assert inbox.ids == ["<m0@assure>"]


def test_after_the_last_attempt_the_message_is_marked_failed(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(1)
    inbox.refuse = 1000
    start = utcnow()
    for n in range(rules.MAX_ATTEMPTS):
        at = start + n * rules.LONGEST_WAIT
        assert worker.drain(outbox.engine, mailer(inbox), now=lambda at=at: at).failed == 1
    when = start + rules.MAX_ATTEMPTS * rules.LONGEST_WAIT
    [row] = outbox.rows()
    assert row.attempts == rules.MAX_ATTEMPTS
    assert row.failed_at is not None and row.delivered_at is None
    assert worker.drain(outbox.engine, mailer(inbox), now=lambda: when).claimed == 0
    assert inbox.received == []


def test_a_mail_server_that_is_down_is_noted_and_tried_again(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(2)
    down = Settings(smtp_host="127.0.0.1", smtp_port=1, smtp_security="none")
    tally = worker.drain(outbox.engine, {Channel.email: SmtpMailer(down)})
    assert (tally.delivered, tally.failed) == (0, 2)
    assert all(r.last_error and "Connection" in r.last_error for r in outbox.rows())
    later = utcnow() + rules.FIRST_WAIT + timedelta(seconds=1)
    assert worker.drain(outbox.engine, mailer(inbox), now=lambda: later).delivered == 2


def test_two_workers_at_once_send_each_message_once(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(300)
    workers = [outbox.worker(inbox, "--once") for _ in range(2)]
    reports = [finish(w) for w in workers]
    assert len(inbox.ids) == len(set(inbox.ids)), reports  # nothing came twice
    assert len(ours(inbox)) == 300  # (the workers also sent the demo's weekly digest)
    assert all(r.delivered_at is not None and r.attempts == 1 for r in outbox.rows())


def test_a_worker_killed_mid_batch_loses_nothing(outbox: Outbox, inbox: Inbox) -> None:
    outbox.add(30)
    inbox.hold_at = 5  # the fifth message arrives, and its sender dies before hearing back
    first = outbox.worker(inbox, "--once")
    assert inbox.holding.wait(WAIT), first.stdout.read() if first.stdout else ""
    os.kill(first.pid, signal.SIGKILL)
    first.wait(WAIT)
    inbox.release.set()
    rows = outbox.rows()
    assert sum(r.delivered_at is not None for r in rows) == 4
    # The rest of its batch stays claimed until the lease ends; let it end now.
    with Session(outbox.engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.delivered_at.is_(None))  # type: ignore[union-attr]
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()

    finish(outbox.worker(inbox, "--once"))
    assert all(r.delivered_at is not None for r in outbox.rows())
    assert len(set(ours(inbox))) == 30  # nothing lost
    # Only the message in flight came twice, with the same id, for the receiver to drop.
    assert len(ours(inbox)) == 31
    assert inbox.ids.count("<m4@assure>") == 2
