"""The start-up dialog for an encrypted database: asks for the passphrase, checks it off the UI
thread, says clearly when it is wrong (the file is untouched) and lets the officer retry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from incident_app.domain.i18n import Translator
from incident_app.domain.passphrase import WrongPassphrase
from incident_app.jobs.background import BackgroundCall, SyncBackgroundCall


class PassphraseDialog(QDialog):
    """``attempt(passphrase)`` returns the connect hook or raises :class:`WrongPassphrase`; on
    success the dialog keeps the hook in :attr:`connect_hook` and accepts. The passphrase is
    cleared from the field after every attempt."""

    attempt_failed = Signal(str)

    def __init__(self, db_path: Path, tr: Translator, attempt: Callable[[str], Any],
                 caller: BackgroundCall | SyncBackgroundCall, parent: Any = None) -> None:
        super().__init__(parent)
        self._tr, self._attempt, self._caller = tr, attempt, caller
        self.connect_hook: Any = None
        caller.succeeded.connect(self._on_caller_succeeded)
        caller.failed.connect(self._on_caller_failed)
        self._build(db_path)

    def _build(self, db_path: Path) -> None:
        t = self._tr.t
        self.setWindowTitle(t("proof.passphrase.title"))
        self.intro = QLabel(t("proof.passphrase.intro", path=str(db_path)))
        self.intro.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setObjectName("passphraseField")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(t("proof.passphrase.placeholder"))
        self.message = QLabel()
        self.message.setObjectName("passphraseMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.unlock_button = self.buttons.addButton(t("proof.passphrase.unlock"), role.AcceptRole)
        self.quit_button = self.buttons.addButton(t("proof.passphrase.quit"), role.RejectRole)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.field, self.message, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)

    def try_unlock(self) -> None:
        """Check the typed passphrase in the background; the inputs wait until it answers."""
        passphrase = self.field.text()
        if not passphrase:
            self.message.setText(self._tr.t("proof.passphrase.empty"))
            return
        self.field.clear()
        self._set_busy(True)
        self._caller.start(lambda: self._attempt(passphrase))

    def _set_busy(self, busy: bool) -> None:
        self.field.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        if busy:
            self.message.setText(self._tr.t("proof.passphrase.checking"))

    def _on_caller_succeeded(self, hook: Any) -> None:
        self.connect_hook = hook
        self.accept()

    def _on_caller_failed(self, exc: BaseException, details: str) -> None:
        self._set_busy(False)
        if isinstance(exc, WrongPassphrase):
            text = self._tr.t("proof.passphrase.wrong")
        else:
            text = self._tr.t("proof.passphrase.cannot_open", message=str(exc))
        self.message.setText(text)
        self.field.setFocus()
        self.attempt_failed.emit(text)

    def done(self, result: int) -> None:
        # Do not close under a running check: its answer would arrive at a deleted dialog.
        self._caller.wait()
        super().done(result)
