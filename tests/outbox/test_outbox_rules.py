"""When the outbox tries again and when it gives up: no database."""

from datetime import UTC, datetime, timedelta

import pytest

from api.outbox import rules

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_waits_double_from_thirty_seconds() -> None:
    waits = [rules.wait_after(n).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 240, 480]


def test_waits_stop_growing_at_two_hours() -> None:
    assert rules.wait_after(9) == timedelta(hours=2)
    assert rules.wait_after(10_000) == timedelta(hours=2)


def test_there_is_no_wait_before_the_first_attempt() -> None:
    with pytest.raises(ValueError):
        rules.wait_after(0)


def test_each_failure_but_the_last_sets_the_next_try() -> None:
    assert rules.after_failure(1, NOW) == NOW + timedelta(seconds=30)
    assert rules.after_failure(rules.MAX_ATTEMPTS - 1, NOW) == NOW + timedelta(seconds=30 * 64)
    assert rules.after_failure(rules.MAX_ATTEMPTS, NOW) is None


def test_all_the_tries_span_hours_not_days() -> None:
    total = sum((rules.wait_after(n) for n in range(1, rules.MAX_ATTEMPTS)), timedelta())
    assert timedelta(hours=1) < total < timedelta(hours=6)
