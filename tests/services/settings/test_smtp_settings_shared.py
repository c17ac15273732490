"""The Settings dialog's SMTP relay and the send dialog's remembered relay are one setting."""

from __future__ import annotations

from incident_app.domain.mail.sending import SmtpSettings, TlsMode
from incident_app.services.container import Services
from incident_app.services.settings.preferences import load_smtp_settings, save_smtp_settings


def test_settings_dialog_relay_prefills_the_send_dialog(services: Services) -> None:
    save_smtp_settings(services, {"host": "smtp.example.cn", "port": 465, "security": "tls",
                                  "user": "dpo", "from_address": "dpo@example.cn"})
    saved = services.mail.saved_smtp()
    assert saved["host"] == "smtp.example.cn" and saved["port"] == 465
    assert saved["tls_mode"] == "tls" and saved["from_address"] == "dpo@example.cn"


def test_a_send_with_another_relay_updates_the_settings_dialog(services: Services) -> None:
    services.mail.remember_smtp(SmtpSettings(host="relay.internal", port=587, tls_mode=TlsMode.STARTTLS,
                                             from_address="notice@example.cn", concurrency=20))
    shown = load_smtp_settings(services)
    assert (shown.host, shown.port, shown.security.value) == ("relay.internal", 587, "starttls")
    assert services.mail.saved_smtp()["concurrency"] == 20
