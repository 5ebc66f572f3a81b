"""Webhook deliveries from the outbox to a real receiver on 127.0.0.1 that verifies each
Standard Webhooks signature, on the suite's database."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from outboxkit import Outbox
from receiver import Receiver, webhook_receiver
from smtpinbox import Inbox
from sqlalchemy import delete
from sqlmodel import Session, select

from api.events.catalogue import Event
from api.models import AuditEvent, Channel, OutboxMessage, Partnership, WebhookEndpoint
from api.models.base import utcnow
from api.outbox import rules, worker
from api.outbox.webhook_sender import WebhookSender
from api.webhooks import rules as webhook_rules
from api.webhooks import service as webhooks


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver(webhook_rules.new_secret()) as receiver:
        yield receiver


@pytest.fixture
def endpoint(outbox: Outbox, receiver: Receiver) -> Iterator[int]:
    with Session(outbox.engine) as session:
        york = session.exec(select(Partnership).where(Partnership.slug == "york")).one()
        row = WebhookEndpoint(partnership_id=york.id or 0, url=receiver.url,
                              events=["return.submit"], secret=receiver.secret)  # fmt: skip
        session.add(row)
        session.commit()
        assert row.id is not None
        endpoint_id = row.id
    yield endpoint_id
    with Session(outbox.engine) as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.webhook_id == endpoint_id))  # type: ignore[arg-type]
        session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))  # type: ignore[arg-type]
        session.commit()


def submitted(outbox: Outbox, count: int = 1) -> list[int]:
    """Audit rows of returns submitted, each queueing a delivery; their ids."""
    with Session(outbox.engine) as session:
        york = session.exec(select(Partnership).where(Partnership.slug == "york")).one()
        ids = []
        for n in range(count):
            row = AuditEvent(
                partnership_id=york.id,
                action="return.submit",
                entity_type="return",
                entity_id=n + 1,
                actor_label="Ann Approver",
            )
            session.add(row)
            session.flush()
            assert webhooks.queue_deliveries(session, Event.return_submit, row) == 1
            ids.append(row.id or 0)
        session.commit()
    return ids


def send(outbox: Outbox, **kw: object) -> worker.Tally:
    return worker.drain(outbox.engine, {Channel.webhook: WebhookSender(outbox.engine)}, **kw)  # type: ignore[arg-type]


def test_a_delivery_arrives_signed_with_its_stable_id(  # type: ignore[no-untyped-def]
    outbox: Outbox, receiver: Receiver, endpoint: int
):
    [event_id] = submitted(outbox)
    tally = send(outbox)
    assert (tally.delivered, tally.failed) == (1, 0)
    assert receiver.refused == []
    [got] = receiver.received
    assert got["id"] == f"msg_wh{endpoint}_ev{event_id}"
    assert got["payload"]["type"] == "return.submit"
    assert got["payload"]["data"]["entity_id"] == 1
    [row] = [r for r in outbox.rows() if r.webhook_id == endpoint]
    assert row.delivered_at is not None and row.last_status == 204


def test_a_receiver_that_fails_is_tried_again_and_its_status_kept(  # type: ignore[no-untyped-def]
    outbox: Outbox, receiver: Receiver, endpoint: int
):
    submitted(outbox)
    receiver.answers = [503]
    start = utcnow()
    assert send(outbox, now=lambda: start).failed == 1
    [row] = [r for r in outbox.rows() if r.webhook_id == endpoint]
    assert row.last_status == 503 and row.last_error and row.last_error.startswith("HTTP 503")
    later = start + rules.FIRST_WAIT + timedelta(seconds=1)
    assert send(outbox, now=lambda: later).delivered == 1
    [row] = [r for r in outbox.rows() if r.webhook_id == endpoint]
    assert row.last_status == 204 and row.attempts == 2 and row.last_error is None


def test_a_rotated_secret_signs_what_is_sent_after(  # type: ignore[no-untyped-def]
    outbox: Outbox, receiver: Receiver, endpoint: int
):
    submitted(outbox)
    with Session(outbox.engine) as session:
        row = session.get(WebhookEndpoint, endpoint)
        assert row is not None
        webhooks.rotate_secret(session, row)
        session.commit()
        new = row.secret
    assert send(outbox).failed == 1  # the receiver still holds the old secret: refused
    assert receiver.refused
    receiver.secret = new
    later = utcnow() + rules.FIRST_WAIT + timedelta(seconds=1)
    assert send(outbox, now=lambda: later).delivered == 1


def test_two_workers_deliver_each_webhook_once(  # type: ignore[no-untyped-def]
    outbox: Outbox, receiver: Receiver, endpoint: int, inbox: Inbox
):
    submitted(outbox, count=120)
    workers = [outbox.worker(inbox, "--once") for _ in range(2)]
    for w in workers:
        out, _ = w.communicate(timeout=120)
        assert w.returncode == 0, out.decode()
    assert receiver.refused == []
    assert len(receiver.ids) == 120 == len(set(receiver.ids))
