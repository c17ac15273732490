"""Upgrading an existing database before it opens (the first start of a new version, or File →
Open of a file an older version wrote): the migrations run off the UI thread behind a calm,
modal "Upgrading the database…" dialog, so the window keeps painting and nothing else reaches
the file until it is done. A failure is said in plain words; the migrations run in one
transaction, so the file is then as it was (storage/database.py, ``migrate``)."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from incident_app.diagnostics import log_path, scrub
from incident_app.domain.i18n import Translator
from incident_app.jobs.background import BackgroundCall, SyncBackgroundCall
from incident_app.storage.database import migration_backup_path, upgrade_file, upgrade_pending

log = logging.getLogger(__name__)

_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)


def upgrade_failure_reason(exc: BaseException, path: Path) -> str:
    """Which plain reason (``db.upgrade.reason.*``) fits a failed upgrade of ``path``: a full
    disk, a file another program holds, a file that cannot be written, or something else."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS) or name == "SQLITE_FULL" \
            or "database or disk is full" in text or (name.startswith("SQLITE_IOERR") and _no_free_space(path)):
        return "disk_full"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return "locked"
    if (isinstance(exc, OSError) and exc.errno in _READ_ONLY_ERRNOS) or name.startswith("SQLITE_READONLY") \
            or "readonly database" in text:
        return "read_only"
    return "other"


def _no_free_space(path: Path) -> bool:
    # SQLite reports a full disk met creating the write-ahead log as a plain I/O error.
    statvfs = getattr(os, "statvfs", None)  # not on Windows
    try:
        return statvfs is not None and statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


class UpgradeDialog(QDialog):
    """Runs ``upgrade()`` on ``caller``'s thread while it shows what is happening; accepts when
    it is done. On failure it shows why (no traceback: that goes to the diagnostic log) with a
    Close button, and is rejected when closed. It cannot be closed while the upgrade runs: the
    file is in the middle of a transaction."""

    upgrade_failed = Signal(str)  # the text shown

    def __init__(self, path: Path, backup: Path, tr: Translator, upgrade: Callable[[], Any],
                 caller: BackgroundCall | SyncBackgroundCall, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path, self._tr, self._upgrade, self._caller = path, tr, upgrade, caller
        self.running = False
        self.upgraded: bool | None = None  # None while it runs (or before it started)
        caller.succeeded.connect(self._on_upgraded)
        caller.failed.connect(self._on_failed)
        self.setModal(True)
        self.setWindowTitle(tr.t("db.upgrade.title"))
        self.message = QLabel(tr.t("db.upgrade.running", backup=str(backup)))
        self.message.setObjectName("upgradeMessage")
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # no steps to count: SQLite runs each migration as one statement
        self.bar.setTextVisible(False)
        self.buttons = QDialogButtonBox()
        self.close_button = self.buttons.addButton(tr.t("db.upgrade.close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        self.buttons.hide()  # only after a failure
        layout = QVBoxLayout(self)
        for widget in (self.message, self.bar, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(480)

    def start(self) -> None:
        """Begin the upgrade on the background thread (the dialog shows while it runs)."""
        self.running = True
        self._caller.start(self._upgrade)

    def _on_upgraded(self, _names: Any) -> None:
        self.running, self.upgraded = False, True
        self.accept()

    def _on_failed(self, exc: BaseException, details: str) -> None:
        self.running, self.upgraded = False, False
        log.error("database upgrade failed, the file is unchanged: %s", scrub(details))
        reason = self._tr.t(f"db.upgrade.reason.{upgrade_failure_reason(exc, self._path)}", log=str(log_path()))
        text = self._tr.t("db.upgrade.failed", path=str(self._path), reason=reason)
        self.message.setText(text)
        self.bar.hide()
        self.buttons.show()
        self.close_button.setFocus()
        self.upgrade_failed.emit(text)

    def succeeded(self) -> bool:
        """True once the upgrade has finished without error."""
        return self.upgraded is True

    def reject(self) -> None:
        if not self.running:  # Esc while the transaction runs would leave the file opened by nobody
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._caller.wait()
        super().done(result)


def upgrade_before_open(parent: QWidget | None, path: Path, connect_hook: Any, tr: Translator, *,
                        caller: BackgroundCall | SyncBackgroundCall | None = None) -> bool:
    """Bring the existing database at ``path`` up to date before anything opens it: when a
    migration is pending, run them all behind :class:`UpgradeDialog` (modal: nothing else of the
    app reaches the file meanwhile). True when the file is ready to open (also when nothing was
    pending, or the file is new); False after a failure the dialog has shown. Raises what asking
    raises (:class:`~incident_app.storage.database.NewerDatabaseError`, a damaged file)."""
    pending = upgrade_pending(path, connect_hook)
    if not pending:
        return True
    log.info("upgrading %s: %d migration(s) pending, from %s", path, len(pending), pending[0].name)
    dialog = UpgradeDialog(path, migration_backup_path(path, pending[0].number), tr,
                           lambda: upgrade_file(path, connect_hook), caller or BackgroundCall(), parent)
    dialog.start()
    if not dialog.succeeded():  # running (shown until done), or failed already (a synchronous caller: shown)
        dialog.exec()
    upgraded = dialog.succeeded()
    dialog.deleteLater()
    return upgraded
