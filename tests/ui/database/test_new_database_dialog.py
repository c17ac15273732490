"""First start on a new file: the officer chooses plain or encrypted, once, when it is created."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.services.container import open_services
from incident_app.services.encryption import DatabaseKind, connect_hook_for, database_kind
from incident_app.services.resources import load_messages
from incident_app.ui.database.new_database_dialog import NewDatabaseDialog


def dialog_for(qtbot: QtBot, db: Path) -> NewDatabaseDialog:
    dialog = NewDatabaseDialog(db, Translator(load_messages(), "zh-CN"),
                               lambda p: connect_hook_for(db, p, encrypt_new=True))
    qtbot.addWidget(dialog)
    return dialog


def test_plain_is_the_default_and_needs_no_passphrase(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path / "db.sqlite3")
    assert not dialog.encrypt.isChecked() and not dialog.passphrase.isEnabled()
    dialog.create_database()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.connect_hook is None


def test_encrypted_database_is_created_with_the_chosen_passphrase(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    dialog = dialog_for(qtbot, db)
    dialog.encrypt.setChecked(True)
    dialog.passphrase.setText("short")
    dialog.confirmation.setText("short")
    dialog.create_database()
    assert "至少需要 10 个字符" in dialog.message.text() and dialog.result() != dialog.DialogCode.Accepted
    dialog.passphrase.setText("correct horse battery")
    dialog.confirmation.setText("correct horse batterY")
    dialog.create_database()
    assert dialog.connect_hook is None and "不一致" in dialog.message.text()  # a mistyped confirmation
    dialog.passphrase.setText("correct horse battery")
    dialog.confirmation.setText("correct horse battery")
    dialog.create_database()
    assert dialog.connect_hook is not None and dialog.passphrase.text() == ""
    open_services(db, connect_hook=dialog.connect_hook).close()
    assert database_kind(db) is DatabaseKind.ENCRYPTED
