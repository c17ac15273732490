"""Window geometry and splitter positions (issue 15 point 3): remembered across restarts and
clamped onto an available screen when the saved one is gone."""

from __future__ import annotations

from pathlib import Path

from helpers import make_window
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QSplitter
from pytestqt.qtbot import QtBot

from incident_app.ui.common.app_settings import app_settings
from incident_app.ui.common.geometry import clamp_to_screens, restore_window

SCREEN = QRect(0, 0, 1366, 768)


def test_a_visible_position_is_kept() -> None:
    assert clamp_to_screens(QRect(100, 80, 900, 600), [SCREEN]) == QRect(100, 80, 900, 600)


def test_a_position_on_a_vanished_screen_moves_onto_the_first_screen() -> None:
    restored = clamp_to_screens(QRect(2200, 300, 900, 600), [SCREEN])  # was on a second monitor
    assert SCREEN.contains(restored) and restored.size().width() == 900
    assert restored.center() == SCREEN.center()


def test_a_window_larger_than_the_screen_is_cut_to_it() -> None:
    restored = clamp_to_screens(QRect(-3000, -2000, 2560, 1440), [SCREEN])
    assert SCREEN.contains(restored) and (restored.width(), restored.height()) == (1366, 768)


def test_title_bar_above_the_screen_is_pulled_down() -> None:
    restored = clamp_to_screens(QRect(100, -20, 800, 500), [SCREEN])
    assert restored.top() == 0


def test_geometry_and_splitter_survive_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "geo.sqlite3"
    window = make_window(qtbot, db)
    window.load_demo()
    window.show()
    window.setGeometry(QRect(60, 50, 700, 620))  # fits the offscreen platform's 800x800 screen
    window.body_splitter.setSizes([500, 300])
    sizes = window.body_splitter.sizes()
    window.close()
    again = make_window(qtbot, db)
    again.refresh()
    again.show()
    assert (again.geometry().width(), again.geometry().height()) == (700, 620)
    assert again.body_splitter.sizes() == sizes


def test_restoring_clamps_an_off_screen_save(qtbot: QtBot, tmp_path: Path) -> None:
    settings = app_settings()
    settings.setValue("windows/main/rect", [5000, 4000, 900, 600])
    settings.sync()
    window = make_window(qtbot, tmp_path / "off.sqlite3")
    assert restore_window(window, "main", screens=[SCREEN])
    assert SCREEN.contains(window.geometry())


def test_a_workspace_opens_like_the_last_one_closed(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "ws.sqlite3")
    window.load_demo()
    workspace = window.open_incident(1)
    workspace.setGeometry(QRect(30, 40, 720, 700))  # the width is held at the tabs' minimum
    splitters = workspace.splitters()
    assert splitters
    first = splitters[0]
    tab = next(w for w in workspace.tab_widgets.values() if first in w.findChildren(QSplitter))
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: sum(first.sizes()) > 0)
    total = sum(first.sizes())
    first.setSizes([total // 4, total - total // 4])
    saved = first.sizes()
    workspace.close()
    window.workspaces.clear()
    again = window.open_incident(1)
    assert again is not workspace
    assert again.geometry().height() == 700 != workspace.sizeHint().height()
    again.tabs.setCurrentWidget(again.tab_widgets[next(k for k, w in workspace.tab_widgets.items() if w is tab)])
    qtbot.waitUntil(lambda: sum(again.splitters()[0].sizes()) > 0)
    assert again.splitters()[0].sizes() == saved
