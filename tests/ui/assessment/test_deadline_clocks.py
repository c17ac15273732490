"""Deadline clocks: count down, turn red under one hour, say 'overdue' once passed, and show the
legal source with its confidence mark on hover."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.services.incidents.overview import DeadlineClock
from incident_app.services.resources import load_messages
from incident_app.ui.assessment.deadline_clocks import ClockState, DeadlineClockList, clock_state, clock_tooltip

NOW = parse_time("2026-11-20T12:00:00+08:00")
TR = Translator(load_messages(), "zh-CN")


def clock(minutes: float | None, **extra: object) -> DeadlineClock:
    due = None if minutes is None else NOW + timedelta(minutes=minutes)
    return DeadlineClock(label=f"clock {minutes}", due=due, source="CAC 2025 Art. 6", confidence="confirmed", **extra)  # type: ignore[arg-type]


def test_states_by_time_left() -> None:
    assert clock_state(clock(185), NOW, TR) == ClockState("剩余 3h 05m", "normal")
    assert clock_state(clock(59.5), NOW, TR) == ClockState("剩余 59:30", "alert")
    assert clock_state(clock(-20), NOW, TR) == ClockState("已逾期 0h 20m", "overdue")
    assert clock_state(clock(None), NOW, TR) == ClockState("立即", "alert")
    assert clock_state(clock(-20, done=True), NOW, TR) == ClockState("已完成", "done")
    assert clock_state(clock(-20, done=True, on_time=True), NOW, TR) == ClockState("按时完成", "done")
    assert clock_state(clock(-20, done=True, late_by=timedelta(hours=1, minutes=10)), NOW, TR) == ClockState(
        "逾期完成（晚 1h 10m）", "done")


def test_tooltip_names_the_legal_source_and_confidence() -> None:
    tip = clock_tooltip(DeadlineClock("report", NOW, "GDPR Art. 33", "secondary", recipient="regulator"), TR)
    assert "法律依据：GDPR Art. 33（◐ 仅二手来源）" in tip
    assert "2026-11-20 12:00" in tip and "regulator" in tip


def test_widget_orders_ticks_and_colours(qtbot: QtBot) -> None:
    now = [NOW]
    widget = DeadlineClockList(TR, now=lambda: now[0])
    qtbot.addWidget(widget)
    widget.set_clocks([clock(120), clock(None), clock(30)])
    assert [r[0] for r in widget.shown_rows()] == ["clock None", "clock 30", "clock 120"]
    assert [r[2] for r in widget.shown_rows()] == ["alert", "alert", "normal"]
    assert widget.timer.isActive() and not widget.empty.isVisibleTo(widget)
    now[0] = NOW + timedelta(minutes=90)
    widget.update_countdowns()
    assert widget.shown_rows()[1][1:] == ("已逾期 1h 00m", "overdue")
    assert widget.shown_rows()[2][1:] == ("剩余 30:00", "alert")
    assert "CAC 2025 Art. 6" in widget.grid.itemAtPosition(0, 2).widget().toolTip()
    widget.set_clocks([])
    assert not widget.timer.isActive() and widget.empty.isVisibleTo(widget)
