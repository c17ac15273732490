"""The Assessment tab of an incident: ENISA severity with its factors (the officer's inputs are
editable and saved with their rationale), the CAC grade with its reasoning and a 'record
judgement' action, and the obligations with live countdowns. Self-contained: give it a job
runner, a translator and the incident id, then call ``refresh()``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.assessment.common import Text
from incident_app.domain.assessment.deadlines import anchor_name
from incident_app.domain.assessment.engine import Assessment
from incident_app.domain.assessment.obligations import Obligation
from incident_app.domain.decisions import Decision
from incident_app.domain.errors import ValidationError
from incident_app.domain.fulfilments import Fulfilment
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.ui.assessment.fulfilment_dialog import CorrectionDialog, FulfilmentDialog
from incident_app.ui.assessment.judgement_dialog import JudgementDialog
from incident_app.ui.assessment.models import (
    FactorsModel,
    ObligationsModel,
    confidence_label,
    local_time,
    regime_name,
)
from incident_app.ui.common import ErrorReporter, RecordRole, SortRole
from incident_app.ui.common.people_gap import people_gap_text

EI_VALUES = (0.25, 0.5, 0.75, 1.0)
INTEGRITY = ("recovered", "recoverable", "not_recoverable")
AVAILABILITY = ("recoverable", "temporary", "permanent")
BANNER_STYLE = "background:#fff4ce; color:#5c3c00; padding:6px; border:1px solid #e0b400;"
TICK_MS = 30_000


TABLE_ROWS_HEIGHT = 30  # one table row with the CJK font, header included per row

class AssessmentTab(QWidget):
    assessment_loaded = Signal(object)
    inputs_saved = Signal()
    judgement_recorded = Signal()
    fulfilment_recorded = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.assessment: Assessment | None = None
        self._filled_inputs: dict[str, Any] | None = None  # the form as last filled from the database
        self.channel_names: dict[str, Text] = {}
        self.actor = ""
        self.fulfilments: dict[int, Fulfilment] = {}
        self.decisions: dict[int, Decision] = {}
        self.dialog: FulfilmentDialog | CorrectionDialog | None = None
        self.factors_model = FactorsModel(tr, self)
        self.obligations_model = ObligationsModel(tr, parent=self)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.obligations_model.tick)
        self.timer.start()

    # -- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = QLabel()
        self.banner.setObjectName("judgementBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        # An imported list smaller than the intake estimate: which number is used, and the gap.
        self.people_gap = QLabel()
        self.people_gap.setObjectName("peopleGap")
        self.people_gap.setWordWrap(True)
        self.people_gap.setStyleSheet(BANNER_STYLE)
        self.people_gap.hide()
        top = QWidget()
        row = QHBoxLayout(top)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._build_severity(), 3)
        row.addWidget(self._build_grade(), 2)
        # A splitter lets the officer give the obligations table more room when it matters most.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self._build_obligations())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        # Room for the factors (4 rows) and the obligations (6 rows) even on a 1366×768 laptop:
        # the tab scrolls there instead of squeezing every table to two rows.
        self.factors_table.setMinimumHeight(TABLE_ROWS_HEIGHT * 5)
        self.obligations_table.setMinimumHeight(TABLE_ROWS_HEIGHT * 7)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.banner)
        inner.addWidget(self.people_gap)
        inner.addWidget(self.splitter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

    def _build_severity(self) -> QGroupBox:
        t = self.tr_.t
        box = QGroupBox(t("assess.severity.group"))
        self.severity_headline = QLabel()
        self.severity_headline.setObjectName("severityHeadline")
        self.severity_headline.setWordWrap(True)
        self.factors_table = self._table(self.factors_model, FactorsModel.COL_RATIONALE)
        self.modifiers_label = QLabel()
        self.modifiers_label.setWordWrap(True)
        self.dpc_adjustment = QSpinBox()
        self.dpc_range = QLabel()
        self.dpc_range.setStyleSheet("color:#555;")
        self.dpc_rationale = QLineEdit()
        self.ei = QComboBox()
        for value in EI_VALUES:
            self.ei.addItem(f"{value:g}", value)
        self.ei_rationale = QLineEdit()
        self.integrity = self._choice_combo("assess.integrity", INTEGRITY)
        self.availability = self._choice_combo("assess.availability", AVAILABILITY)
        self.cb_rationale = QLineEdit()
        self.save_button = QPushButton(t("assess.input.save"))
        self.save_button.clicked.connect(self.save_inputs)
        self.input_error = QLabel()
        self.input_error.setObjectName("inputError")
        self.input_error.setStyleSheet("color:#b3261e;")
        self.input_error.setWordWrap(True)
        layout = QVBoxLayout(box)
        for widget in (self.severity_headline, self.factors_table, self.modifiers_label):
            layout.addWidget(widget)
        layout.addLayout(self._inputs_grid())
        return box

    def _inputs_grid(self) -> QGridLayout:
        """Each value next to its rationale, so the officer sees what they are justifying."""
        t = self.tr_.t
        grid = QGridLayout()
        reason = t("assess.input.rationale")
        rows: list[tuple[str, QWidget, QWidget | None, QWidget]] = [
            ("assess.input.dpc", self.dpc_adjustment, self.dpc_range, self.dpc_rationale),
            ("assess.input.ei", self.ei, None, self.ei_rationale),
        ]
        for row, (key, value, hint, rationale) in enumerate(rows):
            grid.addWidget(QLabel(t(key)), row, 0)
            grid.addWidget(value, row, 1)
            if hint is not None:
                grid.addWidget(hint, row, 2)
            grid.addWidget(QLabel(reason), row, 3)
            grid.addWidget(rationale, row, 4)
        grid.addWidget(QLabel(t("assess.input.integrity")), 2, 0)
        grid.addWidget(self.integrity, 2, 1)
        grid.addWidget(QLabel(t("assess.input.availability")), 2, 2)
        grid.addWidget(self.availability, 2, 3, 1, 2)
        grid.addWidget(QLabel(t("assess.input.cb_rationale")), 3, 0)
        grid.addWidget(self.cb_rationale, 3, 1, 1, 4)
        grid.addWidget(self.save_button, 4, 0, 1, 2)
        grid.addWidget(self.input_error, 4, 2, 1, 3)
        grid.setColumnStretch(4, 1)
        return grid

    def _choice_combo(self, prefix: str, values: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr_.t("assess.input.default"), None)
        for value in values:
            combo.addItem(self.tr_.t(f"{prefix}.{value}"), value)
        return combo

    def _build_grade(self) -> QGroupBox:
        box = QGroupBox(self.tr_.t("assess.grade.group"))
        self.grade_level = QLabel()
        self.grade_level.setObjectName("gradeLevel")
        self.grade_level.setStyleSheet("font-size:20px; font-weight:bold;")
        self.grade_status = QLabel()
        self.grade_status.setObjectName("gradeStatus")
        self.grade_status.setWordWrap(True)
        self.grade_why = QLabel()
        self.grade_why.setObjectName("gradeWhy")
        self.grade_why.setWordWrap(True)
        self.grade_why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grade_source = QLabel()
        self.grade_source.setWordWrap(True)
        self.grade_source.setStyleSheet("color:#555;")
        self.record_button = QPushButton(self.tr_.t("assess.grade.record"))
        self.record_button.clicked.connect(self.open_judgement_dialog)
        # The MIIT plan's grade, shown only for a value-added telecom licence holder.
        self.miit_grade = QLabel()
        self.miit_grade.setObjectName("miitGrade")
        self.miit_grade.setWordWrap(True)
        self.miit_grade.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.miit_grade.hide()
        layout = QVBoxLayout(box)
        for widget in (self.grade_level, self.grade_status, self.grade_why, self.grade_source, self.miit_grade,
                       self.record_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        return box

    def _build_obligations(self) -> QGroupBox:
        box = QGroupBox(self.tr_.t("assess.obligations.group"))
        self.obligations_proxy = QSortFilterProxyModel(self)
        self.obligations_proxy.setSourceModel(self.obligations_model)
        self.obligations_proxy.setSortRole(SortRole)
        self.obligations_table = self._table(self.obligations_proxy, ObligationsModel.COL_WHY)
        self.obligations_table.setObjectName("obligationsTable")
        self.obligations_table.setSortingEnabled(True)
        # Most urgent first; closed obligations (met / not applicable) sink to the bottom.
        self.obligations_table.sortByColumn(ObligationsModel.COL_COUNTDOWN, Qt.SortOrder.AscendingOrder)
        self.obligations_table.selectionModel().currentRowChanged.connect(self._on_obligation_selected)
        self.obligations_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.obligations_table.customContextMenuRequested.connect(self._obligation_menu)
        self.obligation_detail = QLabel(self.tr_.t("assess.detail.empty"))
        self.obligation_detail.setObjectName("obligationDetail")
        self.obligation_detail.setWordWrap(True)
        self.obligation_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fulfil_button = QPushButton(self.tr_.t("assess.fulfil.record"))
        self.fulfil_button.setObjectName("fulfilButton")
        self.fulfil_button.clicked.connect(self.open_fulfilment_dialog)
        self.correct_button = QPushButton(self.tr_.t("assess.fulfil.correct"))
        self.correct_button.setObjectName("correctButton")
        self.correct_button.clicked.connect(self.open_correction_dialog)
        actions = QHBoxLayout()
        actions.addWidget(self.fulfil_button)
        actions.addWidget(self.correct_button)
        actions.addStretch(1)
        self._update_actions()
        layout = QVBoxLayout(box)
        layout.addWidget(self.obligations_table, 3)
        layout.addLayout(actions)
        layout.addWidget(self.obligation_detail, 1)
        return box

    def _table(self, model: Any, stretch_column: int) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        return table

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the assessment on a worker; the widgets update when it arrives."""
        incident_id = self.incident_id
        self.runner.run(lambda services, _p: (services.assessment.assess(incident_id),
                                             dict(services.assessment.rules.obligations.channels),
                                             services.ctx.actor, services.fulfilments.list(incident_id),
                                             services.decisions.list(incident_id)),
                        on_success=self._on_assessed, on_failure=self.errors.show)

    def _on_assessed(self, result: Any) -> None:
        assessment, self.channel_names, self.actor, fulfilments, decisions = result
        self.fulfilments = {f.id: f for f in fulfilments}
        self.decisions = {d.id: d for d in decisions}
        self.assessment = assessment
        self._show_banner(assessment)
        self._show_people_gap(assessment)
        self._show_severity(assessment)
        self._show_grade(assessment)
        chosen = self.selected_obligation()
        self.obligations_model.set_rows(assessment.obligations)
        if chosen is not None:  # a refresh after a change elsewhere keeps the officer's row
            self.select_obligation(chosen.id)
        self._update_actions()
        self.assessment_loaded.emit(assessment)

    def _show_banner(self, a: Assessment) -> None:
        names = [self._item_name(a, item.item) for item in a.needs_judgement]
        items = self.tr_.t("assess.list_sep").join(names)
        self.banner.setText(self.tr_.t("assess.banner", count=len(names), items=items))
        self.banner.setVisible(bool(names))

    def _show_people_gap(self, a: Assessment) -> None:
        gap = a.people.gap_to_estimate
        self.people_gap.setText(people_gap_text(self.tr_, a.people.estimate, a.people.total) if gap else "")
        self.people_gap.setVisible(bool(gap))

    def _item_name(self, a: Assessment, item: str) -> str:
        if item in ("cac_grade", "severity"):
            return self.tr_.t(f"assess.item.{item}")
        return next((o.title.get(self.tr_.lang) for o in a.obligations if o.id == item), item)

    def _show_severity(self, a: Assessment) -> None:
        s, lang, t = a.severity, self.tr_.lang, self.tr_.t
        dpc, ei = s.factor("dpc").value, s.factor("ei").value
        cb = sum(f.value for f in s.factors if f.id.startswith("cb."))
        state = t("assess.severity.reviewed", who=a.enisa_inputs.saved_by, at=local_time(a.enisa_inputs.saved_at)) \
            if a.enisa_inputs.saved_at else t("assess.severity.unreviewed")
        self.severity_headline.setText(t("assess.severity.headline", dpc=f"{dpc:g}", ei=f"{ei:g}", cb=f"{cb:g}",
                                         score=f"{s.score:g}", band=t(f"assess.band.{s.band.value}"))
                                       + "\n" + s.band_meaning.get(lang) + "\n" + state)
        self.factors_model.set_rows(s.factors)
        self.modifiers_label.setText("\n".join(
            ("● " if m.applies else "○ ") + m.why.get(lang) for m in s.modifiers))
        self._fill_inputs(a)

    def _fill_inputs(self, a: Assessment) -> None:
        """Show the stored inputs — unless the officer has changed the form since it was last
        filled and not saved yet: a refresh after a change elsewhere (the command line, another
        window, a reminder's event) must not throw their typing away."""
        if self._filled_inputs is not None and self.input_data() != self._filled_inputs:
            return
        s, inputs = a.severity, a.enisa_inputs
        self.dpc_adjustment.setRange(*s.adjustment_range)
        low, high = s.adjustment_range
        category = self.tr_.word("assess.category", s.dpc_category)
        self.dpc_range.setText(self.tr_.t("assess.input.dpc_range", low=low, high=high, category=category))
        self.dpc_adjustment.setValue(s.dpc_adjustment)
        self.dpc_rationale.setText(inputs.dpc_rationale)
        self.ei.setCurrentIndex(max(0, self.ei.findData(s.factor("ei").value)))
        self.ei_rationale.setText(inputs.ei_rationale)
        self.integrity.setCurrentIndex(max(0, self.integrity.findData(inputs.integrity.value if inputs.integrity
                                                                      else None)))
        self.availability.setCurrentIndex(max(0, self.availability.findData(
            inputs.availability.value if inputs.availability else None)))
        self.cb_rationale.setText(inputs.cb_rationale)
        self.input_error.clear()
        self._filled_inputs = self.input_data()

    def _show_grade(self, a: Assessment) -> None:
        g, t, lang = a.grade, self.tr_.t, self.tr_.lang
        self.grade_level.setText(t("assess.grade.level", level=self.tr_.word("grade.name", g.level)))
        if g.needs_judgement:
            status = t("assess.grade.needs_judgement")
            self.grade_status.setStyleSheet(BANNER_STYLE)
        else:
            status = t("assess.grade.reportable" if g.reportable else "assess.grade.not_reportable")
            self.grade_status.setStyleSheet("")
        self.grade_status.setText(status)
        self.grade_why.setText("\n\n".join([g.why.get(lang), *(n.get(lang) for n in g.notes)]))
        self.grade_source.setText(t("assess.source", source=g.citation.source_in(lang),
                                    mark=confidence_label(self.tr_, g.citation.confidence.value)))
        self._show_miit(a)

    def _show_miit(self, a: Assessment) -> None:
        """The MIIT grade with its reasoning and confidence (unconfirmed thresholds said so)."""
        m, t, lang = a.miit, self.tr_.t, self.tr_.lang
        self.miit_grade.setVisible(m is not None)
        if m is None:
            return
        level = self.tr_.word("grade.name", m.level.value)  # English words, the Chinese term in brackets
        lines = [t("assess.miit.level", level=level, mark=m.citation.confidence.mark)]
        if m.unconfirmed:
            lines.append(t("assess.miit.unconfirmed"))
        lines += [m.why.get(lang), *(n.get(lang) for n in m.notes)]
        lines.append(t("assess.source", source=m.citation.source_in(lang),
                       mark=confidence_label(self.tr_, m.citation.confidence.value)))
        self.miit_grade.setText("\n\n".join(lines))

    def _on_obligation_selected(self, current: Any, _previous: Any) -> None:
        row = self.obligations_proxy.data(current, RecordRole) if current.isValid() else None
        self.obligation_detail.setText(self.obligation_text(row) if row else self.tr_.t("assess.detail.empty"))
        self._update_actions()

    def selected_obligation(self) -> Obligation | None:
        """The obligation of the table's current row (as recomputed last)."""
        index = self.obligations_table.currentIndex()
        row = self.obligations_proxy.data(index, RecordRole) if index.isValid() else None
        return row if isinstance(row, Obligation) else None

    def select_obligation(self, obligation_id: str) -> None:
        """Make ``obligation_id`` the current row (what a click does)."""
        for r in range(self.obligations_proxy.rowCount()):
            index = self.obligations_proxy.index(r, 0)
            if self.obligations_proxy.data(index, RecordRole).id == obligation_id:
                self.obligations_table.setCurrentIndex(index)
                return

    def correction_target(self, o: Obligation | None) -> tuple[str, int] | None:
        """What 'Correct…' withdraws for an obligation: its fulfilment, else its deciding decision."""
        if o is None:
            return None
        if o.fulfilment_id is not None:
            return "fulfilment", o.fulfilment_id
        if o.decision_id is not None and o.decision_id in self.decisions:
            return "decision", o.decision_id
        return None

    def _update_actions(self) -> None:
        o = self.selected_obligation()
        self.fulfil_button.setEnabled(o is not None and o.fulfilment_id is None)
        self.correct_button.setEnabled(self.correction_target(o) is not None)

    def _obligation_menu(self, pos: QPoint) -> None:
        index = self.obligations_table.indexAt(pos)
        if not index.isValid():
            return
        self.obligations_table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.fulfil_button.text(), self.open_fulfilment_dialog).setEnabled(
            self.fulfil_button.isEnabled())
        menu.addAction(self.correct_button.text(), self.open_correction_dialog).setEnabled(
            self.correct_button.isEnabled())
        menu.popup(self.obligations_table.viewport().mapToGlobal(pos))

    def obligation_text(self, o: Obligation) -> str:
        """Everything about one obligation, for the detail panel under the table."""
        lang, t = self.tr_.lang, self.tr_.t
        names = [self.channel_names[c].get(lang) for c in o.channels if c in self.channel_names]
        channels = t("assess.list_sep").join(names)
        mark = confidence_label(self.tr_, o.citation.confidence.value)
        source = t("assess.source", source=o.citation.source_in(lang), mark=mark)
        return "\n".join([f"{regime_name(self.tr_, o.regime.value)} · {o.title.get(lang)} → "
                          f"{o.recipient_detail.get(lang)}",
                          t("assess.detail.channels", channels=channels),
                          t("assess.detail.anchor", anchor=anchor_name(o.deadline.anchor).get(lang)),
                          o.why.get(lang), source])

    # -- actions ------------------------------------------------------------------------
    def input_data(self) -> dict[str, Any]:
        """The form as the mapping AssessmentService.save_enisa_inputs validates."""
        return {
            "dpc_adjustment": self.dpc_adjustment.value(), "dpc_rationale": self.dpc_rationale.text(),
            "ei": self.ei.currentData(), "ei_rationale": self.ei_rationale.text(),
            "integrity": self.integrity.currentData(), "availability": self.availability.currentData(),
            "cb_rationale": self.cb_rationale.text(),
        }

    def save_inputs(self) -> None:
        data, incident_id = self.input_data(), self.incident_id
        self.runner.run(lambda services, _p: services.assessment.save_enisa_inputs(incident_id, data),
                        on_success=self._on_inputs_saved, on_failure=self._on_save_failed)

    def _on_inputs_saved(self, _inputs: Any) -> None:
        self._filled_inputs = None  # saved: show what is stored again
        self.inputs_saved.emit()
        self.refresh()

    def _on_save_failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, ValidationError):
            self.input_error.setText("\n".join(str(p) for p in exc.problems))
            return
        self.errors.show(exc, details)

    def open_judgement_dialog(self) -> None:
        level = self.assessment.grade.level.value if self.assessment else "一般"
        dialog = JudgementDialog(self.tr_, level, self)
        if dialog.exec():
            self.record_judgement(dialog.decision_data())

    def record_judgement(self, data: dict[str, Any]) -> None:
        """Record the officer's grade judgement as a signed decision, then recompute."""
        incident_id = self.incident_id
        self.runner.run(lambda services, _p: services.decisions.record(incident_id, data),
                        on_success=self._on_judgement_recorded, on_failure=self.errors.show)

    def open_fulfilment_dialog(self) -> FulfilmentDialog | None:
        """'Record fulfilment…' for the selected obligation row."""
        o = self.selected_obligation()
        if o is None:
            return None
        self.dialog = FulfilmentDialog(self.runner, self.tr_, self.errors, self.incident_id, o, self.actor, self)
        self.dialog.saved.connect(self._on_record_changed)
        self.dialog.open()
        return self.dialog

    def open_correction_dialog(self) -> CorrectionDialog | None:
        """'Correct…': withdraw the selected obligation's fulfilment (or decision) with a reason."""
        target = self.correction_target(self.selected_obligation())
        if target is None:
            return None
        kind, record_id = target
        self.dialog = CorrectionDialog(self.runner, self.tr_, self.errors, self.incident_id, kind, record_id,
                                       self._describe(kind, record_id), self.actor, self)
        self.dialog.saved.connect(self._on_record_changed)
        self.dialog.open()
        return self.dialog

    def _describe(self, kind: str, record_id: int) -> str:
        t = self.tr_.t
        if kind == "fulfilment" and record_id in self.fulfilments:
            f = self.fulfilments[record_id]
            text = t("correct.target.fulfilment", id=f.id, at=local_time(f.done_at),
                     channel=t(f"fulfil.channel.{f.channel}"))
            return text + (f" · {f.reference}" if f.reference else "")
        d = self.decisions[record_id]
        return t("correct.target.decision", id=d.id, kind=t(f"decisions.kind.{d.kind.value}"), who=d.decided_by)

    def _on_record_changed(self, _record: Any) -> None:
        self.fulfilment_recorded.emit()
        self.refresh()

    def _on_judgement_recorded(self, _decision: Any) -> None:
        self.judgement_recorded.emit()
        self.refresh()
