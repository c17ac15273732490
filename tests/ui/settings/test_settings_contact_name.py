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
