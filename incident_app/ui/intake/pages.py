"""The four pages of the intake wizard. Each page validates through the domain validators when
the officer presses Next and shows the messages under the fields it owns."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.remediation import ActionStatus, parse_remediation
from incident_app.services.incidents import DeadlineClock, format_time, plain_summary
from incident_app.ui.common import Column, DateTimeField, FieldErrors, RecordTableModel
from incident_app.ui.intake.data_type_picker import DataTypePicker
from incident_app.ui.intake.forms import CountsForm, WhatHappenedForm

if TYPE_CHECKING:
    from incident_app.domain.catalog import Catalog
    from incident_app.domain.incident import IntakeFacts


class WizardHost(Protocol):
    """What the pages ask of the wizard that holds them. A protocol rather than the wizard class, so
    the pages do not import the wizard module that imports them."""

    catalog: Catalog | None
    containment: ContainmentPage

    def validate_facts(self, errors: FieldErrors) -> bool: ...

    def parsed_facts(self) -> IntakeFacts | None: ...

    def preview_clocks(self, facts: IntakeFacts) -> list[DeadlineClock]: ...

PRESET_COUNT = 6


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class _Page(QWizardPage):
    def __init__(self, tr: Translator, key: str) -> None:
        super().__init__()
        self.tr_ = tr
        self.errors = FieldErrors()
        self.setTitle(tr.t(f"wizard.page.{key}.title"))
        self.setSubTitle(tr.t(f"wizard.page.{key}.subtitle"))

    def intake_wizard(self) -> WizardHost:
        return self.wizard()  # type: ignore[return-value]


class WhatHappenedPage(_Page):
    def __init__(self, tr: Translator) -> None:
        super().__init__(tr, "what")
        self.form = WhatHappenedForm(tr, self.errors)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_scrolled(self.form))

    def validatePage(self) -> bool:
        return self.intake_wizard().validate_facts(self.errors)


class DataPeoplePage(_Page):
    def __init__(self, tr: Translator) -> None:
        super().__init__(tr, "data")
        self.picker = DataTypePicker(tr)
        self.counts = CountsForm(tr, self.errors)
        left = self.errors.wrap("data_types", self.picker)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(_scrolled(self.counts))
        splitter.setSizes([560, 440])
        # QWizard gives a page only its preferred height unless something in it expands.
        splitter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def values(self) -> dict[str, Any]:
        return {"data_types": self.picker.selected_ids()} | self.counts.values()

    def validatePage(self) -> bool:
        return self.intake_wizard().validate_facts(self.errors)


def _action_columns() -> list[Column]:
    return [
        Column("wizard.containment.col.description", lambda a, _tr: a["description"]),
        Column("wizard.containment.col.owner", lambda a, _tr: a.get("owner", "")),
        Column("wizard.containment.col.status", lambda a, tr: tr.t(f"remediation.status.{a['status']}")),
        Column("wizard.containment.col.time", lambda a, _tr: _short_time(a.get("done_at") or a.get("started_at"))),
    ]


def _short_time(iso: str | None) -> str:
    # The page writes times as 'YYYY-MM-DDTHH:MM:00+08:00' (Beijing time): show date and minutes.
    return iso[:16].replace("T", " ") if iso else ""


class ContainmentPage(_Page):
    """Actions already taken (or under way) to stop the leak; saved as remediation actions."""

    def __init__(self, tr: Translator) -> None:
        super().__init__(tr, "containment")
        t = tr.t
        self.description = QComboBox()
        self.description.setEditable(True)
        self.description.addItem("")
        for n in range(1, PRESET_COUNT + 1):
            self.description.addItem(t(f"wizard.containment.preset.{n}"))
        editor = self.description.lineEdit()
        if editor is not None:
            editor.setPlaceholderText(t("wizard.containment.hint"))
        self.owner = QLineEdit(placeholderText=t("wizard.containment.owner_hint"))
        self.status = QComboBox()
        for status in (ActionStatus.DONE, ActionStatus.IN_PROGRESS):
            self.status.addItem(t(f"remediation.status.{status.value}"), status.value)
        self.when = DateTimeField(True)
        self.when.retranslate(tr)
        self.add_button = QPushButton(t("wizard.containment.add"))
        self.add_button.clicked.connect(self.add_current)
        self.remove_button = QPushButton(t("wizard.containment.remove"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.model = RecordTableModel(_action_columns(), tr, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._lay_out()

    def _lay_out(self) -> None:
        t = self.tr_.t
        form = QFormLayout()
        form.addRow(t("wizard.containment.description"), self.errors.wrap("actions.description", self.description))
        form.addRow(t("wizard.containment.owner"), self.owner)
        form.addRow(t("wizard.containment.status"), self.status)
        form.addRow(t("wizard.containment.time"), self.errors.wrap("actions.done_at", self.when))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

    def drafts(self) -> list[dict[str, Any]]:
        return self.model.records()

    def _current(self) -> dict[str, Any]:
        status = self.status.currentData()
        # Work under way has a start time, not a due time: a due time in the past would show it overdue.
        time_key = "done_at" if status == ActionStatus.DONE.value else "started_at"
        action = {"description": self.description.currentText().strip(), "owner": self.owner.text().strip(),
                  "kind": "containment", "status": status, time_key: self.when.value_iso()}
        return {k: v for k, v in action.items() if v is not None}

    def add_current(self) -> bool:
        """Add the action in the form to the list; False (message shown) when it is incomplete."""
        action = self._current()
        try:
            parse_remediation([action])
        except ValidationError as exc:
            self.errors.show(exc.problems, self.tr_)
            return False
        self.errors.clear()
        self.model.set_rows([*self.drafts(), action])
        self.description.setCurrentIndex(0)
        self.description.setEditText("")
        self.owner.clear()
        self.when.set_value(None)  # the next action's time is its own, never the previous one's
        return True

    def _on_remove_clicked(self) -> None:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        self.model.set_rows([a for n, a in enumerate(self.drafts()) if n not in rows])

    def validatePage(self) -> bool:
        # An action typed but not added is what the officer meant to keep.
        return not self.description.currentText().strip() or self.add_current()


class ReviewPage(_Page):
    """A plain-language summary and the first obligations, before one Finish saves it all."""

    def __init__(self, tr: Translator) -> None:
        super().__init__(tr, "review")
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.obligations = QLabel()
        self.obligations.setWordWrap(True)
        self.obligations.setTextFormat(Qt.TextFormat.RichText)
        self.obligations.setObjectName("reviewObligations")
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(_heading(tr.t("wizard.review.summary")))
        layout.addWidget(self.summary)
        layout.addWidget(_heading(tr.t("wizard.review.obligations")))
        layout.addWidget(self.obligations)
        layout.addWidget(self.error)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(_scrolled(body))

    def initializePage(self) -> None:
        wizard = self.intake_wizard()
        facts = wizard.parsed_facts()
        if facts is None or wizard.catalog is None:
            return
        lines = plain_summary(facts, wizard.catalog, self.tr_, len(wizard.containment.drafts()))
        self.summary.setText("".join(f"<p style='margin:3px 0'>• {html.escape(s)}</p>" for s in lines))
        self.obligations.setText(self._obligations_html(wizard.preview_clocks(facts)))
        self.error.hide()

    def _obligations_html(self, clocks: list[DeadlineClock]) -> str:
        if not clocks:
            return html.escape(self.tr_.t("wizard.review.no_obligations"))
        return "".join(
            f"<p style='margin:3px 0'>• <b>{html.escape(c.label)}</b> — {html.escape(self._due(c))}"
            f" <span style='color:#6b7280'>({html.escape(c.source)} {html.escape(c.confidence)})</span></p>"
            for c in clocks)

    def _due(self, clock: DeadlineClock) -> str:
        return format_time(clock.due, self.tr_) if clock.due else self.tr_.t("overview.clock.immediately")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionHeading")
    return label
