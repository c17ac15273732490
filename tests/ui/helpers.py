"""Shared helpers for the GUI tests: a main window over a temporary database, synchronous jobs."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.app import build_main_window
from incident_app.ui.main_window import MainWindow


def make_window(qtbot: QtBot, db: Path, lang: str = "zh-CN", *, synchronous: bool = True) -> MainWindow:
    window = build_main_window(db, lang, synchronous=synchronous)
    qtbot.addWidget(window)
    window.errors.interactive = False  # no modal message boxes; messages are still recorded
    return window


def demo_window(qtbot: QtBot, db: Path, lang: str = "zh-CN") -> MainWindow:
    window = make_window(qtbot, db, lang)
    window.load_demo()
    return window
