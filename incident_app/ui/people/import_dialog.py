"""Importing a CSV/XLSX of affected people: pick the file, check (and correct) which field each
column feeds against masked sample values, then import on a worker with progress and cancel.

The import is all-or-nothing in the service: cancel or failure leaves the database as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.people import FIELDS
from incident_app.jobs.runner import JobHandle, JobRunner, SyncJobRunner
from incident_app.services.people import DiskFull
from incident_app.services.progress import Cancelled, ProgressSnapshot
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.file_dialogs import ask_open_file
from incident_app.ui.common.screen_fit import fit_to_screen

SAMPLE_COLUMNS = 3
W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


class ImportDialog(QDialog):
    """File pick -> mapping preview the officer can correct -> import with progress/cancel."""

    preview_loaded = Signal()
    imported = Signal(object)
    import_ended = Signal(str)  # "done", "cancelled", "rejected" or "failed"

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.tr_ = tr
        self.incident_id = incident_id
        self.errors = ErrorReporter(self, tr)
        self.path: Path | None = None
        self.combos: dict[str, QComboBox] = {}
        self.handle: JobHandle | None = None
        self.result: Any = None
        self._build()
        self.setWindowTitle(tr.t("people.dialog.title"))
        fit_to_screen(self, 860, 560)

    def _build(self) -> None:
        t = self.tr_.t
        self.file_edit = _named(QLineEdit(), "importFile")
        self.file_edit.setReadOnly(True)
        self.choose_button = _named(QPushButton(t("people.dialog.choose")), "importChoose")
        self.choose_button.clicked.connect(self._on_choose_clicked)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("people.dialog.file")))
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.choose_button)
        self.detected = _named(QLabel(), "importDetected")
        self.detected.setWordWrap(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.replace = _named(QCheckBox(t("people.dialog.replace")), "importReplace")
        self.progress = _named(QProgressBar(), "importProgress")
        self.progress.setVisible(False)
        self.status = _named(QLabel(), "importStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.start_button = _named(QPushButton(t("people.dialog.start")), "importStart")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_import)
        self.cancel_button = _named(QPushButton(t("people.dialog.cancel_import")), "importCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.close_button = _named(QPushButton(t("people.dialog.close")), "importClose")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.detected)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.replace)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # -- file and preview -------------------------------------------------------------------
    def _on_choose_clicked(self) -> None:
        path = ask_open_file(self, "people", self.tr_.t("people.dialog.title"), self.tr_.t("people.dialog.filter"))
        if path is not None:
            self.load_preview(path)

    def load_preview(self, path: Path) -> None:
        """Read the header and a few masked rows on a worker; show the suggested mapping."""
        self.path = path
        self.file_edit.setText(str(path))
        self._clear_grid()  # the previous file's mapping must not be imported against this one
        self.start_button.setEnabled(False)
        self.status.setText(self.tr_.t("people.dialog.reading"))
        self.runner.run(lambda services, _p: services.people.preview(path),
                        on_success=self._on_preview_loaded, on_failure=self._on_failed)

    def _on_preview_loaded(self, preview: Any) -> None:
        t = self.tr_.t
        self.detected.setText(t("people.dialog.detected", kind=preview.kind.upper(), encoding=preview.encoding))
        self._clear_grid()
        for column, key in enumerate(("people.dialog.column", "people.dialog.field", "people.dialog.sample")):
            header = QLabel(f"<b>{t(key)}</b>")
            self.grid.addWidget(header, 0, column)
        for number, header in enumerate(preview.headers, start=1):
            self.grid.addWidget(QLabel(header or "—"), number, 0)
            combo = self._field_combo(preview.mapping.get(header))
            self.combos[header] = combo
            self.grid.addWidget(combo, number, 1)
            samples = [row[number - 1] for row in preview.rows[:SAMPLE_COLUMNS] if number - 1 < len(row)]
            self.grid.addWidget(QLabel(" | ".join(s for s in samples if s)), number, 2)
        self.status.setText("")
        self.start_button.setEnabled(True)
        self.preview_loaded.emit()

    def _field_combo(self, field: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr_.t("people.dialog.ignore"), None)
        for name in FIELDS:
            combo.addItem(self.tr_.t(f"people.field.{name}"), name)
        combo.setCurrentIndex(combo.findData(field) if field else 0)
        return combo

    def _clear_grid(self) -> None:
        self.combos.clear()
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def mapping(self) -> dict[str, str | None]:
        """Header -> field as the officer left the combo boxes."""
        return {header: combo.currentData() for header, combo in self.combos.items()}

    # -- import -----------------------------------------------------------------------------
    def start_import(self) -> None:
        """Run the import on a worker; progress and cancel stay live in the dialog."""
        if self.path is None:
            return
        path, mapping, replace = self.path, self.mapping(), self.replace.isChecked()
        incident = self.incident_id
        self._set_running(True)
        self.handle = self.runner.run(
            lambda services, progress: services.people.import_file(incident, path, progress, mapping,
                                                                   replace=replace),
            on_success=self._on_imported, on_failure=self._on_failed, on_progress=self._on_progress)

    def cancel_import(self) -> None:
        if self.handle is not None:
            self.handle.progress.cancel()

    def _on_progress(self, snap: ProgressSnapshot) -> None:
        if snap.total:
            self.progress.setMaximum(1000)
            self.progress.setValue(int(1000 * min(snap.done / snap.total, 1.0)))
        self.status.setText(self.tr_.t("people.dialog.progress", rows=snap.message or "0"))

    def _on_imported(self, result: Any) -> None:
        self._set_running(False)
        self.progress.setValue(self.progress.maximum())
        self.result = result
        s = result.summary
        self.status.setText(self.tr_.t(
            "people.dialog.done", imported=f"{result.imported:,}", merged=f"{result.duplicates_merged:,}",
            rejected=f"{result.rejected_rows:,}", dropped=f"{result.fields_dropped:,}",
            warnings=f"{result.warnings:,}", minors=f"{s.minors:,}", children=f"{s.children:,}",
            teens=f"{s.teens:,}", unreachable=f"{s.unreachable:,}",
            report=str(result.report_path)))
        self.start_button.setEnabled(False)
        self.imported.emit(result)
        self.import_ended.emit("done")

    def _on_failed(self, exc: BaseException, details: str) -> None:
        self._set_running(False)
        # A file refused at the preview offers no import; after a failed import it may be retried.
        self.start_button.setEnabled(bool(self.combos))
        if isinstance(exc, Cancelled):
            self.status.setText(self.tr_.t("people.dialog.cancelled"))
            self.import_ended.emit("cancelled")
        elif isinstance(exc, ValidationError):
            # The same problems the command line prints (row, field, what to do).
            problems = "\n".join(f"• {p}" for p in exc.problems)
            self.status.setText(self.tr_.t("people.dialog.rejected", problems=problems))
            self.import_ended.emit("rejected")
        elif isinstance(exc, DiskFull):
            self.status.setText(self.tr_.t("people.dialog.disk_full"))
            self.import_ended.emit("failed")
        else:
            self.status.setText("")
            self.errors.show(exc, details)
            self.import_ended.emit("failed")

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(True)
        if running:
            self.progress.setValue(0)
        self.start_button.setEnabled(not running)
        self.choose_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)

    def closeEvent(self, event: Any) -> None:
        # Closing while an import runs cancels it: nothing is left half-written.
        self.cancel_import()
        super().closeEvent(event)
