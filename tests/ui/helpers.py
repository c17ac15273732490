"""Shared helpers for the GUI tests: a main window over a temporary database, synchronous jobs."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.app import build_main_window
from incident_app.cli.main import run
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.main_window import MainWindow
from incident_app.ui.notices.tab import NoticesTab


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


PEOPLE_HEADER = "name,email,phone,age,data_types\n"


def shared_ledger_key_db(tmp_path: Path) -> tuple[Path, int, int]:
    """The demo incident, approved, where two people would share a send-ledger key: person
    ``corrected``'s e-mail was corrected, and a list imported later gave ``other`` the old one.
    Returns the database and the two person ids (kept, other) every send and hand-off refuses."""
    db = tmp_path / "db.sqlite3"
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    first.write_text(PEOPLE_HEADER + "甲,jia@example.com,13800138000,30,phone_number\n"
                     "乙,bad.yi@example.com,,30,phone_number\n", encoding="utf-8")
    again.write_text(PEOPLE_HEADER + "丙,bad.yi@example.com,,31,phone_number\n", encoding="utf-8")
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["import-people", "1", str(first), "--replace", "--db", str(db)]) == 0
    services = open_services(db)
    try:
        corrected = next(p.id for p in services.people.iter_people(1) if p.email == "bad.yi@example.com")
        services.people.edit_person(1, corrected, {"email": "yi@example.com"}, "退信")
        services.people.import_file(1, again)
        other = next(p.id for p in services.people.iter_people(1) if p.email == "bad.yi@example.com")
        services.notices.approve(1, "王安全")
    finally:
        services.close()
    return db, corrected, other
