"""The one place that shows errors: known environment errors get a plain message and a retry;
anything else is a bug and gets one dialog with the details."""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from incident_app.diagnostics import log_path, scrub
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.proof import ChainKeyMissingError
from incident_app.services.ledger_keys import SharedLedgerKeyError
from incident_app.services.private_files import OutputRefusedError
from incident_app.services.register.helper import HelperFailedError
from incident_app.storage.database import is_busy

log = logging.getLogger(__name__)

ENVIRONMENT_ERRORS: tuple[type[BaseException], ...] = (OSError, sqlite3.OperationalError, ConnectionError, TimeoutError)


def is_environment_error(exc: BaseException) -> bool:
    return isinstance(exc, (*ENVIRONMENT_ERRORS, ValidationError, NotFoundError, ChainKeyMissingError))


def shared_ledger_key_text(exc: SharedLedgerKeyError, tr: Translator) -> str:
    """The refusal to send or hand off while two people would share a send-ledger key, in ``tr``'s
    language, one line per pair naming both people: the service's English is worded for the CLI
    (``people … --edit``). Each person is named as ``#210``, which the People tab's search finds
    and its first column shows; pairs beyond those named are counted on a last line. The dialogs
    that show refusals beside their buttons use it too."""
    lines = [tr.t("error.shared_ledger_key_kept_twice", first=first, second=second) for first, second in exc.kept_twice]
    lines += [tr.t("error.shared_ledger_key", kept=kept, other=other) for kept, other in exc.pairs]
    if exc.more:
        lines.append(tr.t("error.shared_ledger_key_more", more=f"{exc.more:,}", shown=len(exc.pairs)))
    return "\n".join(lines)


class ErrorReporter:
    """Shows failures from jobs and slots; ``retry`` is offered for environment errors."""

    def __init__(self, parent: QWidget | None, tr: Translator) -> None:
        self._parent = parent
        self.tr = tr
        self.shown: list[str] = []  # kept for tests and for the status bar
        # Tests turn this off so no modal dialog blocks; the message is still recorded.
        self.interactive = True
        self.last_details = ""

    def show(self, exc: BaseException, details: str = "", retry: Callable[[], None] | None = None) -> None:
        if is_environment_error(exc):
            self._show_environment(exc, retry)
        else:
            self._show_bug(exc, details)

    def _show_environment(self, exc: BaseException, retry: Callable[[], None] | None) -> None:
        text = self.tr.t("error.environment", message=self._plain(exc))
        self.shown.append(text)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr.t("error.title"), text, parent=self._parent)
        retry_button = box.addButton(self.tr.t("common.retry"), QMessageBox.ButtonRole.AcceptRole) if retry else None
        box.addButton(QMessageBox.StandardButton.Close)
        if not self.interactive:
            return
        box.exec()
        if retry and box.clickedButton() is retry_button:
            retry()

    def _plain(self, exc: BaseException) -> str:
        """A full disk in words (exports remove their partial files, services/private_files.py); a
        missing event-log key in the officer's language, with where it was looked for."""
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return self.tr.t("error.disk_full")
        if is_busy(exc):  # another window or command held the write lock for the whole busy timeout
            return self.tr.t("error.database_busy")
        if isinstance(exc, OutputRefusedError) and exc.reason:  # the service's English, said in the screen's language
            return self.tr.t(f"error.output_refused.{exc.reason}", path=exc.target)
        if isinstance(exc, HelperFailedError):  # the register's helper process (an export)
            return self.tr.t(f"error.helper_failed.{exc.reason}", detail=exc.detail)
        if isinstance(exc, SharedLedgerKeyError):
            return shared_ledger_key_text(exc, self.tr)
        if isinstance(exc, ChainKeyMissingError):
            return self.tr.t("audit.key_missing_write", database_id=exc.database_id, where=exc.looked_in)
        return str(exc)

    def _show_bug(self, exc: BaseException, details: str) -> None:
        # The details go to the diagnostic log and to the clipboard for the maintainers: both are
        # scrubbed of anything shaped like an address, a phone or an ID number.
        details = scrub(details or "".join(traceback.format_exception(exc)))
        log.error("unexpected error: %s", details)
        text = self.tr.t("error.bug") + "\n\n" + self.tr.t("error.log_path", path=str(log_path()))
        self.shown.append(f"{text} {exc!r}")
        box = QMessageBox(QMessageBox.Icon.Critical, self.tr.t("error.title"), text, parent=self._parent)
        box.setDetailedText(details)
        copy = box.addButton(self.tr.t("error.copy_details"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        copy.clicked.disconnect()  # keep the box open: copying is not an answer
        copy.clicked.connect(lambda: self.copy_details(details))
        self.last_details = details
        if self.interactive:
            box.exec()

    @staticmethod
    def copy_details(details: str) -> None:
        """Put the (scrubbed) details on the clipboard for a support request."""
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(details)


def install_excepthook(reporter: ErrorReporter) -> None:
    """Uncaught exceptions (in a slot, a timer, a signal handler) get the calm bug dialog and a
    line in the diagnostic log instead of a bare traceback on a console nobody sees."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        reporter.show(exc, "".join(traceback.format_exception(exc_type, exc, tb)))

    sys.excepthook = hook
