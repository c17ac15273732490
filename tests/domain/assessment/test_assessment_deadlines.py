from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from incident_app.domain.assessment.deadlines import (
    Anchors,
    ChineseOfficialCalendar,
    DueKind,
    Timing,
    TimingKind,
    WeekdayCalendar,
    add_working_days,
    compute_deadline,
)
from incident_app.domain.clock import parse_time

CAL = ChineseOfficialCalendar()


@pytest.mark.parametrize(
    ("start", "count", "expected", "why"),
    [
        # Spring Festival 2026: off 15–23 Feb; Sat 14 Feb and Sat 28 Feb are make-up workdays.
        ("2026-02-13", 1, "2026-02-14", "Saturday 14 Feb is a make-up workday"),
        ("2026-02-13", 3, "2026-02-25", "14 Feb, then nothing until 24 Feb"),
        ("2026-02-13", 15, "2026-03-12", "includes make-up Saturdays 14 and 28 Feb"),
        ("2026-02-17", 3, "2026-02-26", "start on a holiday: the first workday after it is day 1"),
        ("2026-02-26", 2, "2026-02-28", "Saturday 28 Feb counts"),
        # Spring Festival 2025: off 28 Jan–4 Feb; Sun 26 Jan and Sat 8 Feb are make-up workdays.
        ("2025-01-24", 1, "2025-01-26", "Sunday 26 Jan is a make-up workday"),
        ("2025-01-27", 1, "2025-02-05", "the whole festival is skipped"),
        ("2025-02-07", 1, "2025-02-08", "Saturday 8 Feb is a make-up workday"),
        # National Day 2025: off 1–8 Oct; Sun 28 Sep and Sat 11 Oct are make-up workdays.
        ("2025-09-26", 1, "2025-09-28", "Sunday 28 Sep is a make-up workday"),
        ("2025-09-30", 3, "2025-10-11", "9, 10 Oct, then make-up Saturday 11 Oct"),
        # National Day 2026: off 1–7 Oct; Sun 20 Sep and Sat 10 Oct are make-up workdays.
        ("2026-09-18", 1, "2026-09-20", "Sunday 20 Sep is a make-up workday"),
        ("2026-09-30", 3, "2026-10-10", "8, 9 Oct, then make-up Saturday 10 Oct"),
        ("2026-10-03", 15, "2026-10-27", "start inside the holiday"),
    ],
)
def test_working_days_follow_the_official_calendar(start: str, count: int, expected: str, why: str) -> None:
    result = add_working_days(date.fromisoformat(start), count, CAL)
    assert result.day == date.fromisoformat(expected), why
    assert result.calendar_published


def test_plain_weekday_count_would_be_wrong_across_the_festival() -> None:
    start = date(2026, 2, 13)
    official = add_working_days(start, 3, CAL).day
    weekdays = add_working_days(start, 3, WeekdayCalendar()).day
    assert (official - weekdays).days >= 4


def test_find_workday_trap_is_avoided_when_starting_on_a_holiday() -> None:
    start = date(2026, 2, 17)
    # chinese_calendar.find_workday counts the first workday reached as day 0: one day late here.
    assert chinese_calendar.find_workday(3, start) == date(2026, 2, 27)
    assert add_working_days(start, 3, CAL).day == date(2026, 2, 26)


def test_unpublished_year_falls_back_to_weekdays_and_says_so() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 1, 5))
    result = add_working_days(date(2099, 1, 2), 3, CAL)  # Friday
    assert result.day == date(2099, 1, 7) and not result.calendar_published
    anchors = Anchors(parse_time("2099-01-02T10:00:00+08:00"), parse_time("2099-01-02T10:00:00+08:00"), None, {})
    deadline = compute_deadline(Timing(TimingKind.WORKING_DAYS, 3), "aware_at", anchors, CAL)
    assert not deadline.calendar_published
    assert "not yet published" in deadline.explanation.en and "尚未公布" in deadline.explanation.zh


ANCHORS = Anchors(
    discovered_at=parse_time("2026-11-20T09:00:00+08:00"),
    aware_at=parse_time("2026-11-20T09:30:00+08:00"),
    handling_closed_at=None,
    decisions={"public_announcement_instead": parse_time("2026-11-21T10:00:00+08:00")},
)


def test_hours_from_discovery() -> None:
    deadline = compute_deadline(Timing(TimingKind.HOURS, 72), "aware_at", ANCHORS, CAL)
    assert deadline.kind == DueKind.DEADLINE
    assert deadline.due == parse_time("2026-11-23T09:30:00+08:00")
    assert deadline.due is not None and deadline.due.utcoffset() == timedelta(hours=8)


def test_operator_hours_come_from_the_caller() -> None:
    deadline = compute_deadline(Timing(TimingKind.OPERATOR_HOURS), "discovered_at", ANCHORS, CAL, operator_hours=1)
    assert deadline.due == parse_time("2026-11-20T10:00:00+08:00")


def test_working_days_end_at_the_end_of_the_day() -> None:
    deadline = compute_deadline(Timing(TimingKind.WORKING_DAYS, 3), "aware_at", ANCHORS, CAL)
    assert deadline.due == parse_time("2026-11-25T23:59:59+08:00")  # Fri -> Mon, Tue, Wed


def test_immediate_has_no_due_but_a_labelled_internal_target() -> None:
    deadline = compute_deadline(Timing(TimingKind.IMMEDIATE, internal_target_hours=24), "aware_at", ANCHORS, CAL)
    assert deadline.kind == DueKind.IMMEDIATE and deadline.due is None
    assert deadline.internal_target == parse_time("2026-11-21T09:30:00+08:00")
    assert "internal target (not a legal deadline)" in deadline.explanation.en
    assert deadline.clock == deadline.internal_target


def test_missing_anchor_waits() -> None:
    deadline = compute_deadline(Timing(TimingKind.CALENDAR_DAYS, 30), "handling_closed_at", ANCHORS, CAL)
    assert deadline.kind == DueKind.AWAITING_ANCHOR and deadline.due is None and deadline.clock is None


def test_calendar_days_and_decision_anchor() -> None:
    closed = Anchors(ANCHORS.discovered_at, ANCHORS.aware_at, parse_time("2026-12-01T18:00:00+08:00"), {})
    deadline = compute_deadline(Timing(TimingKind.CALENDAR_DAYS, 30), "handling_closed_at", closed, CAL)
    assert deadline.due == parse_time("2026-12-31T18:00:00+08:00")
    announced = compute_deadline(Timing(TimingKind.PROMPT, internal_target_hours=72),
                                 "decision:public_announcement_instead", ANCHORS, CAL)
    assert announced.internal_target == parse_time("2026-11-24T10:00:00+08:00")
