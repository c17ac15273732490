"""Correct one affected person: the current values masked beside a field for each new value, a
"remove" box beside each value there is, a required reason. Save runs
``services.people.edit_person`` on the worker (the JobDialog pattern); problems appear beside
their fields and nothing is written until every value is valid."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from incident_app.domain.i18n import Translator
from incident_app.domain.people import Person
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.common import ErrorReporter, JobDialog
from incident_app.ui.common.screen_fit import fit_to_screen

TEXT_FIELDS = ("name", "email", "phone", "address", "guardian_name", "guardian_email", "guardian_phone")
LANGUAGES = ("zh-CN", "en")


class PersonEditDialog(JobDialog):
    """The correction form for ``person`` (the real Person: only its masked copy is shown)."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id, self.person_id = incident_id, person.id
        self.setWindowTitle(t("people.edit.title"))
        self.setObjectName("personEditDialog")
        masked = person.masked()
        self.inputs: dict[str, QLineEdit] = {}
        self.clears: dict[str, QCheckBox] = {}  # "remove this value", only where there is one
        body = QWidget()
        outer = QVBoxLayout(body)
        intro = QLabel(t("people.edit.intro"))
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        outer.addLayout(form)
        for field in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"personEdit_{field}")
            edit.setPlaceholderText(t("people.edit.unchanged"))
            self.inputs[field] = edit
            shown = getattr(masked, field)
            row, column = self._with_current(field, shown, edit)
            if shown:
                self.clears[field] = self._clear_box(field, edit, column)
            form.addRow(t(f"people.edit.field.{field}"), row)
        self.language = QComboBox()
        self.language.setObjectName("personEdit_language")
        self.language.addItem(t("people.edit.unchanged"), "")
        for code in LANGUAGES:
            self.language.addItem(code, code)
        form.addRow(t("people.edit.field.language"), self._with_current("language", person.language, self.language)[0])
        self.reason = QLineEdit()
        self.reason.setObjectName("personEdit_reason")
        form.addRow(t("people.edit.reason"), self.errors.wrap("reason", self.reason))
        self.finish_layout(body)
        fit_to_screen(self, 620, 520)

    def _with_current(self, field: str, shown: str | None, widget: QWidget) -> tuple[QWidget, QVBoxLayout]:
        """The input, its (masked) current value underneath and room for its problem."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.errors.wrap(field, widget))
        current = QLabel(self.tr_.t("people.edit.now", value=shown or self.tr_.t("common.none")))
        current.setObjectName("muted")
        current.setProperty("field", field)
        layout.addWidget(current)
        return box, layout

    def _clear_box(self, field: str, edit: QLineEdit, column: QVBoxLayout) -> QCheckBox:
        """A "remove" box: checked, the field is emptied and locked, and saving clears the value."""
        box = QCheckBox(self.tr_.t("people.edit.clear"))
        box.setObjectName(f"personEditClear_{field}")

        def removing(on: bool) -> None:
            if on:
                edit.clear()
            edit.setEnabled(not on)

        box.toggled.connect(removing)
        column.addWidget(box)
        return box

    def current_text(self, field: str) -> str:
        """The masked current value shown for ``field`` (tests and screen readers)."""
        for label in self.findChildren(QLabel):
            if label.property("field") == field:
                return label.text()
        return ""

    def changes(self) -> dict[str, str]:
        """The fields typed into (an empty field means unchanged) and those to remove ("")."""
        typed = {field: edit.text() for field, edit in self.inputs.items() if edit.text().strip()}
        typed |= {field: "" for field, box in self.clears.items() if box.isChecked()}
        if self.language.currentData():
            typed["language"] = str(self.language.currentData())
        return typed

    def job(self) -> JobFn:
        incident_id, person_id = self.incident_id, self.person_id
        changes, reason = self.changes(), self.reason.text()
        return lambda s, _p: s.people.edit_person(incident_id, person_id, changes, reason)
