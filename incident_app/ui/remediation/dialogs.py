"""Add or edit a remediation action; add advice for individuals or a remedy the company offers
(both languages, since notices go out in zh-CN and English)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.domain.remediation import ActionKind, ActionStatus, NoteKind, RemediationAction
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.common import DateTimeField, ErrorReporter, JobDialog
from incident_app.ui.common.screen_fit import fit_to_screen


def _combo(tr: Translator, prefix: str, values: Any, current: str) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(tr.t(f"{prefix}.{value.value}"), value.value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class ActionDialog(JobDialog):
    """One action: what, kind, who, status, when due, when done. ``action`` None means new."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, action: RemediationAction | None, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id, self.action_id = incident_id, action.id if action else None
        self.setWindowTitle(t("remediation.action.edit_title" if action else "remediation.action.add_title"))
        self.description = QLineEdit(action.description if action else "")
        self.description_en = QLineEdit(action.description_en if action else "")
        self.kind = _combo(tr, "remediation.kind", ActionKind, action.kind.value if action else "containment")
        self.status = _combo(tr, "remediation.status", ActionStatus, action.status.value if action else "planned")
        self.owner = QLineEdit(action.owner if action else "")
        self.started_field = DateTimeField(True)
        self.due_field, self.done_field = DateTimeField(True), DateTimeField(True)
        for time_field, value in ((self.started_field, action.started_at if action else None),
                                  (self.due_field, action.due_at if action else None),
                                  (self.done_field, action.done_at if action else None)):
            time_field.retranslate(tr)
            time_field.set_value(value)
        body = QWidget()
        form = QFormLayout(body)
        for key, field, widget in (("description", "actions.description", self.description),
                                   ("description_en", "actions.description_en", self.description_en),
                                   ("kind", "actions.kind", self.kind), ("status", "actions.status", self.status),
                                   ("owner", "actions.owner", self.owner),
                                   ("started_at", "actions.started_at", self.started_field),
                                   ("due_at", "actions.due_at", self.due_field),
                                   ("done_at", "actions.done_at", self.done_field)):
            form.addRow(t(f"remediation.action.{key}"), self.errors.wrap(field, widget))
        self.finish_layout(body)
        fit_to_screen(self, 620, 380)

    def values(self) -> dict[str, Any]:
        return {"description": self.description.text().strip(), "description_en": self.description_en.text().strip(),
                "kind": self.kind.currentData(), "status": self.status.currentData(),
                "owner": self.owner.text().strip(), "started_at": self.started_field.value_iso(),
                "due_at": self.due_field.value_iso(), "done_at": self.done_field.value_iso()}

    def job(self) -> JobFn:
        values, incident_id, action_id = self.values(), self.incident_id, self.action_id
        if action_id is None:
            return lambda s, _p: s.remediation.add(incident_id, {"actions": [values]})
        return lambda s, _p: s.remediation.update_action_from(action_id, values)


class DoneDialog(JobDialog):
    """'Mark done' asks when: that time goes into every notice, so it is never stamped silently."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 action: RemediationAction, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        self.action_id = action.id
        self.setWindowTitle(tr.t("remediation.done.title"))
        self.done_field = DateTimeField(False)  # default now (set when the dialog opens)
        self.done_field.retranslate(tr)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(QLabel(action.description))
        form.addRow(tr.t("remediation.done.when"), self.errors.wrap("done_at", self.done_field))
        self.finish_layout(body)

    def job(self) -> JobFn:
        action_id, when = self.action_id, parse_time(self.done_field.value_iso() or "")
        return lambda s, _p: s.remediation.mark_done(action_id, when)


class NoteDialog(JobDialog):
    """Advice (what the person can do) or a remedy (what the company offers), zh-CN and English."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, kind: NoteKind, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id, self.kind = incident_id, kind
        self.setWindowTitle(t(f"remediation.note.add_title.{kind.value}"))
        self.text_zh, self.text_en = QPlainTextEdit(), QPlainTextEdit()
        for edit in (self.text_zh, self.text_en):
            edit.setTabChangesFocus(True)
        self.field = "advice" if kind == NoteKind.ADVICE else "remedies"
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(t("remediation.note.zh"), self.errors.wrap(self.field, self.text_zh))
        form.addRow(t("remediation.note.en"), self.text_en)
        self.finish_layout(body)
        fit_to_screen(self, 560, 320)

    def job(self) -> JobFn:
        entry = {"zh": self.text_zh.toPlainText().strip(), "en": self.text_en.toPlainText().strip()}
        incident_id, field = self.incident_id, self.field
        return lambda s, _p: s.remediation.add(incident_id, {field: [entry]})
