"""The relay settings form of the send dialog: host, port, security (chosen explicitly), login,
sender, connections and rate. It builds :class:`SmtpSettings`; the password is not here."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from incident_app.domain.i18n import Translator
from incident_app.domain.mail.message import english_sender_name
from incident_app.domain.mail.sending import (
    IMPLICIT_TLS_PORT,
    SUBMISSION_PORT,
    SmtpSettings,
    TlsMode,
    validate_smtp_settings,
)
from incident_app.domain.profile import OrganisationProfile


class SmtpForm(QWidget):
    """Fields with object names (tests and screenshots find them)."""

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr_ = tr
        self.host = _line("smtpHost")
        self.port = QSpinBox()
        self.port.setObjectName("smtpPort")
        self.port.setRange(1, 65535)
        self.port.setValue(IMPLICIT_TLS_PORT)
        self.port.valueChanged.connect(self._on_port_value_changed)
        self.security = QComboBox()
        self.security.setObjectName("smtpSecurity")
        self.user = _line("smtpUser")
        self.from_address = _line("smtpFrom")
        self.from_name = _line("smtpFromName")
        self._company = ("", "")  # (Chinese, English) company name, from the profile on load()
        self.reply_to = _line("smtpReplyTo")
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("smtpConcurrency")
        self.concurrency.setRange(1, 200)
        self.concurrency.setValue(10)
        self.rate = QDoubleSpinBox()
        self.rate.setObjectName("smtpRate")
        self.rate.setRange(0, 100_000)
        self.rate.setDecimals(1)
        self.layout_ = QFormLayout(self)
        self._rows: list[tuple[str, QWidget]] = [
            ("send.host", self.host), ("send.port", self.port), ("send.security", self.security),
            ("send.user", self.user), ("send.from", self.from_address), ("send.from_name", self.from_name),
            ("send.reply_to", self.reply_to), ("send.concurrency", self.concurrency), ("send.rate", self.rate),
        ]
        self._labels: list[QLabel] = []
        for _key, widget in self._rows:
            label = QLabel()
            self._labels.append(label)
            self.layout_.addRow(label, widget)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.tr_.t
        for label, (key, _widget) in zip(self._labels, self._rows, strict=True):
            label.setText(t(key))
        current = self.security.currentData()
        self.security.clear()
        for mode in TlsMode:
            self.security.addItem(t(f"send.security.{mode.value}"), mode.value)
        self.security.setCurrentIndex(max(0, self.security.findData(current or TlsMode.TLS.value)))
        self.rate.setSpecialValueText(t("send.rate_unlimited"))

    def load(self, saved: dict[str, Any], profile: OrganisationProfile) -> None:
        """Prefill from the settings used last, else from the organisation profile."""
        self.host.setText(str(saved.get("host", "")))
        self.port.setValue(int(saved.get("port", IMPLICIT_TLS_PORT)))
        self.security.setCurrentIndex(max(0, self.security.findData(saved.get("tls_mode", TlsMode.TLS.value))))
        self.user.setText(str(saved.get("user", "")))
        self.from_address.setText(str(saved.get("from_address", profile.officer_email)))
        self.from_name.setText(str(saved.get("from_name", profile.company_zh)))
        self._company = (profile.company_zh, profile.company_en)
        self.reply_to.setText(str(saved.get("reply_to", profile.officer_email)))
        self.concurrency.setValue(int(saved.get("concurrency", 10)))
        self.rate.setValue(float(saved.get("rate_per_s") or 0))

    def settings(self, *, needs_server: bool = True) -> SmtpSettings:
        """The settings as typed; raises ValidationError naming the field at fault."""
        settings = SmtpSettings(
            host=self.host.text().strip(), port=self.port.value(), tls_mode=TlsMode(self.security.currentData()),
            from_address=self.from_address.text().strip(), from_name=self.from_name.text().strip(),
            from_name_en=english_sender_name(self.from_name.text().strip(), *self._company),
            reply_to=self.reply_to.text().strip(), user=self.user.text().strip(),
            concurrency=self.concurrency.value(), rate_per_s=self.rate.value() or None,
        )
        validate_smtp_settings(settings, needs_server=needs_server)
        return settings

    def _on_port_value_changed(self, port: int) -> None:
        # Suggest the mode that belongs to the well-known ports; the officer can still change it.
        suggestion = {IMPLICIT_TLS_PORT: TlsMode.TLS, SUBMISSION_PORT: TlsMode.STARTTLS}.get(port)
        if suggestion is not None:
            self.security.setCurrentIndex(self.security.findData(suggestion.value))


def _line(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    return edit
