from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.app import build_main_window
from incident_app.ui.register.model import RegisterModel


def make_window(qtbot: QtBot, db: Path, *, synchronous: bool = True):  # type: ignore[no-untyped-def]
    window = build_main_window(db, "zh-CN", synchronous=synchronous)
    qtbot.addWidget(window)
    window.errors.interactive = False
    return window


def test_empty_register_explains_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.refresh()
    assert window.stack.currentWidget() is window.empty
    assert "新建事件" in window.empty.text()


def test_demo_fills_the_register(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.load_demo()
    assert window.stack.currentWidget() is window.register_page
    assert window.model.rowCount() == 1
    people = window.model.index(0, RegisterModel.COL_PEOPLE).data()
    assert people == "200"  # the demo list, which is also its estimate


def test_threaded_runner_delivers_results_on_ui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3", synchronous=False)
    with qtbot.waitSignal(window.register_refreshed, timeout=10_000):
        window.load_demo()
    assert window.model.rowCount() == 1
    assert window.runner.wait_all()


def test_language_switch_retranslates(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.refresh()
    header = window.model.headerData(RegisterModel.COL_STATUS, Qt.Orientation.Horizontal)
    assert header == "状态"
    window.set_language("en")
    assert "No incidents yet" in window.empty.text()
    assert window.windowTitle() == "Breach Desk — db.sqlite3"  # the open database in the title


def test_verify_log_reports_in_status_bar(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.load_demo()
    window.verify_log()
    assert "哈希链无断裂" in window.last_verify_message
