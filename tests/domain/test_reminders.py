"""Reminder planning: each lead time fires once per obligation and due time; stale moments of one
obligation collapse into the most urgent; lead times validated with a message naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_app.domain.assessment.common import Text
from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.reminders import (
    DueObligation,
    forget_old,
    next_due,
    parse_lead_minutes,
    plan_reminders,
    reminder_key,
)

DUE = parse_time("2026-11-20T13:00:00+08:00")
LEADS = (60, 30, 10, 0)


def item(due=DUE, obligation="cac-initial-report") -> DueObligation:  # type: ignore[no-untyped-def]
    return DueObligation(1, "Leak", obligation, Text("初报", "Initial report"), due)


def test_nothing_before_the_first_lead_time() -> None:
    plan = plan_reminders([item()], LEADS, DUE - timedelta(minutes=61), frozenset())
    assert plan.show == () and plan.handled == frozenset()


@pytest.mark.parametrize(("minutes_before", "lead"), [(60, 60), (45, 60), (30, 30), (10, 10), (0, 0), (-5, 0)])
def test_the_lead_time_reached_fires(minutes_before: int, lead: int) -> None:
    now = DUE - timedelta(minutes=minutes_before)
    shown = frozenset(reminder_key(item(), m) for m in LEADS if m > lead)  # the earlier ones were shown
    plan = plan_reminders([item()], LEADS, now, shown)
    assert [r.lead_minutes for r in plan.show] == [lead]


def test_each_fires_once() -> None:
    now = DUE - timedelta(minutes=30)
    first = plan_reminders([item()], LEADS, now, frozenset())
    again = plan_reminders([item()], LEADS, now + timedelta(seconds=30), first.handled)
    assert len(first.show) == 1 and again.show == ()


def test_stale_moments_collapse_into_the_most_urgent() -> None:
    plan = plan_reminders([item()], LEADS, DUE - timedelta(minutes=5), frozenset())
    assert [r.lead_minutes for r in plan.show] == [10]
    assert plan.handled == {reminder_key(item(), m) for m in (60, 30, 10)}


def test_a_moved_due_time_reminds_again() -> None:
    shown = frozenset(reminder_key(item(), 60) for _ in range(1))
    later = item(due=DUE + timedelta(hours=2))
    plan = plan_reminders([later], LEADS, later.due - timedelta(minutes=59), shown)
    assert [r.lead_minutes for r in plan.show] == [60]


def test_next_due_is_the_earliest_even_when_overdue() -> None:
    a, b = item(obligation="a"), item(due=DUE + timedelta(hours=5), obligation="b")
    assert next_due([b, a], DUE - timedelta(hours=1)) == a
    assert next_due([b, a], DUE + timedelta(hours=1)) == a  # overdue and still open: first
    assert next_due([], DUE) is None


def test_a_drill_never_hides_a_real_deadline() -> None:
    drill = DueObligation(2, "Drill", "cac-initial-report", Text("初报", "Initial report"), DUE, drill=True)
    real = item(due=DUE + timedelta(hours=5))
    assert next_due([drill, real], DUE) == real
    assert next_due([drill], DUE) == drill  # only drills open: the drill's, marked as such by the tray


def test_lead_minutes_parse_and_refuse() -> None:
    assert parse_lead_minutes("10, 60,30，0,60") == (60, 30, 10, 0)
    assert parse_lead_minutes([15]) == (15,)
    assert parse_lead_minutes("６０,１０") == (60, 10)  # full-width digits from a Chinese input method
    for bad in ("", "ten", "-5", "20000", [True], "1,2,3,4,5,6,7,8,9", "²", "60,1²"):
        with pytest.raises(ValidationError) as info:
            parse_lead_minutes(bad)
        assert info.value.problems[0].field == "lead_minutes"


def test_old_keys_are_forgotten() -> None:
    keys = {reminder_key(item(), 60), reminder_key(item(due=DUE - timedelta(days=40)), 60), "junk"}
    assert forget_old(keys, DUE) == {reminder_key(item(), 60)}
