"""First start on a new database file: the officer chooses, once, whether it is encrypted at rest
(SQLCipher) — the choice is made when the database is created (README: Encryption at rest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.passphrase import MIN_PASSPHRASE_LENGTH, check_new_passphrase
from incident_app.jobs.background import BackgroundCall, SyncBackgroundCall


class NewDatabaseDialog(QDialog):
    """Create the database plain or encrypted. ``make_hook(passphrase)`` returns the connect hook
    for a new encrypted file; after Accept, :attr:`connect_hook` holds it (None = plain)."""

    def __init__(self, db_path: Path, tr: Translator, make_hook: Callable[[str], Any],
                 caller: BackgroundCall | SyncBackgroundCall | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._tr, self._make_hook = tr, make_hook
        # Deriving the key (PBKDF2, ~0.1 s) runs off the UI thread, as the unlock dialog does.
        self._caller = caller or SyncBackgroundCall()
        self._caller.succeeded.connect(self._on_key_ready)
        self._caller.failed.connect(self._on_key_failed)
        self.connect_hook: Any = None
        t = tr.t
        self.setWindowTitle(t("proof.newdb.title"))
        self.intro = QLabel(t("proof.newdb.intro", path=str(db_path)))
        self.intro.setWordWrap(True)
        self.encrypt = QCheckBox(t("proof.newdb.encrypt"))
        self.encrypt.toggled.connect(self._on_encrypt_toggled)
        self.passphrase, self.confirmation = QLineEdit(), QLineEdit()
        for field, key in ((self.passphrase, "proof.newdb.passphrase"), (self.confirmation, "proof.newdb.again")):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(t(key))
            field.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(t("proof.newdb.create"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(t("proof.passphrase.quit"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.create_database)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.encrypt, self.passphrase, self.confirmation, self.message, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(480)

    def _on_encrypt_toggled(self, on: bool) -> None:
        self.passphrase.setEnabled(on)
        self.confirmation.setEnabled(on)

    def create_database(self) -> None:
        """Accept with the chosen mode; a weak or mistyped passphrase is refused with the reason."""
        if not self.encrypt.isChecked():
            self.accept()
            return
        typed, again = self.passphrase.text(), self.confirmation.text()
        # The two usual mistakes get a message in the officer's language; anything rarer keeps
        # the validator's own wording.
        if len(typed) < MIN_PASSPHRASE_LENGTH:
            self.message.setText(self._tr.t("proof.newdb.too_short", n=MIN_PASSPHRASE_LENGTH))
            return
        if typed != again:
            self.confirmation.clear()
            self.message.setText(self._tr.t("proof.newdb.mismatch"))
            return
        try:
            passphrase = check_new_passphrase(typed, again)
        except ValidationError as exc:
            self.message.setText(self._tr.t("proof.newdb.refused", reason="; ".join(p.message for p in exc.problems)))
            return
        finally:
            self.confirmation.clear()
        self.passphrase.clear()
        self.create_button.setEnabled(False)
        self._caller.start(lambda: self._make_hook(passphrase))

    def _on_key_ready(self, hook: Any) -> None:
        self.connect_hook = hook
        self.accept()

    def _on_key_failed(self, exc: BaseException, _details: str) -> None:
        self.create_button.setEnabled(True)
        self.message.setText(self._tr.t("proof.newdb.refused", reason=str(exc)))
