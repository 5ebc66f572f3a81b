"""When time-driven notices are due: no database."""

from datetime import date

from api.notices import schedule

DUE = date(2026, 12, 18)


def remind(days_left: int, reminder_days=schedule.DEFAULT_REMINDER_DAYS) -> int | None:  # type: ignore[no-untyped-def]
    today = date.fromordinal(DUE.toordinal() - days_left)
    return schedule.deadline_reminder(DUE, today, reminder_days)


def test_reminders_fall_14_7_and_1_days_before() -> None:
    assert [remind(n) for n in (20, 15, 14, 13, 8, 7, 6, 2, 1, 0)] == [
        None, None, 14, 14, 14, 7, 7, 7, 1, 1,
    ]  # fmt: skip


def test_no_reminder_after_the_deadline() -> None:
    assert remind(-1) is None


def test_a_worker_that_missed_a_day_sends_only_the_nearest_reminder() -> None:
    assert remind(6) == 7  # not 14 as well


def test_a_programme_chooses_its_own_days() -> None:
    assert remind(25, (30,)) == 30
    assert remind(25, ()) is None


def test_occasions_name_the_due_date_so_an_extension_starts_again() -> None:
    before = schedule.deadline_occasion(5, DUE, 7)
    after = schedule.deadline_occasion(5, date(2027, 1, 8), 7)
    assert before != after
    assert schedule.overdue_occasion("action", 3, DUE) != schedule.overdue_occasion(
        "action", 3, date(2027, 1, 8)
    )


def test_overdue_is_the_day_after_the_due_date() -> None:
    assert not schedule.is_overdue(DUE, DUE)
    assert schedule.is_overdue(DUE, date(2026, 12, 19))


def test_one_digest_a_week() -> None:
    monday, sunday, next_monday = date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 7)
    assert schedule.digest_occasion(1, monday) == schedule.digest_occasion(1, sunday)
    assert schedule.digest_occasion(1, monday) != schedule.digest_occasion(1, next_monday)
    assert schedule.digest_occasion(1, monday) != schedule.digest_occasion(2, monday)
