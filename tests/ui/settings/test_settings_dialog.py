"""Settings: profile, SMTP (no password) and actor, validated beside the fields, saved together."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from incident_app.services.retention import retention_policy
from incident_app.services.settings.preferences import load_smtp_settings
from tests.ui.helpers import make_window


def test_settings_validate_and_save(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.open_settings()
    dialog = window.dialog
    assert dialog.profile_edits["company_zh"].text() == "上海我图网络科技有限公司"
    assert "密码不会保存在数据库中" in dialog.findChild(type(dialog.general_error), "notice").text()
    dialog.profile_edits["officer_email"].setText("not-an-address")
    dialog.smtp_host.setText("smtp.example.com")
    dialog.smtp_port.setValue(465)
    dialog.smtp_security.setCurrentIndex(dialog.smtp_security.findData("starttls"))
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.errors.text("officer_email") == "这不是有效的邮箱地址。"
    assert "465" in dialog.errors.text("smtp.security")
    dialog.profile_edits["officer_email"].setText("dpo@example.com")
    dialog.smtp_security.setCurrentIndex(dialog.smtp_security.findData("tls"))
    dialog.operator_type.setCurrentIndex(dialog.operator_type.findData("critical_infrastructure"))
    dialog.actor.setText("张敏")
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        profile = services.profile.get()
        assert profile.officer_email == "dpo@example.com"
        assert profile.operator_type.value == "critical_infrastructure"
        assert load_smtp_settings(services).security.value == "tls"
        assert services.ctx.actor == "张敏"
        row = services.ctx.store.db.execute("SELECT value FROM settings WHERE key = 'smtp'").fetchone()
        assert "password" not in row[0]
    finally:
        services.close()


def test_retention_days_are_set_in_settings_and_logged(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.open_settings()
    dialog = window.dialog
    assert dialog.retention_days.value() == 90
    dialog.retention_days.setValue(30)
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        assert retention_policy(services).days_after_close == 30
        events = services.ctx.store.events.of_types(["settings.retention_changed"])
        assert [e.payload for e in events] == [{"from": 90, "to": 30}]
    finally:
        services.close()
    window.open_settings()
    assert window.dialog.retention_days.value() == 30
    window.dialog.submit()  # unchanged: no second event
    services = open_services(db)
    try:
        assert len(services.ctx.store.events.of_types(["settings.retention_changed"])) == 1
    finally:
        services.close()


def test_reminder_lead_times_are_set_in_settings_and_logged(qtbot: QtBot, tmp_path: Path) -> None:
    from incident_app.services.settings.reminders import reminder_settings

    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.open_settings()
    dialog = window.dialog
    assert dialog.lead_minutes.text() == "60, 30, 10, 0"
    assert dialog.close_action.currentData() == "ask"
    dialog.lead_minutes.setText("60, 后天")
    dialog.submit()
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 4
    assert "0–10080" in dialog.errors.text("lead_minutes")
    dialog.lead_minutes.setText("120, 15, 0")
    dialog.close_action.setCurrentIndex(dialog.close_action.findData("tray"))
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        saved = reminder_settings(services)
        assert saved.lead_minutes == (120, 15, 0) and saved.close_action.value == "tray"
        assert [e.type for e in services.ctx.store.events.iter_all()].count("settings.reminders_changed") == 1
    finally:
        services.close()
