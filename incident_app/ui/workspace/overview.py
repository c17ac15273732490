"""Overview: where the incident stands (workflow status with the next step), the deadline clocks,
and every fact, with an 'edit facts' dialog whose changes are logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.catalog import Catalog
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import Incident, IncidentStatus
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.incidents import DeadlineClock, deadline_clocks, fact_rows
from incident_app.ui.assessment import DeadlineClockList
from incident_app.ui.common import ErrorReporter
from incident_app.ui.workspace.incident_dialogs import FactsDialog, StatusDialog, next_status

STATUSES = list(IncidentStatus)
D = TypeVar("D", StatusDialog, FactsDialog)
DATA_FACTS = ("data_types", "affected_people", "affected_records", "affected_minors",
              "affected_minors_under_14", "affected_minors_14_17", "eu_subjects",
              "unintelligible", "police_notified", "drill")


@dataclass(frozen=True)
class OverviewData:
    incident: Incident
    clocks: list[DeadlineClock]
    catalog: Catalog


def load_overview(services: Services, incident_id: int, lang: str = "zh-CN") -> OverviewData:
    return OverviewData(services.incidents.get(incident_id), deadline_clocks(services, incident_id, lang),
                        services.ctx.catalog)


class OverviewTab(QWidget):
    data_changed = Signal()
    loaded = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int) -> None:
        super().__init__()
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.data: OverviewData | None = None
        self.dialog: StatusDialog | FactsDialog | None = None
        self._build()

    def _build(self) -> None:
        t = self.tr_.t
        self.steps = [QLabel(t(f"status.{s.value}")) for s in STATUSES]
        self.next_button = QPushButton()
        self.next_button.clicked.connect(self.open_next_status)
        self.status_button = QPushButton(t("overview.status.change"))
        self.status_button.clicked.connect(lambda: self.open_status_dialog())
        self.edit_button = QPushButton(t("overview.facts.edit"))
        self.edit_button.clicked.connect(self.open_facts_dialog)
        self.clocks = DeadlineClockList(self.tr_)
        self.what_box, self.data_box = QGroupBox(t("overview.facts.what")), QGroupBox(t("overview.facts.data"))
        self.what_form, self.data_form = QFormLayout(self.what_box), QFormLayout(self.data_box)
        clocks_box = QGroupBox(t("overview.clocks.title"))
        QVBoxLayout(clocks_box).addWidget(self.clocks)
        right = QVBoxLayout()
        right.addWidget(clocks_box)
        right.addWidget(self.data_box)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(self.what_box, 3)
        columns.addLayout(right, 2)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(self._status_strip())
        body_layout.addLayout(columns)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(body)
        QVBoxLayout(self).addWidget(area)

    def _status_strip(self) -> QHBoxLayout:
        strip = QHBoxLayout()
        for n, label in enumerate(self.steps):
            label.setObjectName("statusStep")
            strip.addWidget(label)
            if n < len(self.steps) - 1:
                arrow = QLabel("→")
                arrow.setObjectName("muted")
                strip.addWidget(arrow)
        strip.addStretch(1)
        for button in (self.next_button, self.status_button, self.edit_button):
            strip.addWidget(button)
        return strip

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        incident_id, lang = self.incident_id, self.tr_.lang
        self.runner.run(lambda s, _p: load_overview(s, incident_id, lang),
                        on_success=self._on_loaded, on_failure=self.errors.show)

    def _on_loaded(self, data: OverviewData) -> None:
        self.data = data
        self._show_status(data.incident.status)
        self._fill_facts(data)
        self.clocks.set_clocks(data.clocks)
        self.loaded.emit()

    def _show_status(self, current: IncidentStatus) -> None:
        position = STATUSES.index(current)
        for n, label in enumerate(self.steps):
            state = "done" if n < position else "current" if n == position else "todo"
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)
        following = STATUSES[position + 1] if position + 1 < len(STATUSES) else None
        self.next_button.setVisible(following is not None)
        if following is not None:
            self.next_button.setText(self.tr_.t("overview.status.next", status=self.tr_.t(f"status.{following.value}")))

    def _fill_facts(self, data: OverviewData) -> None:
        for form in (self.what_form, self.data_form):
            while form.rowCount():
                form.removeRow(0)
        for row in fact_rows(data.incident.facts, data.catalog, self.tr_):
            if row.key == "title":
                continue
            value = QLabel(row.value)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form = self.data_form if row.key in DATA_FACTS else self.what_form
            form.addRow(QLabel(row.label), value)

    def fact_text(self, label: str) -> str:
        """The value shown beside ``label`` (tests read the screen through this)."""
        for form in (self.what_form, self.data_form):
            for n in range(form.rowCount()):
                name = _label_at(form, n, QFormLayout.ItemRole.LabelRole)
                if name is not None and name.text() == label:
                    value = _label_at(form, n, QFormLayout.ItemRole.FieldRole)
                    return value.text() if value is not None else ""
        return ""

    # -- actions ------------------------------------------------------------------------
    def open_next_status(self) -> StatusDialog | None:
        """The status dialog preset to the next step of the workflow."""
        if self.data is None:
            return None
        return self.open_status_dialog(next_status(self.data.incident.status))

    def open_status_dialog(self, target: IncidentStatus | None = None) -> StatusDialog | None:
        if self.data is None:
            return None
        dialog = StatusDialog(self.runner, self.tr_, self.errors, self.data.incident,
                              target or next_status(self.data.incident.status), self)
        return self._open(dialog)

    def open_facts_dialog(self) -> FactsDialog | None:
        if self.data is None:
            return None
        return self._open(FactsDialog(self.runner, self.tr_, self.errors, self.data.incident, self.data.catalog, self))

    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        dialog.saved.connect(self._on_dialog_saved)
        dialog.open()
        return dialog

    def _on_dialog_saved(self, _result: object) -> None:
        self.refresh()
        self.data_changed.emit()


def _label_at(form: QFormLayout, row: int, role: QFormLayout.ItemRole) -> QLabel | None:
    item = form.itemAt(row, role)
    widget = item.widget() if item is not None else None
    return widget if isinstance(widget, QLabel) else None
