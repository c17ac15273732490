"""Opening a database an older version left (at migration 35): the migrations run off the UI
thread behind a modal "正在升级数据库…" dialog that keeps painting and cannot be closed midway; a
failure is said in plain words (no traceback) and leaves the file exactly as it was; a current
or new file opens with no dialog at all. One test starts the real GUI in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.jobs.background import BackgroundCall
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.storage.database import Migration, connect, discover_migrations, migrate, upgrade_file
from incident_app.ui.database.upgrade import UpgradeDialog, upgrade_before_open

ROOT = Path(__file__).resolve().parents[3]
LEDGER = ("incident_id, recipient_key, notice_kind, notice_version, to_address, message_id, state, attempts,"
          " in_doubt, queued_at, updated_at, sent_at, channel")
NEWEST = max(m.number for m in discover_migrations())


def incident_row(folder: Path, intake: dict[str, object]) -> dict[str, object]:
    """An incidents row as the app writes it (that table is the same at migration 35)."""
    services = open_services(folder / "template.sqlite3")
    try:
        incident = services.incidents.create(intake)
        row = services.ctx.store.db.execute("SELECT * FROM incidents WHERE id = ?", [incident.id])
        names = [d[0] for d in row.description]
        return dict(zip(names, row.fetchone(), strict=True))
    finally:
        services.close()


def at_35(path: Path, rows: int = 50, incident: dict[str, object] | None = None) -> Path:
    """A database as the version before migrations 36-38 left it, with ``rows`` ledger rows
    written by a clock in Beijing time (which migration 36 rewrites in UTC)."""
    db = connect(path)
    migrate(db, path, until=35)
    with db.atomic():
        if incident is None:
            db.execute("INSERT INTO incidents (id, title, status, discovered_at, facts, created_at, updated_at)"
                       " VALUES (1, 't', 'notifying', '2026-11-19T08:00:00+00:00', '{}',"
                       " '2026-11-19T08:00:00+00:00', '2026-11-19T08:00:00+00:00')")
        else:
            db.table("incidents").insert(incident | {"id": 1})
        stamp = "2026-11-20T23:30:00+08:00"
        db.conn.executemany(f"INSERT INTO send_ledger ({LEDGER}) VALUES (1, ?, 'individual', 'v1', ?, ?, 'sent',"
                            " 1, 0, ?, ?, ?, 'email')",
                            ((f"p{i}", f"u{i}@example.test", f"<{i}@x>", stamp, stamp, stamp) for i in range(rows)))
    db.close()
    return path


def snapshot(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return (conn.execute("SELECT * FROM send_ledger ORDER BY id").fetchall(),
                conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                conn.execute("SELECT number FROM _migrations ORDER BY number").fetchall())


def newest_applied(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT max(number) FROM _migrations").fetchone()[0])


def tr(lang: str = "zh-CN") -> Translator:
    return Translator(load_messages(), lang)


def test_the_upgrade_runs_off_the_ui_thread_behind_a_dialog_that_stays_open(qtbot: QtBot, tmp_path: Path) -> None:
    path = at_35(tmp_path / "old.sqlite3")
    backup = tmp_path / "old.sqlite3.before-m0036.bak"
    ui_thread = threading.get_ident()
    seen: dict[str, object] = {}
    release = threading.Event()

    def upgrade() -> list[str]:
        def held(pending: list[Migration]) -> None:
            # The upgrade waits here until the UI thread has shown it is free (ticks below).
            seen["thread"], seen["pending"] = threading.get_ident(), [m.number for m in pending]
            assert release.wait(20)
        return upgrade_file(path, before_upgrade=held)

    dialog = UpgradeDialog(path, backup, tr(), upgrade, BackgroundCall())
    qtbot.addWidget(dialog)
    dialog.show()
    ticks: list[int] = []
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    dialog.start()
    qtbot.waitUntil(lambda: "thread" in seen, timeout=10_000)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=10_000)  # the event loop runs during the upgrade
    assert dialog.message.text().startswith("正在升级数据库…") and str(backup) in dialog.message.text()
    assert not dialog.close_button.isVisible()
    dialog.reject()  # Esc mid-transaction is ignored
    dialog.close()
    assert dialog.isVisible() and dialog.running
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        release.set()
    assert seen["thread"] != ui_thread and seen["pending"] == list(range(36, NEWEST + 1))
    assert newest_applied(path) == NEWEST and backup.exists()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT DISTINCT sent_at FROM send_ledger").fetchall() == [("2026-11-20T15:30:00+00:00",)]


def test_a_failed_upgrade_says_why_in_plain_words_and_changes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    path = at_35(tmp_path / "old.sqlite3")
    # A table of migration 37's name made by hand: 37 fails after 36 rewrote every ledger row.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE retention_delivery_record (note TEXT)")
        conn.commit()
    before = snapshot(path)
    dialog = UpgradeDialog(path, tmp_path / "old.sqlite3.before-m0036.bak", tr("en"),
                           lambda: upgrade_file(path), BackgroundCall())
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.upgrade_failed, timeout=20_000) as failed:
        dialog.start()
    text = failed.args[0]
    assert text.startswith(f"The database {path} could not be upgraded: something went wrong during the upgrade")
    assert "Nothing in the database was changed" in text and "breach-desk.log" in text
    assert "Traceback" not in text and "already exists" not in text and "OperationalError" not in text
    assert dialog.message.text() == text and dialog.close_button.isVisible() and not dialog.bar.isVisible()
    assert snapshot(path) == before  # m36's rewrite went with m37's failure
    with qtbot.waitSignal(dialog.rejected, timeout=5_000):
        dialog.close_button.click()
    assert not dialog.succeeded()


def test_a_locked_file_is_named_as_held_by_another_program(qtbot: QtBot, tmp_path: Path) -> None:
    path = at_35(tmp_path / "old.sqlite3")
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # another program in the middle of writing
    try:
        def upgrade() -> list[str]:
            db = connect(path)
            db.execute("PRAGMA busy_timeout=100")  # not the 10 s a real open waits
            try:
                return migrate(db, path)
            finally:
                db.close()

        dialog = UpgradeDialog(path, tmp_path / "b.bak", tr(), upgrade, BackgroundCall())
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.upgrade_failed, timeout=20_000) as failed:
            dialog.start()
    finally:
        holder.rollback()
        holder.close()
    assert "另一个程序正在使用这个文件" in failed.args[0] and "数据库没有任何改动" in failed.args[0]
    assert newest_applied(path) == 35


def test_a_current_or_new_file_opens_without_a_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    current = tmp_path / "current.sqlite3"
    connect(current).close()
    db = connect(current)
    migrate(db, current)
    db.close()
    assert upgrade_before_open(None, current, None, tr()) is True
    assert upgrade_before_open(None, tmp_path / "new.sqlite3", None, tr()) is True
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, UpgradeDialog)]


def test_switching_to_an_older_file_upgrades_it_first(qtbot: QtBot, tmp_path: Path,
                                                     intake: dict[str, object]) -> None:
    from helpers import make_window

    window = make_window(qtbot, tmp_path / "current.sqlite3")
    window.ask_hook = lambda _parent, _path, _tr: (True, None)
    window.show()
    older = at_35(tmp_path / "older.sqlite3", rows=30_000, incident=incident_row(tmp_path, intake))
    shown: list[str] = []

    def look() -> None:
        shown.extend(w.message.text() for w in QApplication.topLevelWidgets()
                     if isinstance(w, UpgradeDialog) and w.isVisible())

    timer = QTimer(window)
    timer.timeout.connect(look)
    timer.start(5)
    other = window.open_database_at(older)
    timer.stop()
    assert other is not None and other.db_path == older
    qtbot.addWidget(other)
    assert newest_applied(older) == NEWEST and window.successor is other
    assert shown and shown[0].startswith("正在升级数据库…"), shown


_START_AND_WATCH = """
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from incident_app.app import run_gui
from incident_app.ui.database.upgrade import UpgradeDialog
from incident_app.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
seen = {"dialog": [], "ticks": 0, "longest_gap": 0.0, "window": None}
last = [time.monotonic()]

