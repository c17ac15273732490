from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from incident_app.app import build_main_window, unlock_database
from incident_app.domain.i18n import Translator
from incident_app.jobs.background import BackgroundCall, SyncBackgroundCall
from incident_app.services.container import open_services
from incident_app.services.encryption import connect_hook_for
from incident_app.services.resources import load_messages
from incident_app.ui.database.passphrase_dialog import PassphraseDialog

PASS = "correct horse battery staple"
FAST = 2


def encrypted_db(tmp_path: Path) -> Path:
    path = tmp_path / "secret.sqlite3"
    open_services(path, connect_hook=connect_hook_for(path, PASS, encrypt_new=True, iterations=FAST)).close()
    return path


def make_dialog(qtbot: QtBot, path: Path, caller, lang: str = "zh-CN") -> PassphraseDialog:  # type: ignore[no-untyped-def]
    tr = Translator(load_messages(), lang)
    dialog = PassphraseDialog(path, tr, lambda p: connect_hook_for(path, p, iterations=FAST), caller)
    qtbot.addWidget(dialog)
    return dialog


def test_wrong_passphrase_says_so_and_allows_a_retry(qtbot: QtBot, tmp_path: Path) -> None:
    path = encrypted_db(tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    dialog = make_dialog(qtbot, path, SyncBackgroundCall())
    dialog.field.setText("not it at all")
    dialog.unlock_button.click()
    assert "口令不正确" in dialog.message.text() and "未被改动" in dialog.message.text()
    assert dialog.field.text() == "" and dialog.field.isEnabled()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    dialog.field.setText(PASS)
    dialog.unlock_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.connect_hook is not None


def test_check_runs_in_the_background(qtbot: QtBot, tmp_path: Path) -> None:
    path = encrypted_db(tmp_path)
    caller = BackgroundCall()
    dialog = make_dialog(qtbot, path, caller, lang="en")
    dialog.field.setText("nope nope nope")
    with qtbot.waitSignal(dialog.attempt_failed, timeout=10_000) as blocker:
        dialog.unlock_button.click()
    assert "Wrong passphrase" in blocker.args[0]
    dialog.field.setText(PASS)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.unlock_button.click()
    assert caller.wait()


def test_empty_passphrase_is_not_tried(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, encrypted_db(tmp_path), SyncBackgroundCall(), lang="en")
    dialog.unlock_button.click()
    assert dialog.message.text() == "Type the passphrase first."


def test_main_window_runs_on_an_unlocked_database(qtbot: QtBot, tmp_path: Path) -> None:
    path = encrypted_db(tmp_path)
    hook = connect_hook_for(path, PASS, iterations=FAST)
    window = build_main_window(path, "zh-CN", synchronous=True, connect_hook=hook)
    qtbot.addWidget(window)
    window.errors.interactive = False
    window.load_demo()
    assert window.model.rowCount() == 1 and not window.errors.shown
    data = path.read_bytes()  # encrypted: no SQLite header, and none of the demo's texts
    assert not data.startswith(b"SQLite format 3")
    # (a three-byte marker such as "SDK" also turns up by chance in ~2% of 280 KB of cipher text)
    assert "受影响".encode() not in data  # the demo's plain database holds it


def test_start_up_asks_only_for_an_encrypted_file(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tr = Translator(load_messages(), "en")
    assert unlock_database(tmp_path / "plain.sqlite3", tr) == (True, None)
    path = encrypted_db(tmp_path)
    monkeypatch.setattr("incident_app.app.connect_hook_for", lambda p, passphrase: connect_hook_for(
        p, passphrase, iterations=FAST))

    def type_passphrase() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PassphraseDialog)
        dialog.field.setText(PASS)
        dialog.unlock_button.click()

    QTimer.singleShot(0, type_passphrase)
    unlocked, hook = unlock_database(path, tr)
    assert unlocked and hook is not None


def test_first_start_on_a_new_file_asks_plain_or_encrypted(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtCore import QTimer

    from incident_app.app import choose_new_database
    from incident_app.ui.database.new_database_dialog import NewDatabaseDialog

    tr = Translator(load_messages(), "zh-CN")
    existing = encrypted_db(tmp_path)
    assert choose_new_database(existing, tr) == (True, None)  # an existing file: no question

    seen: list[str] = []

    def choose_plain() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewDatabaseDialog)
        seen.append(dialog.windowTitle())
        dialog.create_database()

    QTimer.singleShot(0, choose_plain)
    assert choose_new_database(tmp_path / "new.sqlite3", tr) == (True, None)
    assert seen == ["新建数据库"]
