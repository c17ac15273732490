"""The register's metrics panel: the figures a regulator and management ask for (drills left
out), a bar chart of causes drawn with QPainter (pyside6-essentials has no QtCharts), and the
button that exports the register. Loading and exporting run in the register's helper process
(services/register/helper.py), started by a job: neither the UI thread nor a thread of the GUI
process computes them.

Embed it beside or above the register table: ``MetricsPanel(runner, tr)``, then ``refresh()``
whenever the register reloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.i18n import Translator
from incident_app.domain.register import DurationSummary, RegisterMetrics
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.register import RegisterFormat, format_from_path
from incident_app.services.register.helper import HelperFailedError, export_off_process, metrics_off_process
from incident_app.services.register.metrics import kept_metrics
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.file_dialogs import ask_save_file
from incident_app.ui.common.times import beijing_time

ChoosePath = Callable[[QWidget, str], str]


class BarChart(QWidget):
    """Horizontal bars with their labels and values; long Chinese labels fit on the left."""

    BAR_COLOR = QColor("#2f6fb0")
    ROW_HEIGHT = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, int]] = []
        self.setMinimumHeight(self.ROW_HEIGHT * 3)

    def set_bars(self, bars: Sequence[tuple[str, int]]) -> None:
        self.bars = list(bars)
        self.setMinimumHeight(self.ROW_HEIGHT * max(3, len(self.bars)) + 8)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, self.minimumHeight())

    def bar_rects(self) -> list[QRectF]:
        """Where each bar is drawn (also what the tests check)."""
        label_width = min(self.width() * 0.4, 160.0)
        value_width = 48.0
        span = max(1.0, self.width() - label_width - value_width - 12)
        top = max((v for _, v in self.bars), default=0) or 1
        return [QRectF(label_width + 6, 4 + i * self.ROW_HEIGHT + 3, span * value / top, self.ROW_HEIGHT - 6)
                for i, (_, value) in enumerate(self.bars)]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().color(self.foregroundRole())
        for (label, value), rect in zip(self.bars, self.bar_rects(), strict=True):
            row = QRectF(0, rect.top() - 3, rect.left() - 10, self.ROW_HEIGHT)
            painter.setPen(text_color)
            painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            painter.fillRect(rect, self.BAR_COLOR)
            number = QRectF(rect.right() + 4, rect.top() - 3, 44, self.ROW_HEIGHT)
            painter.drawText(number, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(value))
        painter.end()


def _default_choose_path(parent: QWidget, title: str) -> str:
    path, _ = ask_save_file(parent, "register", title, "breach-register.xlsx",
                            "Excel (*.xlsx);;CSV (*.csv);;JSON (*.json)")
    return str(path) if path is not None else ""


CLOCK_REFRESH_MAX_S = 3600


def _no_status(_tr: Translator) -> str:
    return ""


class MetricsPanel(QWidget):
    """Figures, cause chart and the export button of the breach register."""

    metrics_loaded = Signal(object)
    kept_shown = Signal(object)  # the last run's figures, shown until the current ones arrive
    register_exported = Signal(str)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, parent: QWidget | None = None,
                 choose_path: ChoosePath = _default_choose_path) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self._choose_path = runner, tr, choose_path
        self.errors = ErrorReporter(self, tr)
        self.metrics: RegisterMetrics | None = None
        # Metrics assess every incident (seconds for 10,000): one run at a time, and refreshes
        # asked for meanwhile become one more run, so the register's own jobs are not crowded out.
        self._running = False
        self._again = False
        self._status: Callable[[Translator], str] = _no_status  # the status line, in any language
        # The figures change without any record changing when an open obligation's due time
        # passes (pending -> overdue, the on-time share drops): refreshed then.
        self.clock_timer = QTimer(self)
        self.clock_timer.setSingleShot(True)
        self.clock_timer.timeout.connect(self.refresh)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setObjectName("metricsHeading")
        self.values = {key: QLabel() for key in ("incidents", "occurrence", "regulator", "individuals", "on_time",
                                                     "enquiries")}
        self.captions = {key: QLabel() for key in self.values}
        form = QFormLayout()
        # The panel is narrow (beside the register): long values wrap instead of being cut off.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, value in self.values.items():
            value.setObjectName(f"metric_{key}")
            value.setWordWrap(True)
            self.captions[key].setWordWrap(True)
            form.addRow(self.captions[key], value)
        self.chart_title = QLabel()
        self.chart = BarChart()
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportRegister")
        self.export_button.clicked.connect(self.export)
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart)
        layout.addLayout(bottom)
        layout.addStretch(1)  # keep the figures together at the top instead of spread over the height

    def retranslate(self) -> None:
        t = self.tr_.t
        self.heading.setText(t("proof.metrics.heading"))
        for key, caption in self.captions.items():
            caption.setText(t(f"proof.metrics.{key}"))
        self.chart_title.setText(t("proof.metrics.causes"))
        self.export_button.setText(t("proof.register.export"))
        if self.metrics is not None:
            self._show(self.metrics)
        self.status.setText(self._status(self.tr_))

    def set_translator(self, tr: Translator) -> None:
        self.tr_ = tr
        self.errors.tr = tr
        self.retranslate()

    # -- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the metrics on a worker (after the run in progress, if there is one)."""
        if self._running:
            self._again = True
            return
        self._running = True
        if self.metrics is None:
            # The first run: the figures kept from the last one (one small read) are shown at once,
            # marked as of their time, while the current ones are computed.
            self._set_status(lambda tr: tr.t("register.metrics.computing"))
            self.runner.run(lambda services, _p: kept_metrics(services), on_success=self._on_kept_metrics,
                            on_failure=lambda _exc, _details: None)  # the real run reports any failure
        # In a helper process (services/register/helper.py): this thread only waits on its pipe.
        self.runner.run(lambda services, _p: metrics_off_process(services),
                        on_success=self._on_metrics_loaded, on_failure=self._on_metrics_failed)

    def _on_kept_metrics(self, kept: RegisterMetrics | None) -> None:
        if kept is None or self.metrics is not None:  # none kept, or the current ones came first
            return
        as_of = beijing_time(kept.as_of)
        self._set_status(lambda tr: tr.t("register.metrics.kept", time=as_of))
        self._show(kept)
        self.kept_shown.emit(kept)

    def _on_metrics_loaded(self, result: tuple[RegisterMetrics, HelperFailedError | None]) -> None:
        metrics, fell_back = result
        self.metrics = metrics
        # The helper failed: the figures are right (computed in the app), the officer is told why
        # the window may have been slow.
        self._set_status(lambda tr: helper_failure_text(tr, fell_back) if fell_back else "")
        self._show(metrics)
        self._schedule_clock_refresh(metrics)
        self.metrics_loaded.emit(metrics)
        self._run_again_if_asked()

    def _set_status(self, text: Callable[[Translator], str]) -> None:
        # Kept as a function of the language, so a language switch retranslates it too.
        self._status = text
        self.status.setText(text(self.tr_))

    def _schedule_clock_refresh(self, m: RegisterMetrics) -> None:
        self.clock_timer.stop()
        if m.changes_at is None or m.as_of is None:
            return
        # Just after the due time (overdue is strictly after it); at most an hour ahead (a timer's
        # range is limited, and a suspended laptop's timers run late: the next refresh re-plans).
        wait = (m.changes_at - m.as_of).total_seconds() + 1
        self.clock_timer.start(int(min(max(wait, 1), CLOCK_REFRESH_MAX_S) * 1000))

    def _on_metrics_failed(self, exc: BaseException, details: str) -> None:
        self.errors.show(exc, details)
        self._run_again_if_asked()

    def _run_again_if_asked(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.refresh()

    def _show(self, m: RegisterMetrics) -> None:
        t = self.tr_.t
        self.values["incidents"].setText(t("proof.metrics.incidents_value", count=m.incidents,
                                           drills=m.drills_excluded))
        self.values["occurrence"].setText(self._duration(m.occurrence_to_discovery))
        self.values["regulator"].setText(self._duration(m.discovery_to_regulator_report))
        self.values["individuals"].setText(self._duration(m.discovery_to_individual_notice))
        share = t("common.none") if m.on_time_share is None else t(
            "proof.metrics.on_time_value", percent=f"{m.on_time_share * 100:.0f}", on_time=m.obligations_on_time,
            decided=m.obligations_decided)
        self.values["on_time"].setText(share)
        self.values["enquiries"].setText(self._enquiries(m))
        self.chart.set_bars([(t(f"proof.cause.{cause.value}"), count) for cause, count in m.causes])

    def _enquiries(self, m: RegisterMetrics) -> str:
        e = m.enquiries
        if not e or not e.get("total"):
            return self.tr_.t("common.none")
        hours, on_time = e.get("median_reply_hours"), e.get("on_time_share")
        median = self.tr_.t("common.none") if hours is None else self._hours_text(float(hours))
        share = self.tr_.t("common.none") if on_time is None else f"{float(on_time) * 100:.0f}%"
        return self.tr_.t("proof.metrics.enquiries_value", median=median, share=share,
                          overdue=f"{int(e.get('overdue', 0)):,}", total=f"{int(e['total']):,}")

    def _duration(self, d: DurationSummary) -> str:
        if d.median_hours is None or d.max_hours is None:
            return self.tr_.t("common.none")
        return self.tr_.t("proof.metrics.duration_value", median=self._hours_text(d.median_hours),
                          longest=self._hours_text(d.max_hours), count=d.count)

    def _hours_text(self, hours: float) -> str:
        if hours >= 48:
            return self.tr_.t("proof.metrics.days", value=f"{hours / 24:.1f}")
        return self.tr_.t("proof.metrics.hours", value=f"{hours:.1f}")

    def export(self) -> None:
        """Ask where to save (the suffix picks the format) and export on a worker."""
        chosen = self._choose_path(self, self.tr_.t("proof.register.export_title"))
        if not chosen:
            return
        path = Path(chosen)
        fmt = format_from_path(path)
        if fmt is None:  # no known suffix: Excel, the officer's usual tool
            fmt, path = RegisterFormat.XLSX, path.with_suffix(".xlsx")
        self.runner.run(_export_job(path, fmt), on_success=self._on_exported, on_failure=self.errors.show)

    def _on_exported(self, path: Any) -> None:
        self._set_status(lambda tr: tr.t("proof.register.exported", path=str(path)))
        self.register_exported.emit(str(path))


def helper_failure_text(tr: Translator, failure: HelperFailedError) -> str:
    """Why the figures were computed in the app itself (the helper process failed), plainly."""
    return tr.t(f"register.helper.{failure.reason}", detail=failure.detail)


def _export_job(path: Path, fmt: RegisterFormat) -> Callable[[Any, Any], str]:
    def job(services: Any, _progress: Any) -> str:
        return export_off_process(services, path, fmt)

    return job
