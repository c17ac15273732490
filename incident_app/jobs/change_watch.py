"""One change-notification path for every open view: a watcher that polls SQLite's
``PRAGMA data_version`` on its own connection and emits ``changed`` when anyone else committed —
a job of this window, another window, or the command line in another process.

Every write in the app goes through a worker's own connection, so this one connection sees all of
them; the pragma reads no table (microseconds on the UI thread).

Two kinds of commit do not make the views refresh again:
- the window's own, already shown: the main window calls :meth:`DataWatcher.absorb` when it
  reloads (after a change made in this window, the reload reads everything committed so far);
- commits that change no record, only the assessment summary cache that the register's helper
  process fills (``Store.record_marker`` stays the same): otherwise every metrics refresh that
  recomputed a summary would be followed by one more refresh."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from incident_app.services.container import Services, ServicesFactory

log = logging.getLogger(__name__)

POLL_MS = 1000


class DataWatcher(QObject):
    """``changed`` fires (at most once per poll) after any commit to the database file. While
    ``busy()`` (jobs running: a send run commits every few rows) the change waits, so the views
    refresh once when the work is done instead of every second during it."""

    changed = Signal()

    def __init__(self, factory: ServicesFactory, interval_ms: int = POLL_MS, *,
                 busy: Callable[[], bool] = lambda: False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = busy
        self._pending = False
        self._services: Services | None = factory()
        self._version = self._services.ctx.store.data_version()
        self._marker = self._services.ctx.store.record_marker()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> bool:
        """Check once; True (and ``changed`` emitted) when the file changed since the last check."""
        if self._services is None:
            return False
        try:
            version = self._services.ctx.store.data_version()
        except Exception:
            log.warning("change watch: could not read the data version", exc_info=True)
            return False
        if version != self._version:
            self._version = version
            marker = self._services.ctx.store.record_marker()
            if marker != self._marker:  # a record changed (not only the summary cache)
                self._marker = marker
                self._pending = True
        if not self._pending or self._busy():
            return False
        self._pending = False
        self.changed.emit()
        return True

    def absorb(self) -> None:
        """Everything committed up to now is being shown (the caller reloads right after): no
        ``changed`` for it. A commit after this call is seen by the next poll as usual."""
        if self._services is None:
            return
        try:
            self._version = self._services.ctx.store.data_version()
            self._marker = self._services.ctx.store.record_marker()
        except Exception:
            log.warning("change watch: could not read the data version", exc_info=True)
            return
        self._pending = False

    def close(self) -> None:
        """Stop polling and close the connection (the main window's close)."""
        self.timer.stop()
        if self._services is not None:
            self._services.close()
            self._services = None
