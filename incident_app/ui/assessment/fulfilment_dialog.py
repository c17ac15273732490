"""Record what was done outside the tool for one obligation (the officer picked its row, so the
obligation is never typed), and correct a recorded fulfilment or decision with a reason. Both
save through the same services as the ``fulfil`` and ``correct`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from incident_app.domain.assessment.obligations import Obligation
from incident_app.domain.fulfilments import FULFILMENT_CHANNELS
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.assessment.models import local_time
from incident_app.ui.common import DateTimeField, ErrorReporter, JobDialog
from incident_app.ui.common.file_dialogs import ask_open_file
from incident_app.ui.common.screen_fit import fit_to_screen

# The channel offered first for each kind of recipient (the officer can pick any other).
DEFAULT_CHANNEL = {"regulator": "website_12387", "police": "police_station", "eu_authority": "email",
                   "partners": "email", "individuals": "email", "guardians": "letter", "public": "other"}


class FulfilmentDialog(JobDialog):
    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, obligation: Obligation, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id, self.obligation = incident_id, obligation
        self.setWindowTitle(t("fulfil.dialog.title"))
        hint = QLabel(t("fulfil.dialog.hint"))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        title = f"{obligation.title.get(tr.lang)} → {obligation.recipient_detail.get(tr.lang)}"
        if obligation.deadline.due is not None:
            title += "\n" + t("fulfil.dialog.due", due=local_time(obligation.deadline.due))
        self.obligation_label = QLabel(title)
        self.obligation_label.setObjectName("fulfilObligation")
        self.obligation_label.setWordWrap(True)
        self.done_at = DateTimeField(False)  # default now: set when the dialog opens
        self.done_at.retranslate(tr)
        self.channel = QComboBox()
        for channel in FULFILMENT_CHANNELS:
            self.channel.addItem(t(f"fulfil.channel.{channel}"), channel)
        preferred = DEFAULT_CHANNEL.get(obligation.recipient.value, "other")
        self.channel.setCurrentIndex(max(0, self.channel.findData(preferred)))
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(t("fulfil.dialog.reference_hint"))
        self.done_by = QLineEdit(actor)
        self.note = QLineEdit()
        self.file_path: str | None = None
        self.file_label = QLabel(t("fulfil.dialog.no_file"))
        self.file_label.setObjectName("muted")
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton(t("fulfil.dialog.choose"))
        self.choose_button.clicked.connect(self.choose_file)
        self.clear_button = QPushButton(t("fulfil.dialog.clear"))
        self.clear_button.clicked.connect(lambda: self.set_file(None))
        self.clear_button.setEnabled(False)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(hint)
        form.addRow(t("fulfil.dialog.obligation"), self.errors.wrap("obligation_id", self.obligation_label))
        form.addRow(t("fulfil.dialog.done_at"), self.errors.wrap("done_at", self.done_at))
        form.addRow(t("fulfil.dialog.channel"), self.errors.wrap("channel", self.channel))
        form.addRow(t("fulfil.dialog.reference"), self.errors.wrap("reference", self.reference))
        form.addRow(t("fulfil.dialog.done_by"), self.errors.wrap("done_by", self.done_by))
        form.addRow(t("fulfil.dialog.note"), self.errors.wrap("note", self.note))
        form.addRow(t("fulfil.dialog.file"), self.errors.wrap("file", file_row))
        self.finish_layout(body)
        fit_to_screen(self, 620, 420)

    def choose_file(self) -> None:
        path = ask_open_file(self, "attachment", self.tr_.t("fulfil.dialog.pick_title"))
        if path is not None:
            self.set_file(str(path))

    def set_file(self, path: str | None) -> None:
        """Attach ``path`` (or nothing); it is read and hashed when the record is saved."""
        self.file_path = path
        self.file_label.setText(Path(path).name if path else self.tr_.t("fulfil.dialog.no_file"))
        self.clear_button.setEnabled(bool(path))

    def values(self) -> dict[str, Any]:
        """The form as the mapping FulfilmentService.record validates."""
        return {"obligation_id": self.obligation.id, "done_at": self.done_at.value_iso(),
                "channel": self.channel.currentData(), "reference": self.reference.text().strip(),
                "done_by": self.done_by.text().strip(), "note": self.note.text().strip()}

    def job(self) -> JobFn:
        incident_id, values, path = self.incident_id, self.values(), self.file_path
        return lambda s, _p: s.fulfilments.record(incident_id, values, file=path)


class CorrectionDialog(JobDialog):
    """Withdraw one recorded fulfilment or decision; the reason is required and goes in the log."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, target: str, target_id: int, description: str, actor: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id, self.target, self.target_id = incident_id, target, target_id
        self.setWindowTitle(t("correct.dialog.title"))
        hint = QLabel(t("correct.dialog.hint"))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.target_label = QLabel(description)
        self.target_label.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.corrected_by = QLineEdit(actor)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(hint)
        form.addRow(t("correct.dialog.target"), self.errors.wrap("target_id", self.target_label))
        form.addRow(t("correct.dialog.reason"), self.errors.wrap("reason", self.reason))
        form.addRow(t("correct.dialog.corrected_by"), self.errors.wrap("corrected_by", self.corrected_by))
        self.finish_layout(body)
        fit_to_screen(self, 560, 320)

    def job(self) -> JobFn:
        incident_id, target, target_id = self.incident_id, self.target, self.target_id
        reason, who = self.reason.toPlainText().strip(), self.corrected_by.text().strip()
        return lambda s, _p: s.corrections.correct(incident_id, target, target_id, reason, who)
