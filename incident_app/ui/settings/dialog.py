"""Settings: the organisation profile every notice carries (company, the PI protection officer's
contacts, operator type and province — they decide the CAC reporting deadline and authority),
the SMTP relay (no password: it is never stored in the database) and who is acting."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import LANGUAGES, Translator
from incident_app.domain.mail import SmtpSecurity
from incident_app.domain.profile import RESPONSIBLE_ROLES, OperatorType, ResponsiblePerson
from incident_app.domain.reminders import CloseAction
from incident_app.domain.retention import MAX_RETENTION_DAYS
from incident_app.jobs.runner import JobFn, JobRunner, SyncJobRunner
from incident_app.services.settings import SettingsSnapshot, save_settings
from incident_app.ui.common import ErrorReporter, JobDialog
from incident_app.ui.common.screen_fit import fit_to_screen

PROFILE_TEXT_FIELDS = ("company_zh", "company_en", "officer_title_zh", "officer_title_en", "contact_name",
                       "contact_name_en", "officer_phone", "officer_email", "postal_address_zh", "postal_address_en",
                       "postcode", "website", "sms_signature_en")


def _scrolling(page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area: the organisation form (every profile field, Chinese and
    English) is taller than a 1366x768 screen at 150% scale leaves for a dialog; it scrolls there
    instead of pushing the dialog's buttons off the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


class SettingsDialog(JobDialog):
    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 snapshot: SettingsSnapshot, parent: QWidget | None = None) -> None:
        super().__init__(runner, tr, errors, parent)
        self.setWindowTitle(tr.t("settings.title"))
        self.snapshot = snapshot
        self.tabs = QTabWidget()
        self.tabs.addTab(_scrolling(self._profile_page()), tr.t("settings.tab.profile"))
        self.tabs.addTab(self._smtp_page(), tr.t("settings.tab.smtp"))
        self.tabs.addTab(self._actor_page(), tr.t("settings.tab.actor"))
        self.tabs.addTab(self._retention_page(), tr.t("proof.retention.tab"))
        self.tabs.addTab(self._reminders_page(), tr.t("settings.tab.reminders"))
        self.tabs.addTab(self._responsible_page(), tr.t("settings.tab.responsible"))
        self.finish_layout(self.tabs)
        fit_to_screen(self, 760, 620)

    def _row(self, form: QFormLayout, field: str, widget: QWidget, label_key: str | None = None) -> None:
        form.addRow(self.tr_.t(label_key or f"settings.field.{field}"), self.errors.wrap(field, widget))

    def _profile_page(self) -> QWidget:
        profile, t = self.snapshot.profile, self.tr_.t
        page = QWidget()
        form = QFormLayout(page)
        self.profile_edits = {f: QLineEdit(str(getattr(profile, f))) for f in PROFILE_TEXT_FIELDS}
        for field, edit in self.profile_edits.items():
            self._row(form, field, edit)
        self.operator_type = QComboBox()
        for kind in OperatorType:
            self.operator_type.addItem(t(f"settings.operator.{kind.value}"), kind.value)
        self.operator_type.setCurrentIndex(self.operator_type.findData(profile.operator_type.value))
        self.operator_type.setToolTip(t("settings.operator.tip"))
        self._row(form, "operator_type", self.operator_type)
        self.province = QComboBox()
        self.province.setEditable(True)
        for zh, en in self.snapshot.provinces:
            self.province.addItem(zh if self.tr_.lang.startswith("zh") else f"{en} {zh}", zh)
        index = self.province.findData(profile.province)
        self.province.setCurrentIndex(index) if index >= 0 else self.province.setEditText(profile.province)
        self._row(form, "province", self.province)
        self.language_boxes = {lang: QCheckBox(t(f"settings.language.{lang}")) for lang in LANGUAGES}
        languages = QWidget()
        row = QHBoxLayout(languages)
        row.setContentsMargins(0, 0, 0, 0)
        for lang, box in self.language_boxes.items():
            box.setChecked(lang in profile.languages)
            row.addWidget(box)
        row.addStretch(1)
        self._row(form, "languages", languages)
        self.reply_days, self.handling_days = QSpinBox(), QSpinBox()
        for spin, value in ((self.reply_days, profile.reply_working_days),
                            (self.handling_days, profile.handling_working_days)):
            spin.setRange(1, 60)
            spin.setValue(value)
        self._row(form, "reply_working_days", self.reply_days)
        self._row(form, "handling_working_days", self.handling_days)
        self.telecom_licence = QCheckBox(t("settings.telecom.licence"))
        self.telecom_licence.setChecked(profile.telecom_licence)
        self.telecom_licence.setToolTip(t("settings.telecom.tip"))
        self._row(form, "telecom_licence", self.telecom_licence)
        self.telecom_authority = QLineEdit(profile.telecom_authority)
        self.telecom_authority.setPlaceholderText("上海市通信管理局")
        self._row(form, "telecom_authority", self.telecom_authority)
        self.telecom_authority_en = QLineEdit(profile.telecom_authority_en)
        self.telecom_authority_en.setPlaceholderText("Shanghai Communications Administration")
        self._row(form, "telecom_authority_en", self.telecom_authority_en)
        return page

    # -- responsible persons (the internal brief's recipients) ---------------------------------
    PERSON_COLUMNS = ("name", "role", "email", "phone", "language")

    def _responsible_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(self.tr_.t("settings.responsible.note"))
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.persons = QTableWidget(0, len(self.PERSON_COLUMNS))
        self.persons.setHorizontalHeaderLabels([self.tr_.t(f"settings.responsible.{c}") for c in self.PERSON_COLUMNS])
        header = self.persons.horizontalHeader()
        # Names and addresses take the room; the role and language choices fit their longest label.
        for column, mode in enumerate((QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Interactive,
                                       QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        for person in self.snapshot.profile.responsible_persons:
            self.add_person(person)
        layout.addWidget(self.errors.wrap("responsible_persons", self.persons))
        buttons = QHBoxLayout()
        add, remove = QPushButton(self.tr_.t("settings.responsible.add")), QPushButton(
            self.tr_.t("settings.responsible.remove"))
        add.clicked.connect(lambda: self.add_person(None))
        remove.clicked.connect(self._remove_person)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

    def add_person(self, person: ResponsiblePerson | None) -> None:
        """One row of the table (a new empty row when ``person`` is None)."""
        row = self.persons.rowCount()
        self.persons.insertRow(row)
        values = person.to_dict() if person else {"name": "", "role": "pi_protection_lead", "email": "", "phone": "",
                                                  "language": "zh-CN"}
        for column, key in enumerate(self.PERSON_COLUMNS):
            if key in ("role", "language"):
                combo = QComboBox()
                choices = RESPONSIBLE_ROLES if key == "role" else {lang: lang for lang in LANGUAGES}
                for value in choices:
                    label = self.tr_.t(f"settings.role.{value}") if key == "role" else self.tr_.t(
                        f"settings.language.{value}")
                    combo.addItem(label, value)
                combo.setCurrentIndex(max(combo.findData(values[key]), 0))
                self.persons.setCellWidget(row, column, combo)
            else:
                self.persons.setItem(row, column, QTableWidgetItem(values[key]))

    def _remove_person(self) -> None:
        row = self.persons.currentRow()
        if row >= 0:
            self.persons.removeRow(row)

    def person_values(self) -> list[dict[str, str]]:
        """The table's rows as the profile's ``responsible_persons`` (validated on save)."""
        rows = []
        for row in range(self.persons.rowCount()):
            values: dict[str, str] = {}
            for column, key in enumerate(self.PERSON_COLUMNS):
                widget = self.persons.cellWidget(row, column)
                if isinstance(widget, QComboBox):
                    values[key] = str(widget.currentData())
                else:
                    item = self.persons.item(row, column)
                    values[key] = item.text().strip() if item else ""
            if any(values[k] for k in ("name", "email", "phone")):
                rows.append(values)
        return rows

    def _smtp_page(self) -> QWidget:
        smtp, t = self.snapshot.smtp, self.tr_.t
        page = QWidget()
        form = QFormLayout(page)
        self.smtp_host, self.smtp_user = QLineEdit(smtp.host), QLineEdit(smtp.user)
        self.smtp_from = QLineEdit(smtp.from_address)
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_port.setValue(smtp.port)
        self.smtp_security = QComboBox()
        for security in SmtpSecurity:
            self.smtp_security.addItem(t(f"settings.smtp.security.{security.value}"), security.value)
        self.smtp_security.setCurrentIndex(self.smtp_security.findData(smtp.security.value))
        for field, widget in (("host", self.smtp_host), ("port", self.smtp_port), ("security", self.smtp_security),
                              ("user", self.smtp_user), ("from_address", self.smtp_from)):
            self._row(form, f"smtp.{field}", widget, f"settings.smtp.{field}")
        note = QLabel(t("settings.smtp.password_note"))
        note.setObjectName("notice")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _actor_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.actor = QLineEdit(self.snapshot.actor)
        self._row(form, "actor", self.actor)
        note = QLabel(self.tr_.t("settings.actor.note"))
        note.setObjectName("muted")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _retention_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, MAX_RETENTION_DAYS)
        self.retention_days.setValue(self.snapshot.retention_days)
        self.retention_days.setSuffix(self.tr_.t("proof.retention.suffix"))
        self._row(form, "days_after_close", self.retention_days, "proof.retention.days")
        note = QLabel(self.tr_.t("proof.retention.note"))
        note.setObjectName("muted")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _reminders_page(self) -> QWidget:
        """Lead times as one editable list ('60, 30, 10, 0'): the same text ``reminders set
        --lead-minutes`` takes, checked by the same rule."""
        reminders, t = self.snapshot.reminders, self.tr_.t
        page = QWidget()
        form = QFormLayout(page)
        self.lead_minutes = QLineEdit(", ".join(str(m) for m in reminders.lead_minutes))
        self.lead_minutes.setToolTip(t("settings.reminders.lead_tip"))
        self._row(form, "lead_minutes", self.lead_minutes)
        self.close_action = QComboBox()
        for action in CloseAction:
            self.close_action.addItem(t(f"settings.close_action.{action.value}"), action.value)
        self.close_action.setCurrentIndex(self.close_action.findData(reminders.close_action.value))
        self._row(form, "close_action", self.close_action)
        note = QLabel(t("settings.reminders.note"))
        note.setObjectName("muted")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def reminder_values(self) -> dict[str, Any]:
        return {"lead_minutes": self.lead_minutes.text(), "close_action": self.close_action.currentData()}

    def profile_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {f: e.text().strip() for f, e in self.profile_edits.items()}
        province = self.province.currentData() if self.province.currentText() == self.province.itemText(
            self.province.currentIndex()) else self.province.currentText().strip()
        return values | {
            "operator_type": self.operator_type.currentData(), "province": province,
            "languages": [lang for lang, box in self.language_boxes.items() if box.isChecked()],
            "reply_working_days": self.reply_days.value(), "handling_working_days": self.handling_days.value(),
            "telecom_licence": self.telecom_licence.isChecked(),
            "telecom_authority": self.telecom_authority.text().strip(),
            "telecom_authority_en": self.telecom_authority_en.text().strip(),
            "responsible_persons": self.person_values(),
        }

    def smtp_values(self) -> dict[str, Any]:
        return {"host": self.smtp_host.text().strip(), "port": self.smtp_port.value(),
                "security": self.smtp_security.currentData(), "user": self.smtp_user.text().strip(),
                "from_address": self.smtp_from.text().strip()}

    def job(self) -> JobFn:
        profile, smtp, actor = self.profile_values(), self.smtp_values(), self.actor.text()
        days, reminders = self.retention_days.value(), self.reminder_values()
        return lambda s, _p: save_settings(s, profile, smtp, actor, days, reminders)

    def show_problems(self, exc: ValidationError) -> None:
        super().show_problems(exc)
        first = next((p.field for p in exc.problems), "")
        pages = {"actor": 2, "days_after_close": 3, "lead_minutes": 4, "close_action": 4}
        if first.startswith("responsible_persons"):
            self.tabs.setCurrentIndex(5)
            return
        self.tabs.setCurrentIndex(1 if first.startswith("smtp.") else pages.get(first, 0))
