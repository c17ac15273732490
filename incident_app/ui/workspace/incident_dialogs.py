"""Dialogs that change the incident itself: moving its status (a comment is mandatory, it goes in
the log) and correcting its facts (each changed fact is logged with old and new value)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPlainTextEdit, QSplitter, QTabWidget, QWidget

from incident_app.domain.catalog import Catalog
from incident_app.domain.errors import OpenObligationsError, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import BILINGUAL_KEYS, Incident, IncidentStatus
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.common import ErrorReporter, JobDialog
from incident_app.ui.common.job_dialog import ask_yes_no
from incident_app.ui.common.screen_fit import fit_to_screen
from incident_app.ui.intake import CountsForm, DataTypePicker, WhatHappenedForm


def next_status(current: IncidentStatus) -> IncidentStatus:
    """The following step of the workflow (Closed stays Closed)."""
    order = list(IncidentStatus)
    return order[min(order.index(current) + 1, len(order) - 1)]


class StatusDialog(JobDialog):
    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident: Incident, target: IncidentStatus, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        self.incident_id = incident.id
        t = tr.t
        self.setWindowTitle(t("overview.status.dialog_title"))
        self.status = QComboBox()
        for status in IncidentStatus:
            self.status.addItem(t(f"status.{status.value}"), status.value)
        self.status.setCurrentIndex(self.status.findData(target.value))
        self.comment = QPlainTextEdit()
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText(t("overview.status.comment_hint"))
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(t("overview.status.current"), QLabel(t(f"status.{incident.status.value}")))
        form.addRow(t("overview.status.new"), self.status)
        form.addRow(t("overview.status.comment"), self.errors.wrap("comment", self.comment))
        self.finish_layout(body)
        fit_to_screen(self, 520, 300)
        self.comment.setFocus()
        # Set once the officer confirmed closing with obligations still open.
        self.force = False
        self.last_question = ""

    def job(self) -> JobFn:
        incident_id, comment, force = self.incident_id, self.comment.toPlainText(), self.force
        status = IncidentStatus(self.status.currentData())
        return lambda s, _p: s.incidents.change_status(incident_id, status, comment, force=force)

    def _on_failed(self, exc: BaseException, details: str) -> None:
        """Closing with open obligations asks first; confirmed, it closes (the event lists them)."""
        if not isinstance(exc, OpenObligationsError):
            super()._on_failed(exc, details)
            return
        self.busy = False
        self.buttons.setEnabled(True)
        t = self.tr_.t
        self.last_question = t("overview.status.open_obligations", obligations="\n".join(exc.open_ids))
        if ask_yes_no(self, self.reporter, t("overview.status.dialog_title"), self.last_question):
            self.force = True
            self.submit()


class FactsDialog(JobDialog):
    """Edit the intake facts with the wizard's own fields."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident: Incident, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        self.incident_id = incident.id
        self.setWindowTitle(tr.t("overview.facts.dialog_title"))
        self.what = WhatHappenedForm(tr, self.errors)
        self.picker = DataTypePicker(tr)
        self.picker.set_catalog(catalog, incident.facts.data_types)
        self.counts = CountsForm(tr, self.errors)
        self.what.set_facts(incident.facts)
        self.counts.set_facts(incident.facts)
        data = QSplitter()
        data.addWidget(self.errors.wrap("data_types", self.picker))
        data.addWidget(self.counts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.what, tr.t("wizard.page.what.title"))
        self.tabs.addTab(data, tr.t("wizard.page.data.title"))
        self.finish_layout(self.tabs)
        fit_to_screen(self, 1060, 640)

    def values(self) -> dict[str, object]:
        # None is kept: it clears a time the officer now marks as not known.
        values = self.what.values() | {"data_types": self.picker.selected_ids()} | self.counts.values()
        # A bilingual fact carries only the languages the officer changed: the service marks the
        # other language untranslated when one is rewritten, which sending both would defeat.
        for key, field in zip(BILINGUAL_KEYS, self.what.bilingual_fields(), strict=True):
            change = field.changes()
            if change is None:
                values.pop(key, None)
            else:
                values[key] = change
        return values

    def job(self) -> JobFn:
        incident_id, changes = self.incident_id, self.values()
        return lambda s, _p: s.incidents.update_facts(incident_id, changes)

    def show_problems(self, exc: ValidationError) -> None:
        super().show_problems(exc)
        # Bring the tab with the first message to the front.
        first = next((p.field for p in exc.problems if self.errors.owns(p.field)), None)
        self.tabs.setCurrentIndex(1 if first in ("data_types", *CountsForm.FIELDS) else 0)
