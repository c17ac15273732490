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


def test_one_database_under_two_names_is_listed_once(qtbot: QtBot, tmp_path: Path) -> None:
    from incident_app.ui.database.recent import add_recent

    one, two = _demo_db(tmp_path / "one.sqlite3"), _demo_db(tmp_path / "two.sqlite3")
    link = tmp_path / "current.sqlite3"
    link.symlink_to(one)
    add_recent(one)
    add_recent(two)
    add_recent(tmp_path / "sub" / ".." / "one.sqlite3")  # the same file spelt with ..
    add_recent(link)  # and through a link
    paths = [r.path for r in recent_databases()]
    assert paths[:2] == [link, two], paths
    assert one not in paths and all(".." not in p.parts for p in paths)


def test_opening_the_open_database_through_a_link_does_not_switch(qtbot: QtBot, tmp_path: Path) -> None:
    one = _demo_db(tmp_path / "one.sqlite3")
    link = tmp_path / "alias.sqlite3"
    link.symlink_to(one)
    window = make_window(qtbot, one)
    _plain(window)
    assert window.open_database_at(link) is window
    assert window.successor is None


def test_a_file_that_is_not_a_database_is_refused_without_a_passphrase(qtbot: QtBot, tmp_path: Path) -> None:
    one = _demo_db(tmp_path / "one.sqlite3")
    text = tmp_path / "笔记 notes.db"
    text.write_text("这不是数据库\n", encoding="utf-8")
    window = make_window(qtbot, one)
    asked: list[Path] = []
    window.ask_hook = lambda _parent, path, _tr: (asked.append(path), (True, None))[1]
    window.refresh()
    window.open_incident(1)
    assert window.open_database_at(text) is None
    assert asked == []  # no passphrase asked for a file that can never be an encrypted database
    assert window.successor is None and window.errors.shown
    assert "不是 Breach Desk 数据库" in window.errors.shown[-1] and "Traceback" not in window.errors.shown[-1]
    assert window.workspaces  # nothing of the open database was closed for it


def test_a_truncated_database_is_reported_as_damaged_not_as_a_bug(qtbot: QtBot, tmp_path: Path) -> None:
    one = _demo_db(tmp_path / "one.sqlite3")
    whole = _demo_db(tmp_path / "whole.sqlite3")
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(whole.read_bytes()[: 100 * 1024])  # copied while the USB stick was pulled
    window = make_window(qtbot, one)
    _plain(window)
    assert window.open_database_at(cut) is None
    assert window.successor is None
    assert "已损坏或不完整" in window.errors.shown[-1], window.errors.shown


def test_a_database_from_a_newer_version_is_named_so(qtbot: QtBot, tmp_path: Path) -> None:
    import sqlite3

    one = _demo_db(tmp_path / "one.sqlite3")
    future = _demo_db(tmp_path / "future.sqlite3")
    with sqlite3.connect(future) as conn:
        conn.execute("INSERT INTO _migrations VALUES (9999, 'm9999_future', '2027-06-01T00:00:00+00:00')")
    conn.close()
    window = make_window(qtbot, one)
    _plain(window)
    assert window.open_database_at(future) is None and window.successor is None
    assert "更新版本" in window.errors.shown[-1] and "9999" in window.errors.shown[-1]


def test_a_damaged_database_used_last_is_explained_at_start_and_not_reopened(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from incident_app.app import run_gui
    from incident_app.storage.database import ENV_DB
    from incident_app.ui.database.recent import add_recent

    monkeypatch.delenv(ENV_DB, raising=False)
    whole = _demo_db(tmp_path / "whole.sqlite3")
    damaged = tmp_path / "外接盘 backup" / "breach.sqlite3"
    damaged.parent.mkdir()
    damaged.write_bytes(whole.read_bytes()[: 100 * 1024])  # the copy stopped when the stick was pulled
    add_recent(damaged)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, _title, text, *a: shown.append(text)))
    assert run_gui([]) == 1  # was the 'unexpected error, send it to the maintainers' box
    assert len(shown) == 1 and "已损坏或不完整" in shown[0] and "上次使用的数据库" in shown[0]
    assert damaged not in [r.path for r in recent_databases()]  # the next start does not stop on it again


@pytest.mark.parametrize("tab", ["notices", "people"])
def test_switching_waits_for_a_running_send_or_import(qtbot: QtBot, tmp_path: Path, tab: str) -> None:
    window = make_window(qtbot, _demo_db(tmp_path / "a.sqlite3"))
    window.refresh()
    workspace = window.open_incident(1)
    page = workspace.tab_widgets[tab]
    if tab == "notices":
        dialog = page.open_send_dialog() or page.send_dialog
        dialog._running, dialog._job_kind = True, "send"  # a send paused half-way (its worker waits)
    else:
        dialog = page.open_import_dialog()
        dialog.show()
        dialog._set_running(True)  # an import half-way
    assert dialog.isVisible()
    asked: list[str] = []
    window.confirm = lambda _title, text: asked.append(text) or True  # would say "yes, discard"
    _plain(window)
    other = _demo_db(tmp_path / "b.sqlite3")
    # Before: the dialog was listed as 'unsaved edits', closed under its running job, and
    # runner.wait_all() froze the window until the send ended (forever while paused).
    assert window.open_database_at(other) is None
    assert asked == [] and dialog.isVisible() and window.successor is None and workspace.isVisible()
    assert "发送或导入" in window.statusBar().currentMessage()
    if tab == "notices":
        dialog._running = False
    else:
        dialog._set_running(False)


# The real start-up (run_gui) in its own process: it installs the excepthook, the deadline tray and
# the change watcher for the life of the process, which in the test process outlived the test and
# made later tests time out or crash.
_LOOK_AND_QUIT = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from incident_app.app import run_gui
from incident_app.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
seen = []

def look_and_quit():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
    seen.append([window.windowTitle(), window.statusBar().currentMessage()])
    app.quit()

QTimer.singleShot(1500, look_and_quit)
code = run_gui([])
print(json.dumps({"code": code, "seen": seen}, ensure_ascii=False))
"""


def test_starting_on_an_older_database_because_the_last_is_unplugged_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json
    import os
    import subprocess
    import sys

    from incident_app.storage.database import ENV_DB
    from incident_app.ui.database.recent import add_recent

    monkeypatch.delenv(ENV_DB, raising=False)
    older = _demo_db(tmp_path / "older.sqlite3")
    stick = tmp_path / "U盘 stick" / "breach.sqlite3"  # the database used last, on a drive now unplugged
    add_recent(older)
    add_recent(stick)
    root = Path(__file__).resolve().parents[3]
    env = os.environ | {"PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", _LOOK_AND_QUIT], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    title, message = result["seen"][0]
    assert title.endswith("older.sqlite3")  # the title says which database this is
    assert str(stick) in message and str(older) in message and "不可用" in message
