"""Table models of the Assessment tab: the ENISA factors and the obligations (with live
countdowns: red under one hour, red and bold once overdue; the tooltip gives the source)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from incident_app.domain.assessment.deadlines import DueKind
from incident_app.domain.assessment.obligations import Obligation, ObligationStatus
from incident_app.domain.assessment.severity import Factor
from incident_app.domain.clock import humanize_delta, utc_now
from incident_app.domain.i18n import Translator
from incident_app.ui.common import RowListModel, SortRole
from incident_app.ui.common.times import beijing_time

RED = QColor("#b3261e")
MUTED = QColor("#767676")
AMBER = QColor("#8a5300")
GREEN = QColor("#2e7d32")
URGENT = timedelta(hours=1)
# Source confidence in a neutral slate, never the green of a met obligation (it sits beside the status).
SLATE = QColor("#455a64")
CONFIDENCE_COLOURS = {"confirmed": SLATE, "secondary": AMBER, "unconfirmed": RED}


def local_time(moment: datetime) -> str:
    return beijing_time(moment)


def confidence_label(tr: Translator, confidence: str) -> str:
    """●/◐/? with a word: the confidence marks ✅ and ❓ (docs/legal-basis.md) are emoji that CJK UI fonts lack."""
    return tr.t(f"assess.confidence_short.{confidence}")


def regime_name(tr: Translator, code: str) -> str:
    """A regime in words in the UI language (MIIT-2024 → 工信部数据安全事件应急预案); the code
    itself when the catalog has no words for it."""
    return tr.word("assess.regime", code)


class FactorsModel(RowListModel[Factor]):
    COL_FACTOR, COL_VALUE, COL_RATIONALE, COL_OFFICER, COL_CONFIDENCE = range(5)
    _HEADER_KEYS = ("assess.factor.col.factor", "assess.factor.col.value", "assess.factor.col.rationale",
                    "assess.factor.col.officer", "assess.factor.col.confidence")

    def cell(self, factor: Factor, column: int, role: int) -> Any:
        lang = self._tr.lang
        confidence = factor.citation.confidence.value
        if role == Qt.ItemDataRole.ToolTipRole:
            source = self._tr.t("assess.source", source=factor.citation.source_in(lang),
                                mark=confidence_label(self._tr, confidence))
            return f"{factor.rationale.get(lang)}\n{source}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.COL_CONFIDENCE:
                return QBrush(CONFIDENCE_COLOURS[confidence])
            return None if factor.reviewed else QBrush(AMBER)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (factor.label.get(lang), f"{factor.value:g}", factor.rationale.get(lang), factor.officer_rationale,
                confidence_label(self._tr, confidence))[column]


class ObligationsModel(RowListModel[Obligation]):
    COL_REGIME, COL_RECIPIENT, COL_DUE, COL_COUNTDOWN, COL_STATUS, COL_CONFIDENCE, COL_WHY = range(7)
    _HEADER_KEYS = ("assess.col.regime", "assess.col.recipient", "assess.col.due", "assess.col.countdown",
                    "assess.col.status", "assess.col.confidence", "assess.col.why")

    def __init__(self, tr: Translator, now: Callable[[], datetime] = utc_now, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._now = now

    def tick(self) -> None:
        """The clock moved: repaint the countdowns (and statuses that may have become overdue)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, self.COL_COUNTDOWN), self.index(len(self._rows) - 1, self.COL_STATUS))

    def cell(self, row: Obligation, column: int, role: int) -> Any:
        if role == SortRole:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.COL_CONFIDENCE:
                return QBrush(CONFIDENCE_COLOURS[row.citation.confidence.value])
            return self._foreground(row)
        if role == Qt.ItemDataRole.FontRole and self.status_of(row) == ObligationStatus.OVERDUE:
            font = QFont()
            font.setBold(True)
            return font
        return None

    # -- cell content -----------------------------------------------------------------------
    def status_of(self, row: Obligation) -> ObligationStatus:
        """The status as of the model's clock (an open obligation turns overdue while shown)."""
        due = row.deadline.due
        if row.status.is_open and due is not None and self._now() > due:
            return ObligationStatus.OVERDUE
        return row.status

    def seconds_left(self, row: Obligation) -> float | None:
        clock = row.deadline.clock
        if clock is None or not row.status.is_open:
            return None
        return (clock - self._now()).total_seconds()

    def _display(self, row: Obligation, column: int) -> str:
        lang = self._tr.lang
        if column == self.COL_REGIME:
            return regime_name(self._tr, row.regime.value)
        if column == self.COL_RECIPIENT:
            return self._tr.t(f"assess.recipient.{row.recipient.value}")
        if column == self.COL_DUE:
            return self._due_text(row)
        if column == self.COL_COUNTDOWN:
            return self._countdown_text(row)
        if column == self.COL_STATUS:
            return self._status_text(row)
        if column == self.COL_CONFIDENCE:
            return confidence_label(self._tr, row.citation.confidence.value)
        return row.why.get(lang)

    def _status_text(self, row: Obligation) -> str:
        """Met on time / met late by X where a legal due time exists; otherwise the status."""
        status = self.status_of(row)
        if status == ObligationStatus.MET and row.met_at is not None and row.deadline.due is not None:
            late = row.late_by
            if late is not None:
                return self._tr.t("assess.status.met_late", late=humanize_delta(late))
            return self._tr.t("assess.status.met_on_time")
        return self._tr.t(f"assess.status.{status.value}")

    def _due_text(self, row: Obligation) -> str:
        d = row.deadline
        if d.kind == DueKind.DEADLINE and d.due is not None:
            text = local_time(d.due)
            return text if d.calendar_published else text + " " + self._tr.t("assess.calendar_unpublished")
        if d.kind in (DueKind.IMMEDIATE, DueKind.PROMPT) and d.internal_target is not None:
            return self._tr.t(f"assess.due.{d.kind.value}", target=local_time(d.internal_target))
        return self._tr.t(f"assess.due.{d.kind.value}")

    def _countdown_text(self, row: Obligation) -> str:
        left = self.seconds_left(row)
        if left is None:
            return self._tr.t("common.none")
        text = humanize_delta(timedelta(seconds=left))
        if row.deadline.due is None:
            if left < 0:  # 'internal -1h 15m' read like time left: say the target has passed
                return self._tr.t("assess.countdown.internal_passed",
                                  late=humanize_delta(timedelta(seconds=-left)))
            return self._tr.t("assess.countdown.internal", left=text)
        if left < 0:
            return self._tr.t("assess.countdown.overdue", left=humanize_delta(timedelta(seconds=-left)))
        return text

    def _tooltip(self, row: Obligation, column: int) -> str:
        confidence = row.citation.confidence.value
        source = self._tr.t("assess.source", source=row.citation.source_in(self._tr.lang),
                            mark=confidence_label(self._tr, confidence))
        lines = [row.title.get(self._tr.lang), row.recipient_detail.get(self._tr.lang), source]
        if column == self.COL_CONFIDENCE:
            lines.append(self._tr.t(f"assess.confidence.{confidence}"))
        return "\n".join(lines)

    def _foreground(self, row: Obligation) -> QBrush | None:
        status = self.status_of(row)
        if status == ObligationStatus.MET and row.late_by is not None:
            return QBrush(AMBER)  # done, but the record shows it was late
        if not status.is_open:
            return QBrush(MUTED)
        left = self.seconds_left(row)
        if status == ObligationStatus.OVERDUE or (left is not None and left < URGENT.total_seconds()):
            return QBrush(RED)
        if status == ObligationStatus.NEEDS_JUDGEMENT:
            return QBrush(AMBER)
        return None

    def _sort_value(self, row: Obligation, column: int) -> Any:
        if column in (self.COL_DUE, self.COL_COUNTDOWN):
            clock = row.deadline.clock
            return clock.timestamp() if clock and row.status.is_open else float("inf")
        return self._display(row, column)
