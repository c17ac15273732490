"""Progress and cancellation as plain Python objects, passed into long-running services.

The Qt adapter (jobs/) polls or throttles these; services never know about threads or Qt."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):  # noqa: N818 - reads as an event: the work was cancelled
    """Raised inside a service when the user cancelled; the service rolls back or stops cleanly."""


@dataclass(frozen=True)
class ProgressSnapshot:
    done: int
    total: int | None
    message: str
    rate_per_s: float


class Progress:
    """Counts work done and carries the cancel flag. Safe to read from another thread."""

    def __init__(self, on_change: Callable[[ProgressSnapshot], None] | None = None,
                 min_interval_s: float = 0.1) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._done = 0
        self._total: int | None = None
        self._message = ""
        self._started = time.monotonic()
        self._last_emit = 0.0
        self._on_change = on_change
        self._min_interval = min_interval_s

    def start(self, total: int | None, message: str = "") -> None:
        with self._lock:
            self._total, self._done, self._message = total, 0, message
            self._started = time.monotonic()
        self._emit(force=True)

    def advance(self, count: int = 1, message: str | None = None) -> None:
        """Add ``count`` units; raises :class:`Cancelled` if cancel was requested."""
        with self._lock:
            self._done += count
            if message is not None:
                self._message = message
        self._emit()
        self.check()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            elapsed = max(time.monotonic() - self._started, 1e-9)
            return ProgressSnapshot(self._done, self._total, self._message, self._done / elapsed)

    def finish(self) -> None:
        self._emit(force=True)

    def _emit(self, force: bool = False) -> None:
        # Throttled so that a million-row loop does not flood the listener.
        if self._on_change is None:
            return
        now = time.monotonic()
        if force or now - self._last_emit >= self._min_interval:
            self._last_emit = now
            self._on_change(self.snapshot())
