"""Record a decision: its kind, the rationale, who decided and when, and the details each kind
needs (the CAC level judged, the notice element waived, the obligation's status, the GDPR ground).
A decision is signed (SHA-256 over its content) when saved and can never be edited, only superseded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from incident_app.domain.decisions import CAC_LEVELS, DecisionKind
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.ui.common import DateTimeField, ErrorReporter, JobDialog
from incident_app.ui.common.screen_fit import fit_to_screen

NOTICE_ELEMENTS = ("situation", "data_types", "cause", "possible_harm", "measures_taken",
                   "self_protection", "remedies", "contact")
# "Met outside the tool" is a fulfilment (Assessment tab → Record fulfilment…), not a status decision.
OBLIGATION_STATES = ("not_applicable",)
GDPR_GROUNDS = ("a", "b", "c")


class DecisionDialog(JobDialog):
    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 incident_id: int, actor: str, parent: QWidget | None = None,
                 obligations: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(runner, tr, errors, parent)
        t = tr.t
        self.incident_id = incident_id
        # (id, title) of every obligation: the officer picks one, never types its id.
        self.obligations = tuple(obligations)
        self.setWindowTitle(t("decisions.dialog.title"))
        self.kind = QComboBox()
        # No kind is chosen for the officer: a preselected first entry (the PIPL 57 ¶2 exemption
        # from notifying individuals) could be saved by a hurried click.
        self.kind.addItem(t("decisions.dialog.choose_kind"), None)
        for kind in DecisionKind:
            self.kind.addItem(t(f"decisions.kind.{kind.value}"), kind.value)
        self.kind_help = QLabel()
        self.kind_help.setObjectName("muted")
        self.kind_help.setWordWrap(True)
        self.rationale = QPlainTextEdit()
        self.rationale.setTabChangesFocus(True)
        self.rationale.setPlaceholderText(t("decisions.dialog.rationale_hint"))
        # English notices print the English box; one box left empty is marked missing there.
        self.rationale_en = QPlainTextEdit()
        self.rationale_en.setObjectName("decisionRationaleEn")
        self.rationale_en.setTabChangesFocus(True)
        self.rationale_en.setPlaceholderText(t("decisions.dialog.rationale_en_hint"))
        self.decided_by = QLineEdit(actor)
        self.decided_at = DateTimeField(True)
        self.decided_at.unknown_key = "decisions.dialog.now"
        self.decided_at.retranslate(tr)
        self.decided_at.set_value(None)
        self.details: dict[str, QComboBox | QLineEdit] = {}
        self.pages = QStackedWidget()
        self.pages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._page_index: dict[DecisionKind | None, int] = {None: self.pages.addWidget(QWidget())}
        for kind in DecisionKind:
            self._page_index[kind] = self.pages.addWidget(self._details_page(kind))
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(t("decisions.dialog.kind"), self.errors.wrap("kind", self.kind))
        form.addRow("", self.kind_help)
        form.addRow(t("decisions.dialog.details"), self.pages)
        form.addRow(t("decisions.dialog.rationale"), self.errors.wrap("rationale", self.rationale))
        form.addRow(t("decisions.dialog.rationale_en"), self.errors.wrap("rationale.en", self.rationale_en))
        form.addRow(t("decisions.dialog.decided_by"), self.errors.wrap("decided_by", self.decided_by))
        form.addRow(t("decisions.dialog.decided_at"), self.errors.wrap("decided_at", self.decided_at))
        self.finish_layout(body)
        self._on_kind_changed()
        fit_to_screen(self, 640, 520)

    def _details_page(self, kind: DecisionKind) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        for key, widget in self._detail_widgets(kind):
            self.details[f"{kind.value}.{key}"] = widget
            form.addRow(self.tr_.t(f"decisions.detail.{key}"), self.errors.wrap(f"details.{key}.{kind.value}", widget))
        return page

    def _detail_widgets(self, kind: DecisionKind) -> list[tuple[str, QComboBox | QLineEdit]]:
        if kind == DecisionKind.CAC_GRADE_JUDGEMENT:
            return [("level", self._choice(CAC_LEVELS, "grade.name"))]
        if kind == DecisionKind.WAIVE_NOTICE_ELEMENT:
            return [("notice_kind", QLineEdit()), ("element", self._choice(NOTICE_ELEMENTS, "decisions.element"))]
        if kind == DecisionKind.OBLIGATION_STATUS:
            return [("obligation_id", self._obligation_choice()),
                    ("status", self._choice(OBLIGATION_STATES, "decisions.obligation"))]
        if kind == DecisionKind.GDPR_INDIVIDUAL_EXEMPTION:
            return [("ground", self._choice(GDPR_GROUNDS, "decisions.ground"))]
        return [("note", QLineEdit())]

    def _obligation_choice(self) -> QComboBox:
        combo = QComboBox()
        for obligation_id, title in self.obligations:
            combo.addItem(f"{title} ({obligation_id})", obligation_id)
        return combo

    def _choice(self, values: tuple[str, ...], prefix: str | None) -> QComboBox:
        combo = QComboBox()
        for value in values:
            combo.addItem(self.tr_.t(f"{prefix}.{value}") if prefix else value, value)
        return combo

    def _on_kind_changed(self) -> None:
        data = self.kind.currentData()
        kind = DecisionKind(data) if data else None
        current = self._page_index[kind]
        # Only the shown page counts for the height, so a one-field kind leaves no gap.
        for index in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if index == current else QSizePolicy.Policy.Ignored
            page = self.pages.widget(index)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(current)
        self.pages.adjustSize()
        self.kind_help.setText(self.tr_.t(f"decisions.kind_help.{kind.value}") if kind else "")

    def values(self) -> dict[str, Any]:
        chosen = self.kind.currentData()
        if not chosen:  # parse_decision refuses the empty kind beside the field
            return {"kind": "", "rationale": self._rationale(),
                    "decided_by": self.decided_by.text().strip(), "details": {}}
        kind = DecisionKind(chosen)
        details = {}
        for name, widget in self.details.items():
            owner, key = name.split(".", 1)
            if owner == kind.value:
                value = widget.currentData() if isinstance(widget, QComboBox) else widget.text().strip()
                if value:
                    details[key] = value
        data: dict[str, Any] = {"kind": kind.value, "rationale": self._rationale(),
                                "decided_by": self.decided_by.text().strip(), "details": details}
        when = self.decided_at.value_iso()
        return data | ({"decided_at": when} if when else {})

    def _rationale(self) -> str | dict[str, str]:
        """The Chinese box alone as a plain string (as before); with English, both languages."""
        zh, en = self.rationale.toPlainText().strip(), self.rationale_en.toPlainText().strip()
        return {"zh-CN": zh, "en": en} if en else zh

    def job(self) -> JobFn:
        incident_id, values = self.incident_id, self.values()
        return lambda s, _p: s.decisions.record(incident_id, values)

    def show_problems(self, exc: ValidationError) -> None:
        # Detail fields exist once per kind; route "details.level" to the visible kind's field.
        kind = self.kind.currentData()
        routed = [FieldProblem(f"{p.field}.{kind}", p.message, p.row) if p.field.startswith("details.") else p
                  for p in exc.problems]
        super().show_problems(ValidationError(routed))
