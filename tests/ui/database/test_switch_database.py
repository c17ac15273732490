"""File → New database / Open database / Recent databases (issue 15 point 2): the window switches
to the other file, workspaces close, open dialogs are not discarded without asking, an encrypted
file asks for its passphrase through the start-up dialog, and the recent list survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_window
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from incident_app.services.demo import load_demo
from incident_app.services.encryption import DatabaseKind, connect_hook_for, database_kind
from incident_app.ui.database.passphrase_dialog import PassphraseDialog
from incident_app.ui.database.recent import recent_databases
from incident_app.ui.main_window import MainWindow

PASS = "correct horse battery staple"
FAST = 2


def _demo_db(path: Path) -> Path:
    services = open_services(path)
    load_demo(services)
    services.close()
    return path


def _plain(window: MainWindow) -> None:
    window.ask_hook = lambda _parent, _path, _tr: (True, None)


def _adopt(qtbot: QtBot, window: MainWindow | None) -> MainWindow:
    assert window is not None
    qtbot.addWidget(window)
    return window


def test_open_switches_to_the_other_database(qtbot: QtBot, tmp_path: Path) -> None:
    first = make_window(qtbot, tmp_path / "empty.sqlite3")
    first.refresh()
    assert first.model.rowCount() == 0
    other = _demo_db(tmp_path / "other.sqlite3")
    _plain(first)
    first.show()
    second = _adopt(qtbot, first.open_database_at(other))
    assert second is not first and second.db_path == other and not first.isVisible()
    assert second.model.rowCount() == 1 and second.isVisible()
    assert recent_databases()[0].path == other.absolute()


def test_new_database_is_created_and_never_replaces_a_file(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "start.sqlite3")
    _plain(window)
    existing = _demo_db(tmp_path / "existing.sqlite3")
    before = existing.read_bytes()
    assert window.create_database_at(existing) is None
    assert existing.read_bytes() == before and "已存在" in window.errors.shown[-1]
    fresh = tmp_path / "fresh.sqlite3"
    created = _adopt(qtbot, window.create_database_at(fresh))
    created.refresh()
    assert database_kind(fresh) is DatabaseKind.PLAIN and created.model.rowCount() == 0


def test_switching_closes_workspaces_and_asks_about_open_dialogs(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, _demo_db(tmp_path / "a.sqlite3"))
    window.refresh()
    workspace = window.open_incident(1)
    wizard = window.open_wizard()  # a half-typed new incident
    asked: list[str] = []
    window.confirm = lambda _title, text: asked.append(text) or False  # the officer says "no"
    _plain(window)
    other = tmp_path / "b.sqlite3"
    open_services(other).close()
    assert window.open_database_at(other) is None
    assert asked and wizard.windowTitle() in asked[0]
    assert wizard.isVisible() and workspace.isVisible()  # nothing was closed
    window.confirm = lambda _title, _text: True
    switched = _adopt(qtbot, window.open_database_at(other))
    assert not wizard.isVisible() and not workspace.isVisible() and window.workspaces == {}
    assert switched.db_path == other


def test_recent_list_survives_a_restart_and_marks_missing_files(qtbot: QtBot, tmp_path: Path) -> None:
    one, two = _demo_db(tmp_path / "one.sqlite3"), _demo_db(tmp_path / "two.sqlite3")
    window = make_window(qtbot, one)
    _plain(window)
    _adopt(qtbot, window.open_database_at(two)).close()
    restarted = make_window(qtbot, tmp_path / "three.sqlite3")  # a new process reads the same settings
    restarted.rebuild_recent_menu()
    labels = [a.text() for a in restarted.menu_recent.actions() if a.data()]
    assert labels[:3] == [str((tmp_path / "three.sqlite3").absolute()), str(two.absolute()), str(one.absolute())]
    two.unlink()
    restarted.rebuild_recent_menu()
    entry = next(a for a in restarted.menu_recent.actions() if a.data() == str(two.absolute()))
    assert "文件不存在" in entry.text() and restarted.act_remove_missing.isEnabled()
    restarted.confirm = lambda _title, _text: True
    entry.trigger()  # a missing entry offers to remove it instead of opening
    assert two.absolute() not in [r.path for r in recent_databases()]
    assert one.absolute() in [r.path for r in recent_databases()]


def test_an_encrypted_database_asks_for_its_passphrase(qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.sqlite3"
    hook = connect_hook_for(secret, PASS, encrypt_new=True, iterations=FAST)
    services = open_services(secret, connect_hook=hook)
    load_demo(services)
    services.close()
    monkeypatch.setattr("incident_app.ui.database.switching.connect_hook_for",
                        lambda p, passphrase, **kw: connect_hook_for(p, passphrase, iterations=FAST, **kw))
    window = make_window(qtbot, tmp_path / "plain.sqlite3")
    seen: list[str] = []

    def type_passphrase() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PassphraseDialog)
        seen.append(dialog.intro.text())
        dialog.field.setText(PASS)
        dialog.unlock_button.click()

    QTimer.singleShot(0, type_passphrase)
    switched = _adopt(qtbot, window.open_database_at(secret))
    switched.refresh()
    assert seen and str(secret) in seen[0]
    assert switched.model.rowCount() == 1 and switched.db_path == secret


def test_new_encrypted_database_from_the_file_menu(qtbot: QtBot, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.ui.database.new_database_dialog import NewDatabaseDialog

    monkeypatch.setattr("incident_app.ui.database.switching.connect_hook_for",
                        lambda p, passphrase, **kw: connect_hook_for(p, passphrase, iterations=FAST, **kw))
    window = make_window(qtbot, tmp_path / "plain.sqlite3")
    fresh = tmp_path / "fresh-secret.sqlite3"

    def choose_encrypted() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewDatabaseDialog)
        dialog.encrypt.setChecked(True)
        dialog.passphrase.setText(PASS)
        dialog.confirmation.setText(PASS)
        dialog.create_database()

    QTimer.singleShot(0, choose_encrypted)
    created = _adopt(qtbot, window.create_database_at(fresh))
    assert created.db_path == fresh and database_kind(fresh) is DatabaseKind.ENCRYPTED
    created.load_demo()
    assert created.model.rowCount() == 1


def test_the_app_starts_on_the_database_used_last(qtbot: QtBot, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.app import startup_database
    from incident_app.storage.database import ENV_DB, default_db_path

    monkeypatch.delenv(ENV_DB, raising=False)
    default = default_db_path()
    assert startup_database(None) == default  # nothing used yet
    window = make_window(qtbot, tmp_path / "a.sqlite3")
    _plain(window)
    other = _demo_db(tmp_path / "b.sqlite3")
    _adopt(qtbot, window.open_database_at(other))
    assert startup_database(None) == other.absolute()
    named = tmp_path / "named.sqlite3"
    assert startup_database(named) == named  # --db wins
    monkeypatch.setenv(ENV_DB, str(named))
    assert startup_database(None) == named  # so does $INCIDENT_APP_DB
    monkeypatch.delenv(ENV_DB)
    other.unlink()
    assert startup_database(None) == (tmp_path / "a.sqlite3").absolute()  # a vanished file is skipped
