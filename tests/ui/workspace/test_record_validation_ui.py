"""The GUI refuses impossible record entries through the same services as the CLI, and says why
beside the field (remediation times) or asks before closing with open obligations."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.ui.main_window import MainWindow
from incident_app.ui.workspace.window import WorkspaceWindow
from tests.ui.helpers import demo_window


def open_demo(qtbot: QtBot, tmp_path: Path) -> tuple[MainWindow, WorkspaceWindow]:
    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.table.selectRow(0)
    window.open_selected()
    qtbot.waitUntil(lambda: 1 in window.workspaces)  # after the import warm-up, if still running
    return window, window.workspaces[1]


def test_edit_action_refuses_a_done_time_in_the_future(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    tab = workspace.tab_widgets["remediation"]
    tab.actions_table.selectRow(0)
    before = tab.actions_model.record(0)
    edit = tab.edit_selected_action()
    edit.status.setCurrentIndex(edit.status.findData("done"))
    edit.started_field.set_value(None)
    edit.done_field.set_value(parse_time("2099-01-01T09:00:00+08:00"))
    edit.submit()
    assert edit.isVisible() and edit.errors.text("actions.done_at") == "时间晚于现在，请检查日期和时区。"
    edit.done_field.set_value(parse_time("1999-01-01T09:00:00+08:00"))  # long before the incident
    edit.submit()
    assert edit.isVisible() and edit.errors.text("actions.done_at").startswith("时间早于事件被发现")
    assert tab.actions_model.record(0) == before  # nothing saved


def test_closing_with_open_obligations_asks_first_and_logs_them(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    overview = workspace.tab_widgets["overview"]
    overview.open_next_status()
    dialog = overview.dialog
    dialog.status.setCurrentIndex(dialog.status.findData("closed"))
    dialog.comment.setPlainText("处置完毕")
    dialog.submit()  # the test reporter answers yes to the question
    assert dialog.last_question.startswith("以下义务尚未履行或未作决定")
    assert "cac-initial-report" in dialog.last_question
    assert overview.data.incident.status.value == "closed"
    first = workspace.show_tab("timeline").model.record(0)
    assert first.type == "incident.status_changed"
