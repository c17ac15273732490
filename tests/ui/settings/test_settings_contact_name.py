"""The report's named contact is set in Settings and printed in the CAC report's contact section."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from tests.ui.helpers import make_window


def test_contact_name_is_saved_and_named_in_the_report(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.open_settings()
    dialog = window.dialog
    dialog.profile_edits["contact_name"].setText("李华")
    dialog.province.setCurrentIndex(dialog.province.findData("浙江省"))
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        assert services.profile.get().contact_name == "李华"
        incident = services.incidents.create({"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00",
                                              "affected_people": 10, "data_types": ["phone_number"]})
        notices = services.notices.prepare(incident.id, langs=["zh-CN"]).notices
        report = next(n.rendered.content for n in notices if n.rendered.kind.value == "regulator_initial")
        assert "联系人：李华，" in report and "浙江省网信办" in report
    finally:
        services.close()


def test_english_contact_and_authority_are_set_in_settings_and_chinese_there_is_refused(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.open_settings()
    dialog = window.dialog
    dialog.profile_edits["contact_name"].setText("李华")
    dialog.profile_edits["contact_name_en"].setText("李华")  # the Chinese name in the English box
    dialog.telecom_licence.setChecked(True)
    dialog.telecom_authority.setText("浙江省通信管理局")
    dialog.telecom_authority_en.setText("Zhejiang Communications Administration")
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.errors.text("contact_name_en") == "此处的中文会出现在英文通知中：请用英文（拉丁字母）填写，或留空。"
    dialog.profile_edits["contact_name_en"].setText("Li Hua")
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        profile = services.profile.get()
        assert (profile.contact_name_en, profile.telecom_authority_en) == ("Li Hua", "Zhejiang Communications "
                                                                                       "Administration")
        incident = services.incidents.create({"title": {"zh-CN": "泄露", "en": "Leak"},
                                              "discovered_at": "2026-11-20T09:00:00+08:00",
                                              "affected_people": 10, "data_types": ["phone_number"]})
        notices = services.notices.prepare(incident.id, langs=["en"]).notices
        english = {n.rendered.kind.value: n.rendered.content for n in notices}
        assert "Contact person: Li Hua, " in english["regulator_initial"] and "李华" not in english["regulator_initial"]
        assert "To Zhejiang Communications Administration:" in english["sector_regulator"]
    finally:
        services.close()
