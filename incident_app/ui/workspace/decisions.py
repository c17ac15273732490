"""Decisions: every recorded, signed decision (newest last, as decided) with who decided and why,
and 'Record decision…'. A later decision of the same kind supersedes an earlier one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incident_app.domain.decisions import Decision
from incident_app.domain.fulfilments import Correction, CorrectionTarget
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.incidents import format_time
from incident_app.ui.assessment.fulfilment_dialog import CorrectionDialog
from incident_app.ui.common import Column, ErrorReporter, RecordTableModel, record_table
from incident_app.ui.common.table_model import set_rows_keeping_selection
from incident_app.ui.workspace.decision_dialog import DecisionDialog


@dataclass(frozen=True)
class DecisionsData:
    decisions: list[Decision]
    actor: str
    obligations: list[tuple[str, str]]
    corrections: list[Correction]


VALUE_PREFIXES = {"element": "decisions.element", "ground": "decisions.ground", "status": "decisions.obligation"}


def _known(tr: Translator, key: str, fallback: str) -> str:
    text = tr.t(key)
    return fallback if text == key else text


def _details(d: Decision, tr: Translator) -> str:
    """The details as 'label: value' in the officer's language (raw where no translation exists)."""
    parts = []
    for key, value in d.details.items():
        shown = _known(tr, f"{VALUE_PREFIXES[key]}.{value}", str(value)) if key in VALUE_PREFIXES else str(value)
        parts.append(f"{_known(tr, f'decisions.detail.{key}', key)}: {shown}")
    return tr.t("wizard.value.separator").join(parts)


@dataclass(frozen=True)
class DecisionRow:
    """A decision as listed: with the correction that withdrew it, if one did."""

    decision: Decision
    correction: Correction | None = None


def _state(r: DecisionRow, tr: Translator) -> str:
    if r.correction is None:
        return tr.t("decisions.state.standing")
    return tr.t("decisions.state.withdrawn", id=r.correction.id, reason=r.correction.reason)


DECISION_COLUMNS = [
    Column("decisions.col.decided_at", lambda r, tr: format_time(r.decision.decided_at, tr),
           sort=lambda r: r.decision.decided_at.timestamp()),
    Column("decisions.col.kind", lambda r, tr: tr.t(f"decisions.kind.{r.decision.kind.value}"),
           tone=lambda r: "muted" if r.correction else ""),
    Column("decisions.col.decided_by", lambda r, _tr: r.decision.decided_by),
    Column("decisions.col.rationale", lambda r, tr: r.decision.rationale_in(tr.lang) or r.decision.shown),
    Column("decisions.col.details", lambda r, tr: _details(r.decision, tr)),
    Column("decisions.col.state", _state, tone=lambda r: "muted" if r.correction else ""),
    Column("decisions.col.signature", lambda r, _tr: r.decision.signature[:12] + "…",
           tooltip=lambda r, tr: tr.t("decisions.signature_tip", signature=r.decision.signature)),
]


class DecisionsTab(QWidget):
    data_changed = Signal()
    loaded = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int) -> None:
        super().__init__()
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.actor = ""
        self.obligations: list[tuple[str, str]] = []
        self.dialog: DecisionDialog | CorrectionDialog | None = None
        self.model = RecordTableModel(DECISION_COLUMNS, tr, self)
        self.table = record_table(self.model, 3)
        self.table.setWordWrap(True)
        self.record_button = QPushButton(tr.t("decisions.record"))
        self.record_button.clicked.connect(self.open_record_dialog)
        self.correct_button = QPushButton(tr.t("assess.fulfil.correct"))
        self.correct_button.clicked.connect(self.open_correction_dialog)
        explain = QLabel(tr.t("decisions.explain"))
        explain.setObjectName("muted")
        explain.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(explain, 1)
        top.addWidget(self.record_button)
        top.addWidget(self.correct_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        incident_id = self.incident_id

        lang = self.tr_.lang

        def load(s: Services, _p: object) -> DecisionsData:
            rules = s.assessment.rules.obligations.rules
            return DecisionsData(s.decisions.list(incident_id), s.ctx.actor,
                                 [(r.id, r.title.get(lang)) for r in rules], s.corrections.list(incident_id))

        self.runner.run(load, on_success=self._on_loaded, on_failure=self.errors.show)

    def _on_loaded(self, data: DecisionsData) -> None:
        withdrawn = {c.target_id: c for c in data.corrections if c.target == CorrectionTarget.DECISION}
        set_rows_keeping_selection(self.table, self.model,
                                   [DecisionRow(d, withdrawn.get(d.id)) for d in data.decisions],
                                   lambda row: row.decision.id)
        self.table.resizeRowsToContents()
        self.actor = data.actor
        self.obligations = data.obligations
        self.loaded.emit()

    def open_record_dialog(self) -> DecisionDialog:
        self.dialog = DecisionDialog(self.runner, self.tr_, self.errors, self.incident_id, self.actor, self,
                                     self.obligations)
        self.dialog.saved.connect(self._on_recorded)
        self.dialog.open()
        return self.dialog

    def selected_row(self) -> DecisionRow | None:
        rows = self.table.selectionModel().selectedRows()
        record = self.model.record(rows[0].row()) if rows else None
        return record if isinstance(record, DecisionRow) else None

    def open_correction_dialog(self) -> CorrectionDialog | None:
        """'Correct…': withdraw the selected standing decision with a reason (never edited in place)."""
        row = self.selected_row()
        if row is None or row.correction is not None:
            return None
        d, t = row.decision, self.tr_.t
        text = t("correct.target.decision", id=d.id, kind=t(f"decisions.kind.{d.kind.value}"), who=d.decided_by)
        self.dialog = CorrectionDialog(self.runner, self.tr_, self.errors, self.incident_id, "decision", d.id,
                                       text, self.actor, self)
        self.dialog.saved.connect(self._on_recorded)
        self.dialog.open()
        return self.dialog

    def _on_recorded(self, _decision: object) -> None:
        self.refresh()
        self.data_changed.emit()
