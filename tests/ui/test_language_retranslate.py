"""A language switch retranslates in place instead of rebuilding: the register's selection and
search text, and the typing in a workspace tab that retranslates itself (People, Notices), survive;
the visible strings change (the Timeline's rows reloaded in the new language, in the same tab); only
tabs without retranslation code are rebuilt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.ui.register.model import RegisterModel
from tests.ui.helpers import demo_window


def test_a_language_switch_keeps_selection_and_typing_and_changes_the_strings(qtbot: QtBot,
                                                                               tmp_path: Path) -> None:
    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.table.selectRow(0)
    workspace = window.open_incident(1)
    people = workspace.show_tab("people")
    people.search.setText("138")  # typed, not yet searched for anything saved
    notices = workspace.tab_widgets["notices"]
    notices.approver.setText("王安全")  # unsaved typing in the Notices tab
    kept = {key: workspace.tab_widgets[key] for key in ("people", "notices", "timeline")}
    rebuilt = workspace.tab_widgets["decisions"]
    timeline = workspace.show_tab("timeline")
    workspace.show_tab("people")
    zh = {"title": window.windowTitle(), "heading": window.metrics.heading.text(),
          "export": window.metrics.export_button.text(), "tab": workspace.tabs.tabText(2),
          "placeholder": people.search.placeholderText(), "approve": notices.btn_approve.text(),
          "menu": window.menu_file.title(), "status": window.model.index(0, RegisterModel.COL_STATUS).data(),
          "header": window.model.headerData(RegisterModel.COL_STATUS, Qt.Orientation.Horizontal),
          "verify": timeline.verify_button.text(), "event": timeline.model.index(0, 1).data(),
          "event_header": timeline.model.headerData(1, Qt.Orientation.Horizontal)}

    window.set_language("en")

    assert window.selected_row() is not None and window.selected_row().id == 1  # selection kept
    assert all(workspace.tab_widgets[key] is tab for key, tab in kept.items())
    assert people.search.text() == "138" and notices.approver.text() == "王安全"  # typing kept
    assert workspace.current_tab_key() == "people"
    en = {"title": window.windowTitle(), "heading": window.metrics.heading.text(),
          "export": window.metrics.export_button.text(), "tab": workspace.tabs.tabText(2),
          "placeholder": people.search.placeholderText(), "approve": notices.btn_approve.text(),
          "menu": window.menu_file.title(), "status": window.model.index(0, RegisterModel.COL_STATUS).data(),
          "header": window.model.headerData(RegisterModel.COL_STATUS, Qt.Orientation.Horizontal),
          "verify": timeline.verify_button.text(), "event": timeline.model.index(0, 1).data(),
          "event_header": timeline.model.headerData(1, Qt.Orientation.Horizontal)}
    assert [k for k in zh if zh[k] == en[k]] == []  # every one of these visible strings changed
    assert en["tab"] == "Affected people" and en["status"] == "Reported"
    # No retranslation code: rebuilt in its place, a hidden one on a later turn of the event loop
    # (or at once when it is shown first).
    assert workspace.untranslated_tabs() and workspace.tab_widgets["decisions"] is rebuilt
    qtbot.waitUntil(lambda: not workspace.untranslated_tabs(), timeout=5000)
    assert workspace.tab_widgets["decisions"] is not rebuilt
    assert [workspace.tabs.widget(i) for i in range(workspace.tabs.count())] == list(workspace.tab_widgets.values())
    window.set_language("zh-CN")
    english = workspace.tab_widgets["overview"]
    assert "overview" in workspace.untranslated_tabs()
    overview = workspace.show_tab("overview")  # shown before its turn: rebuilt in Chinese at once
    assert overview is not english and overview is workspace.tab_widgets["overview"]
    assert workspace.current_tab_key() == "overview" and "overview" not in workspace.untranslated_tabs()
