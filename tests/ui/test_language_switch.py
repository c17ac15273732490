"""Switching the language retranslates the register and every open workspace, and is remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.app import saved_language
from incident_app.ui.register.model import RegisterModel
from tests.ui.helpers import demo_window


def test_switch_language_with_a_workspace_open(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = demo_window(qtbot, db)
    workspace = window.open_incident(1)
    workspace.tabs.setCurrentIndex(3)
    window.set_language("en")
    assert window.windowTitle() == "Breach Desk — db.sqlite3"  # the open database in the title
    assert window.act_new.text() == "&New incident…"
    assert window.model.headerData(RegisterModel.COL_STATUS, Qt.Orientation.Horizontal) == "Status"
    assert window.model.index(0, RegisterModel.COL_STATUS).data() == "Reported"
    assert window.filters.status.itemText(0) == "All"
    assert workspace.tabs.tabText(0) == "Overview"
    assert workspace.tabs.currentIndex() == 3  # the officer stays where they were
    assert workspace.status.text() == "Reported"
    # The hidden tabs without retranslation code are rebuilt one per turn of the event loop and
    # load when shown.
    qtbot.waitUntil(lambda: not workspace.untranslated_tabs(), timeout=5000)
    overview = workspace.show_tab("overview")
    assert overview.fact_text("People affected (estimate)") == "200"
    assert workspace.show_tab("remediation").actions_model.index(0, 1).data() == "Containment"
    # the newest event of the demo: its decision (its facts carry English values, no separate text)
    assert workspace.tab_widgets["timeline"].model.record(0).type_label == "Decision recorded"
    assert saved_language(db) == "en"
    window.set_language("zh-CN")
    assert workspace.tabs.tabText(0) == "概览"
    assert window.language_actions["zh-CN"].isChecked()
