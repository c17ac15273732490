"""Running one plain callable off the UI thread, for work that happens before there are any
Services to hand a job (unlocking an encrypted database: the key derivation takes ~130 ms, more
than the UI thread may spend). Results arrive on the UI thread by queued signals."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], Any], owner: BackgroundCall) -> None:
        super().__init__()
        self._fn, self._owner = fn, owner

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the UI as a signal
            self._owner.failed.emit(exc, traceback.format_exc())
        else:
            self._owner.succeeded.emit(result)


class BackgroundCall(QObject):
    """``start(fn)`` runs ``fn()`` on a private one-thread pool; ``succeeded(result)`` or
    ``failed(exc, traceback)`` follow on the thread that owns this object."""

    succeeded = Signal(object)
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    def start(self, fn: Callable[[], Any]) -> None:
        self._pool.start(_Call(fn, self))

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the call finished (shutdown and tests)."""
        return bool(self._pool.waitForDone(timeout_ms))


class SyncBackgroundCall(QObject):
    """Same interface, runs ``fn`` on the calling thread: deterministic tests."""

    succeeded = Signal(object)
    failed = Signal(object, str)

    def start(self, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(exc, traceback.format_exc())
        else:
            self.succeeded.emit(result)

    def wait(self, timeout_ms: int = 0) -> bool:
        return True
