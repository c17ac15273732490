"""Asking how to open another database from File → New / Open / Recent: a new file is created
plain or encrypted (the first-start dialog), an encrypted one asks for its passphrase (the
start-up passphrase dialog). Both return (go on?, connect hook)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from incident_app.domain.i18n import Translator
from incident_app.jobs.background import BackgroundCall
from incident_app.services.encryption import DatabaseKind, connect_hook_for, database_kind
from incident_app.ui.database.new_database_dialog import NewDatabaseDialog
from incident_app.ui.database.passphrase_dialog import PassphraseDialog


def ask_connect_hook(parent: QWidget | None, path: Path, tr: Translator) -> tuple[bool, Any]:
    """The connect hook for ``path``: None for a plain file; the passphrase dialog for an
    encrypted one; the plain-or-encrypted choice for a new (missing or empty) one."""
    kind = database_kind(path)
    if kind is DatabaseKind.PLAIN:
        return True, None
    if kind is DatabaseKind.NEW:
        new = NewDatabaseDialog(path, tr, lambda p: connect_hook_for(path, p, encrypt_new=True), BackgroundCall(),
                                parent)
        return new.exec() == QDialog.DialogCode.Accepted, new.connect_hook
    dialog = PassphraseDialog(path, tr, lambda p: connect_hook_for(path, p), BackgroundCall(), parent)
    return dialog.exec() == QDialog.DialogCode.Accepted, dialog.connect_hook
