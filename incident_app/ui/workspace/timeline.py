"""Timeline: the incident's event log, newest first (time, what, who, summary), and 'Verify chain',
which recomputes the whole log's hash chain on the worker with progress and cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incident_app.domain.i18n import Translator
from incident_app.domain.proof import ChainReport
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.audit import TimelineRow, timeline_rows
from incident_app.services.incidents import format_time
from incident_app.ui.common import Column, ErrorReporter, RecordTableModel, record_table, run_with_progress

TIMELINE_COLUMNS = [
    Column("timeline.col.at", lambda r, tr: format_time(r.at, tr), sort=lambda r: r.seq),
    Column("timeline.col.type", lambda r, _tr: r.type_label, tooltip=lambda r, _tr: r.type),
    Column("timeline.col.actor", lambda r, _tr: r.actor),
    Column("timeline.col.summary", lambda r, _tr: r.summary),
]


def verify_message(report: ChainReport, tr: Translator) -> str:
    """What a verification found, in words: intact, altered at event N, or cannot be checked
    here (the key is missing: never shown as a pass)."""
    if report.ok:
        return tr.t("audit.ok", count=report.checked)
    if report.key_missing:
        return tr.t("audit.key_missing", count=report.checked, where=report.key_location)
    return tr.t("audit.bad", seq=report.first_bad_seq, reason=report.reason)


class TimelineTab(QWidget):
    loaded = Signal()
    verified = Signal(object)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int) -> None:
        super().__init__()
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.model = RecordTableModel(TIMELINE_COLUMNS, tr, self)
        self.table = record_table(self.model, 3)
        self.verify_button = QPushButton()
        self.verify_button.clicked.connect(self.verify_chain)
        self.result = QLabel()
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.verify_button)
        top.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._result_key: tuple[str, ChainReport | None] | None = None  # what the result line says
        self.retranslate()

    def retranslate(self) -> None:
        self.verify_button.setText(self.tr_.t("timeline.verify"))
        if self._result_key is not None:
            kind, report = self._result_key
            self.result.setText(verify_message(report, self.tr_) if report is not None else self.tr_.t(kind))

    def set_translator(self, tr: Translator) -> None:
        """Switch language in place: the labels now, the rows (their summaries are worded in the
        language) reloaded on the worker; the scroll position and the last verification stay."""
        self.tr_ = tr
        self.errors.tr = tr
        self.model.set_translator(tr)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        incident_id, tr = self.incident_id, self.tr_
        self.runner.run(lambda s, __p: timeline_rows(s, incident_id, tr),
                        on_success=self._on_loaded, on_failure=self.errors.show)

    def _on_loaded(self, rows: list[TimelineRow]) -> None:
        self.model.set_rows(rows)
        self.loaded.emit()

    def verify_chain(self) -> None:
        """Recompute every event's hash (the whole log, not only this incident's events)."""
        self.verify_button.setEnabled(False)
        run_with_progress(self, self.runner, self.tr_, self.tr_.t("timeline.verifying"),
                          lambda s, p: s.audit.verify(p), on_success=self._on_verified,
                          on_failure=self._on_verify_failed, on_cancelled=self._on_verify_cancelled)

    def _on_verified(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        self._result_key = ("", report)
        self.result.setText(verify_message(report, self.tr_))
        self.result.setProperty("tone", "ok" if report.ok else "warn" if report.key_missing else "alert")
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.verified.emit(report)

    def _on_verify_failed(self, exc: BaseException, details: str) -> None:
        self.verify_button.setEnabled(True)
        self.errors.show(exc, details, retry=self.verify_chain)

    def _on_verify_cancelled(self) -> None:
        self.verify_button.setEnabled(True)
        self._result_key = ("timeline.verify_cancelled", None)
        self.result.setText(self.tr_.t("timeline.verify_cancelled"))
