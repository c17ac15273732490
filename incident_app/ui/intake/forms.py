"""The intake fields, shared by the wizard pages and the 'edit facts' dialog: what happened
(times, who, where, kind, cause) and which data and people. ``values()`` gives intake-JSON keys;
problems appear under the fields through the shared FieldErrors."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from incident_app.domain.i18n import Translator
from incident_app.domain.incident import (
    BILINGUAL_KEYS,
    FACT_LANGS,
    REQUIRED_KEYS,
    BreachType,
    Cause,
    IntakeFacts,
    Likelihood,
    Recipients,
)
from incident_app.ui.common import DateTimeField, FieldErrors
from incident_app.ui.intake.bilingual_field import BilingualField

MAX_COUNT = 2_147_483_647
SYSTEM_SEPARATORS = re.compile(r"[,，、;；\n]")


class IntakeForm(QWidget):
    """Common plumbing: labels keyed by catalog key, rows with a message under each field."""

    def __init__(self, tr: Translator, errors: FieldErrors) -> None:
        super().__init__()
        self.tr_, self.errors = tr, errors
        self._labels: list[tuple[QLabel, str, bool]] = []

    def add_row(self, form: QFormLayout, field: str, widget: QWidget, label_key: str | None = None) -> None:
        label = QLabel()
        label.setBuddy(widget)
        self._labels.append((label, label_key or f"wizard.field.{field}", field in REQUIRED_KEYS))
        form.addRow(label, self.errors.wrap(field, widget))

    def retranslate(self) -> None:
        for label, key, required in self._labels:
            label.setText(self.tr_.t(key) + (" *" if required else ""))


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setVerticalSpacing(6)
    form.setHorizontalSpacing(12)
    return form


def _enum_combo(tr: Translator, prefix: str, values: Any) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(tr.t(f"{prefix}.{value.value}"), value.value)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(combo.findData(value), 0))


class WhatHappenedForm(IntakeForm):
    """Page 1: summary, the four moments, who found it and where, kind, cause, recipients."""

    FIELDS = ("title", "summary", "occurred_at", "occurred_until", "discovered_at", "aware_at",
              "discovered_by", "location", "systems", "breach_types", "likelihood", "cause",
              "malicious", "recipients", "police_notified", "drill", "ransom")

    def __init__(self, tr: Translator, errors: FieldErrors) -> None:
        super().__init__(tr, errors)
        self._build_widgets()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        grid.addLayout(self._left_column(), 0, 0)
        grid.addLayout(self._right_column(), 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)  # keep both columns at the top
        self.retranslate()

    def _build_widgets(self) -> None:
        t = self.tr_.t
        # The free-text facts that reach notices: Chinese and English side by side.
        self.title = BilingualField(self.tr_, max_length=200)
        self.summary = BilingualField(self.tr_, multiline=True)
        self.occurred_at, self.occurred_until = DateTimeField(True), DateTimeField(True)
        self.discovered_at, self.aware_at = DateTimeField(False), DateTimeField(True)
        self.aware_at.unknown_key = "wizard.time.same_as_discovery"
        for field in (self.occurred_at, self.occurred_until, self.aware_at):
            field.set_value(None)
        self.discovered_by, self.location = BilingualField(self.tr_), BilingualField(self.tr_)
        self.systems = BilingualField(self.tr_, as_list=True)
        self.breach_boxes = {b: QCheckBox(t(f"wizard.breach.{b.value}")) for b in BreachType}
        self.breach_boxes[BreachType.LEAK].setChecked(True)
        self.likelihood_group = QButtonGroup(self)
        self.likelihood_buttons = {v: QRadioButton(t(f"wizard.likelihood.{v.value}")) for v in Likelihood}
        for button in self.likelihood_buttons.values():
            self.likelihood_group.addButton(button)
        self.likelihood_buttons[Likelihood.ACTUAL].setChecked(True)
        self.cause = _enum_combo(self.tr_, "wizard.cause", Cause)
        _select(self.cause, Cause.OTHER.value)
        self.recipients = _enum_combo(self.tr_, "wizard.recipients", Recipients)
        _select(self.recipients, Recipients.UNKNOWN.value)
        self.malicious, self.police_notified, self.drill = QCheckBox(), QCheckBox(), QCheckBox()
        self._build_ransom()

    def _build_ransom(self) -> None:
        """CAC report item 2 for ransomware: amount, way and date of the ransom demanded. Shown
        only while the cause is malware; a part left empty is reported as "to be supplemented"."""
        self.ransom_amount = QDoubleSpinBox()
        self.ransom_amount.setRange(0, 1e13)
        self.ransom_amount.setDecimals(2)
        self.ransom_amount.setGroupSeparatorShown(True)
        self.ransom_method, self.ransom_date = QLineEdit(maxLength=200), QLineEdit(maxLength=40)
        self.ransom_method_en = QLineEdit(maxLength=200)  # the English report's words for the way of payment
        self.ransom = _row(self.ransom_amount, self.ransom_method, self.ransom_method_en, self.ransom_date)
        self.cause.currentIndexChanged.connect(self._show_ransom)

    def _show_ransom(self) -> None:
        visible = self.cause.currentData() == Cause.MALWARE.value
        self.ransom.setVisible(visible)
        for label, key, _ in self._labels:
            if key == "wizard.field.ransom":
                label.setVisible(visible)

    def _ransom_value(self) -> dict[str, Any] | None:
        if self.cause.currentData() != Cause.MALWARE.value:
            return None
        amount, method, date = self.ransom_amount.value(), self.ransom_method.text().strip(), \
            self.ransom_date.text().strip()
        method_en = self.ransom_method_en.text().strip()
        if not (amount or method or date or method_en):
            return None
        return {"amount_cny": amount or None, "method": method, "date": date, "method_en": method_en}

    def _left_column(self) -> QFormLayout:
        form = _form()
        for field in ("title", "summary", "discovered_at", "aware_at", "occurred_at", "occurred_until"):
            self.add_row(form, field, getattr(self, field))
        return form

    def _right_column(self) -> QFormLayout:
        form = _form()
        for field in ("discovered_by", "location", "systems"):
            self.add_row(form, field, getattr(self, field))
        self.add_row(form, "breach_types", _row(*self.breach_boxes.values()))
        self.add_row(form, "likelihood", _row(*self.likelihood_buttons.values()))
        for field in ("cause", "malicious", "recipients", "police_notified", "drill", "ransom"):
            self.add_row(form, field, getattr(self, field))
        self._show_ransom()
        return form

    def retranslate(self) -> None:
        super().retranslate()
        t = self.tr_.t
        for bilingual in self.bilingual_fields():
            bilingual.retranslate()
        self.title.setPlaceholderText(t("wizard.hint.title"))
        self.summary.setPlaceholderText(t("wizard.hint.summary"))
        self.discovered_by.setPlaceholderText(t("wizard.hint.discovered_by"))
        self.location.setPlaceholderText(t("wizard.hint.location"))
        self.systems.setPlaceholderText(t("wizard.hint.systems"))
        self.malicious.setText(t("wizard.hint.malicious"))
        self.police_notified.setText(t("wizard.hint.police_notified"))
        self.drill.setText(t("wizard.hint.drill"))
        self.ransom_amount.setSpecialValueText(t("wizard.hint.ransom_amount"))
        self.ransom_method.setPlaceholderText(t("wizard.hint.ransom_method"))
        self.ransom_method_en.setPlaceholderText(t("wizard.hint.ransom_method_en"))
        self.ransom_date.setPlaceholderText(t("wizard.hint.ransom_date"))
        for field in (self.occurred_at, self.occurred_until, self.discovered_at, self.aware_at):
            field.retranslate(self.tr_)

    def bilingual_fields(self) -> tuple[BilingualField, ...]:
        """In BILINGUAL_KEYS order."""
        return (self.title, self.summary, self.discovered_by, self.location, self.systems)

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.value(),
            "summary": self.summary.value(),
            "occurred_at": self.occurred_at.value_iso(),
            "occurred_until": self.occurred_until.value_iso(),
            "discovered_at": self.discovered_at.value_iso(),
            "aware_at": self.aware_at.value_iso(),
            "discovered_by": self.discovered_by.value(),
            "location": self.location.value(),
            "systems": self.systems.value(),
            "breach_types": [b.value for b, box in self.breach_boxes.items() if box.isChecked()],
            "likelihood": next(v.value for v, b in self.likelihood_buttons.items() if b.isChecked()),
            "cause": self.cause.currentData(),
            "malicious": self.malicious.isChecked(),
            "recipients": self.recipients.currentData(),
            "police_notified": self.police_notified.isChecked(),
            "drill": self.drill.isChecked(),
            "ransom": self._ransom_value(),
        }

    def set_facts(self, facts: IntakeFacts) -> None:
        separator = self.tr_.t("wizard.value.separator")
        for key, bilingual in zip(BILINGUAL_KEYS, self.bilingual_fields(), strict=True):
            marks = {lang for lang in FACT_LANGS if facts.is_untranslated(key, lang)}
            bilingual.set_value(facts.text_in(key, "zh-CN"), facts.text_in(key, "en"), marks, separator)
        for name in ("occurred_at", "occurred_until", "discovered_at", "aware_at"):
            getattr(self, name).set_value(getattr(facts, name))
        for kind, box in self.breach_boxes.items():
            box.setChecked(kind in facts.breach_types)
        self.likelihood_buttons[facts.likelihood].setChecked(True)
        _select(self.cause, facts.cause.value)
        _select(self.recipients, facts.recipients.value)
        self.malicious.setChecked(facts.malicious)
        self.police_notified.setChecked(facts.police_notified)
        self.drill.setChecked(facts.drill)
        ransom = facts.ransom
        self.ransom_amount.setValue(ransom.amount_cny or 0 if ransom else 0)
        self.ransom_method.setText(ransom.method if ransom else "")
        self.ransom_method_en.setText(ransom.method_en if ransom else "")
        self.ransom_date.setText(ransom.date if ransom else "")
        self._show_ransom()


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return box


def _count_box() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, MAX_COUNT)
    spin.setGroupSeparatorShown(True)
    spin.setMaximumWidth(220)
    return spin


class CountsForm(IntakeForm):
    """Page 2's numbers: people, records, minors, EU residents, unintelligible data, loss."""

    FIELDS = ("affected_people", "affected_records", "affected_minors", "affected_minors_under_14",
              "affected_minors_14_17", "eu_subjects", "unintelligible", "economic_loss_cny")
    COUNTS = FIELDS[:6]

    def __init__(self, tr: Translator, errors: FieldErrors) -> None:
        super().__init__(tr, errors)
        self.affected_people, self.affected_records = _count_box(), _count_box()
        self.affected_minors, self.eu_subjects = _count_box(), _count_box()
        self.affected_minors_under_14, self.affected_minors_14_17 = _count_box(), _count_box()
        self.unintelligible = QCheckBox()
        self.economic_loss_cny = QDoubleSpinBox()
        self.economic_loss_cny.setRange(0, 1e13)
        self.economic_loss_cny.setDecimals(2)  # exact: 4,999,999.99 must not become 5,000,000
        self.economic_loss_cny.setGroupSeparatorShown(True)
        self.economic_loss_cny.setMaximumWidth(220)
        form = _form()
        for name in self.FIELDS:
            self.add_row(form, name, getattr(self, name))
        self.setLayout(form)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.unintelligible.setText(self.tr_.t("wizard.hint.unintelligible"))
        self.affected_minors.setToolTip(self.tr_.t("wizard.hint.minors"))

    def values(self) -> dict[str, Any]:
        counts = {n: getattr(self, n).value() for n in self.COUNTS}
        return counts | {"unintelligible": self.unintelligible.isChecked(),
                         "economic_loss_cny": float(self.economic_loss_cny.value())}

    def set_facts(self, facts: IntakeFacts) -> None:
        for name in self.COUNTS:
            getattr(self, name).setValue(getattr(facts, name))
        self.unintelligible.setChecked(facts.unintelligible)
        self.economic_loss_cny.setValue(facts.economic_loss_cny)