def tick():
    now = time.monotonic()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, UpgradeDialog) and w.isVisible()]
    if dialogs:
        seen["ticks"] += 1
        seen["longest_gap"] = max(seen["longest_gap"], now - last[0])
        if not seen["dialog"]:
            seen["dialog"] = [dialogs[0].windowTitle(), dialogs[0].message.text()]
    last[0] = now
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if windows and seen["window"] is None:
        seen["window"] = windows[0].windowTitle()
        QTimer.singleShot(200, app.quit)

timer = QTimer()
timer.timeout.connect(tick)
timer.start(10)
code = run_gui(sys.argv[1:])
print(json.dumps({"code": code, "seen": seen}, ensure_ascii=False))
"""


def test_the_gui_starts_on_an_older_database_behind_the_upgrade_dialog(tmp_path: Path,
                                                                     intake: dict[str, object]) -> None:
    """The real start-up: the window arrives after the upgrade, the UI thread ticking meanwhile."""
    # About a second of migrations: a frozen UI thread would show in the gaps.
    path = at_35(tmp_path / "older.sqlite3", rows=150_000, incident=incident_row(tmp_path, intake))
    env = os.environ | {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    env.pop("INCIDENT_APP_LANG", None)
    done = subprocess.run([sys.executable, "-c", _START_AND_WATCH, "--db", str(path)], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    seen = result["seen"]
    assert seen["dialog"][0] == "升级数据库" and seen["dialog"][1].startswith("正在升级数据库…"), seen
    assert seen["ticks"] >= 3 and seen["window"] is not None, seen
    # A frozen UI thread would show one gap as long as the whole upgrade.
    assert seen["longest_gap"] < 0.5, seen
    assert newest_applied(path) == NEWEST and "Traceback" not in done.stderr


def test_an_older_encrypted_database_upgrades_on_its_own_connection(qtbot: QtBot, tmp_path: Path) -> None:
    """The worker opens the file through the unlocked connect hook (SQLCipher) and closes it."""
    from incident_app.services.encryption import connect_hook_for

    path = tmp_path / "secret.sqlite3"
    db = connect(path, connect_hook_for(path, "correct horse battery staple", encrypt_new=True, iterations=2))
    migrate(db, path, until=35)
    db.close()
    hook = connect_hook_for(path, "correct horse battery staple", iterations=2)
    assert upgrade_before_open(None, path, hook, tr("en")) is True
    db = connect(path, hook)
    try:
        assert max(row[0] for row in db.execute("SELECT number FROM _migrations")) == NEWEST
    finally:
        db.close()
    assert (tmp_path / "secret.sqlite3.before-m0036.bak").exists()
