"""Base for the small editing dialogs: Save runs a job on the worker; validation problems appear
beside their fields and the dialog stays open with everything typed; success emits ``saved``.

Dialogs are opened with ``open()`` (window-modal, non-blocking), so tests drive them directly."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.common.errors import ErrorReporter
from incident_app.ui.common.forms import FieldErrors
from incident_app.ui.common.problems import problem_text


class JobDialog(QDialog):
    saved = Signal(object)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.reporter = runner, tr, errors
        self.errors = FieldErrors()
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr.t("workspace.save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr.t("workspace.cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.busy = False
        # Closing frees the dialog; it cannot close while its job runs (see reject), so a result
        # never arrives at a deleted dialog.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finish_layout(self, body: QWidget) -> None:
        """Lay out ``body``, the general message and the buttons."""
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def job(self) -> JobFn:
        """The work Save does, built from the fields (subclasses implement)."""
        raise NotImplementedError

    def submit(self) -> None:
        """Save: run the job; stay open on validation problems."""
        if self.busy:
            return
        self.busy = True
        self.buttons.setEnabled(False)
        self.runner.run(self.job(), on_success=self._on_saved, on_failure=self._on_failed)

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def _on_saved(self, result: Any) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def _on_failed(self, exc: BaseException, details: str) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_problems(exc)
        else:
            self.reporter.show(exc, details, retry=self.submit)

    def show_problems(self, exc: ValidationError) -> None:
        unplaced = self.errors.show(exc.problems, self.tr_)
        text = "\n".join(f"{p.field}: {problem_text(p, self.tr_)}" for p in unplaced)
        self.general_error.setText(text)
        self.general_error.setVisible(bool(text))


def ask_yes_no(parent: QWidget, reporter: ErrorReporter, title: str, text: str) -> bool:
    """A yes/no question; when the reporter is not interactive (tests) the answer is yes."""
    if not reporter.interactive:
        return True
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes
