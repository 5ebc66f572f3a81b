"""When a message is tried again, and when the outbox gives up on it. No database here."""

from datetime import datetime, timedelta
from enum import StrEnum

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
# Eight attempts over about four and a half hours (30s, 1m, 2m, … capped at 2h), enough to
# outlast a mail server's restart or a receiver's deployment; then an admin decides.
MAX_ATTEMPTS = 8
# How long a worker holds a message it claimed. A worker killed mid-send loses its claim
# when this passes, and another worker (or itself, restarted) sends the message again.
LEASE = timedelta(minutes=2)


def wait_after(attempts: int) -> timedelta:
    """The wait before the next try, after `attempts` failed ones: doubling, with a cap."""
    if attempts < 1:
        raise ValueError("a wait follows at least one attempt")
    doublings = min(attempts - 1, 16)  # 2**16 × 30s is already far past the cap
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


def after_failure(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries; None: give up (the message failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + wait_after(attempts)


class MessageState(StrEnum):
    waiting = "waiting"  # not sent yet: its first try, or the next after a failure, is due
    delivered = "delivered"
    failed = "failed"  # every attempt failed; an admin may send it again


def state(*, delivered_at: datetime | None, failed_at: datetime | None) -> MessageState:
    if delivered_at is not None:
        return MessageState.delivered
    if failed_at is not None:
        return MessageState.failed
    return MessageState.waiting
