"""Dialog for the officer's CAC grade judgement: a level, the reasoning (Chinese, English or both)
and who decides. The result becomes a signed ``cac_grade_judgement`` decision (never a default)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from incident_app.domain.decisions import CAC_LEVELS
from incident_app.domain.i18n import Translator


class JudgementDialog(QDialog):
    def __init__(self, tr: Translator, current_level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr.t("assess.judgement.title"))
        self.hint = QLabel(tr.t("assess.judgement.hint"))
        self.hint.setWordWrap(True)
        self.level = QComboBox()
        for level in CAC_LEVELS:
            self.level.addItem(tr.word("grade.name", level), level)
        self.level.setCurrentIndex(max(0, self.level.findData(current_level)))
        self.rationale = QPlainTextEdit()
        self.rationale.setObjectName("judgementRationale")
        self.rationale.setTabChangesFocus(True)
        # The English assessment and English notices print this box: a reasoning typed in one box
        # only is marked missing in the other language's text, never shown in the wrong language.
        self.rationale_en = QPlainTextEdit()
        self.rationale_en.setObjectName("judgementRationaleEn")
        self.rationale_en.setTabChangesFocus(True)
        self.rationale_en.setPlaceholderText(tr.t("assess.judgement.rationale_en_hint"))
        self.decided_by = QLineEdit()
        self.decided_by.setObjectName("judgementDecidedBy")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.hint)
        form.addRow(tr.t("assess.judgement.level"), self.level)
        form.addRow(tr.t("assess.judgement.rationale"), self.rationale)
        form.addRow(tr.t("assess.judgement.rationale_en"), self.rationale_en)
        form.addRow(tr.t("assess.judgement.decided_by"), self.decided_by)
        form.addRow(self.buttons)
        self.rationale.textChanged.connect(self._update_ok)
        self.rationale_en.textChanged.connect(self._update_ok)
        self.decided_by.textChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        reasoned = self.rationale.toPlainText().strip() or self.rationale_en.toPlainText().strip()
        complete = bool(reasoned and self.decided_by.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(complete)

    def decision_data(self) -> dict[str, Any]:
        """The ``decide`` mapping for DecisionService.record."""
        return {"kind": "cac_grade_judgement", "rationale": self._rationale(),
                "decided_by": self.decided_by.text().strip(), "details": {"level": self.level.currentData()}}

    def _rationale(self) -> str | dict[str, str]:
        """The Chinese box alone as a plain string (as the decision dialog stores it); with English,
        both languages."""
        zh, en = self.rationale.toPlainText().strip(), self.rationale_en.toPlainText().strip()
        return {"zh-CN": zh, "en": en} if en else zh
