"""Deadline clocks counting down: red under one hour, 'overdue' once passed, the legal source and
its confidence mark on hover. Fed with plain DeadlineClock objects; ticks once a second."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from incident_app.domain.clock import humanize_delta, utc_now
from incident_app.domain.i18n import Translator
from incident_app.services.incidents import DeadlineClock, format_time

RED_UNDER = timedelta(hours=1)
CONFIDENCE_KEYS = {"confirmed": "overview.confidence.confirmed", "secondary": "overview.confidence.secondary",
                   "unconfirmed": "overview.confidence.unconfirmed"}
# Text marks: the fact base's ✅ and ❓ are emoji that the CJK UI fonts lack. No check mark: a ✔
# beside '已逾期 8h' reads as done, so how well a rule is sourced never looks like a status.
CONFIDENCE_MARKS = {"confirmed": "●", "secondary": "◐", "unconfirmed": "?"}


@dataclass(frozen=True)
class ClockState:
    """What one clock shows right now: countdown text and tone (normal, alert, overdue, done)."""

    text: str
    tone: str


def clock_state(clock: DeadlineClock, now: datetime, tr: Translator) -> ClockState:
    if clock.done:
        if clock.late_by is not None:
            return ClockState(tr.t("overview.clock.met_late", delta=humanize_delta(clock.late_by)), "done")
        return ClockState(tr.t("overview.clock.met_on_time" if clock.on_time else "overview.clock.done"), "done")
    if clock.due is None:
        return ClockState(tr.t("overview.clock.immediately"), "alert")
    left = clock.due - now
    if left < timedelta(0):
        return ClockState(tr.t("overview.clock.overdue", delta=humanize_delta(-left)), "overdue")
    if left < RED_UNDER:
        minutes, seconds = divmod(int(left.total_seconds()), 60)
        return ClockState(tr.t("overview.clock.left", delta=f"{minutes}:{seconds:02d}"), "alert")
    return ClockState(tr.t("overview.clock.left", delta=humanize_delta(left)), "normal")


def clock_tooltip(clock: DeadlineClock, tr: Translator) -> str:
    confidence = tr.t(CONFIDENCE_KEYS.get(clock.confidence, "overview.confidence.unconfirmed"))
    mark = CONFIDENCE_MARKS.get(clock.confidence, "?")
    lines = [tr.t("overview.clock.source", source=clock.source, mark=mark, confidence=confidence)]
    lines.append(tr.t("overview.clock.due", due=format_time(clock.due, tr) if clock.due
                      else tr.t("overview.clock.immediately")))
    if clock.recipient:
        lines.append(tr.t("overview.clock.recipient", recipient=clock.recipient))
    return "\n".join(lines)


class DeadlineClockList(QWidget):
    def __init__(self, tr: Translator, now: Callable[[], datetime] = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr_, self._now = tr, now
        self._clocks: list[DeadlineClock] = []
        self._rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self.empty = QLabel(tr.t("overview.clocks.empty"))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 1)
        self.grid.setHorizontalSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.update_countdowns)

    def set_clocks(self, clocks: Sequence[DeadlineClock]) -> None:
        """Show ``clocks`` (soonest first) and start ticking when there is something to count."""
        for row in self._rows:
            for label in row:
                label.deleteLater()
        self._clocks = sorted(clocks, key=_due_order)
        self._rows = [self._add_row(n, c) for n, c in enumerate(self._clocks)]
        self.empty.setVisible(not self._clocks)
        self.update_countdowns()
        if self._clocks:
            self.timer.start()
        else:
            self.timer.stop()

    def _add_row(self, row: int, clock: DeadlineClock) -> tuple[QLabel, QLabel, QLabel]:
        tip = clock_tooltip(clock, self.tr_)
        mark = CONFIDENCE_MARKS.get(clock.confidence, "?")
        name = QLabel(f"{clock.label} <span style='color:#6b7280'>{mark}</span>")
        name.setWordWrap(True)
        due = QLabel(format_time(clock.due, self.tr_) if clock.due else "")
        due.setObjectName("muted")
        countdown = QLabel()
        countdown.setObjectName("countdown")
        countdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for column, label in enumerate((name, due, countdown)):
            label.setToolTip(tip)
            self.grid.addWidget(label, row, column)
        return name, due, countdown

    def update_countdowns(self) -> None:
        now = self._now()
        for clock, (_name, _due, countdown) in zip(self._clocks, self._rows, strict=True):
            state = clock_state(clock, now, self.tr_)
            countdown.setText(state.text)
            if countdown.property("tone") != state.tone:
                countdown.setProperty("tone", state.tone)
                countdown.style().unpolish(countdown)
                countdown.style().polish(countdown)

    def shown_rows(self) -> list[tuple[str, str, str]]:
        """(label, countdown, tone) per row, as displayed (for tests and accessibility)."""
        rows = zip(self._clocks, self._rows, strict=True)
        return [(c.label, r[2].text(), str(r[2].property("tone"))) for c, r in rows]


def _due_order(clock: DeadlineClock) -> tuple[int, float]:
    # Immediate obligations first, then by due time; finished ones last.
    if clock.done:
        return (2, 0.0)
    return (0, 0.0) if clock.due is None else (1, clock.due.timestamp())
