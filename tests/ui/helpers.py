"""Shared helpers for the GUI tests: a main window over a temporary database, synchronous jobs."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.app import build_main_window
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.main_window import MainWindow
from incident_app.ui.notices.tab import NoticesTab
from tests.ledger_key_helpers import PEOPLE_HEADER, shared_ledger_key_db

__all__ = ["PEOPLE_HEADER", "demo_window", "make_window", "notices_tab", "shared_ledger_key_db"]


def make_window(qtbot: QtBot, db: Path, lang: str = "zh-CN", *, synchronous: bool = True) -> MainWindow:
    window = build_main_window(db, lang, synchronous=synchronous)
    qtbot.addWidget(window)
    window.errors.interactive = False  # no modal message boxes; messages are still recorded
    return window


def demo_window(qtbot: QtBot, db: Path, lang: str = "zh-CN") -> MainWindow:
    window = make_window(qtbot, db, lang)
    window.load_demo()
    return window


def notices_tab(qtbot: QtBot, db: Path, lang: str = "zh-CN", incident_id: int = 1) -> NoticesTab:
    """The Notices tab of one incident of ``db``, its jobs run synchronously, errors not shown."""
    tab = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), lang), incident_id)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    return tab
