"""The only bridge from services to Qt threads (STYLE.md: Anki's ``Op``).

``runner.run(fn, on_success=…, on_failure=…)`` runs ``fn(services, progress)`` on a worker thread
with its own Services (its own SQLite connection) and delivers the result by a queued signal on
the UI thread. Workers never touch widgets. Tests use :class:`SyncJobRunner`."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from incident_app.services.container import Services, ServicesFactory
from incident_app.services.progress import Progress, ProgressSnapshot

JobFn = Callable[[Services, Progress], Any]
SuccessCb = Callable[[Any], None]
FailureCb = Callable[[BaseException, str], None]
ProgressCb = Callable[[ProgressSnapshot], None]

log = logging.getLogger(__name__)


def callback_owner(cb: Callable[..., Any] | None) -> object | None:
    """The object a callback delivers to: a bound method's ``self``, or the ``self`` a lambda
    closes over (``lambda r: self.model.set_rows(r)``). An ErrorReporter stands for its widget."""
    if cb is None:
        return None
    owner = getattr(cb, "__self__", None)
    if owner is None:
        code = getattr(cb, "__code__", None)
        cells = getattr(cb, "__closure__", None) or ()
        names = code.co_freevars if code is not None else ()
        owner = next((cell.cell_contents for name, cell in zip(names, cells, strict=False) if name == "self"), None)
    return getattr(owner, "_parent", owner) if owner is not None and not isinstance(owner, QObject) else owner


def owner_alive(cb: Callable[..., Any] | None) -> bool:
    """False when the callback's widget was deleted by Qt (a closed workspace, tabs rebuilt on a
    language switch) while its job was running: the result has nowhere to go and is dropped,
    instead of raising 'Internal C++ object already deleted'."""
    owner = callback_owner(cb)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


@dataclass
class JobHandle:
    """What the caller keeps: the progress object (to cancel) and a done flag."""

    progress: Progress
    done: threading.Event


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(object)


class _Worker(QRunnable):
    def __init__(self, fn: JobFn, factory: ServicesFactory, signals: _Signals, handle: JobHandle) -> None:
        super().__init__()
        self._fn, self._factory, self._signals, self._handle = fn, factory, signals, handle

    def run(self) -> None:
        try:
            services = self._factory()
            try:
                result = self._fn(services, self._handle.progress)
            finally:
                services.close()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
            self._signals.failed.emit(exc, traceback.format_exc())
        else:
            self._signals.succeeded.emit(result)
        finally:
            self._handle.done.set()


class JobRunner(QObject):
    """Runs service calls on a thread pool; results arrive on the UI thread."""

    def __init__(self, factory: ServicesFactory, max_threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._keep: set[_Signals] = set()

    def run(self, fn: JobFn, *, on_success: SuccessCb | None = None,
            on_failure: FailureCb | None = None, on_progress: ProgressCb | None = None) -> JobHandle:
        signals = _Signals()
        self._keep.add(signals)
        if on_progress:
            signals.progressed.connect(lambda snapshot: on_progress(snapshot) if owner_alive(on_progress) else None)
        progress = Progress(on_change=signals.progressed.emit)
        handle = JobHandle(progress, threading.Event())
        signals.succeeded.connect(lambda r: self._finish(signals, on_success, r))
        signals.failed.connect(lambda e, tb: self._finish_failed(signals, on_failure, e, tb))
        self._pool.start(_Worker(fn, self._factory, signals, handle))
        return handle

    def _finish(self, signals: _Signals, cb: SuccessCb | None, result: Any) -> None:
        self._keep.discard(signals)
        if cb and self._deliverable(cb):
            cb(result)

    def _finish_failed(self, signals: _Signals, cb: FailureCb | None, exc: BaseException, tb: str) -> None:
        self._keep.discard(signals)
        if cb and self._deliverable(cb):
            cb(exc, tb)

    @staticmethod
    def _deliverable(cb: Callable[..., Any]) -> bool:
        if owner_alive(cb):
            return True
        log.debug("job result dropped: its window was closed while the job ran")
        return False

    def wait_all(self, timeout_ms: int = 30_000) -> bool:
        """Block until all workers finish (shutdown and tests)."""
        return bool(self._pool.waitForDone(timeout_ms))

    def active_count(self) -> int:
        """Jobs running or finished but not yet delivered: a job's commit is shown only once its
        result has reached the UI thread (the change watcher waits until then)."""
        return max(int(self._pool.activeThreadCount()), len(self._keep))


class SyncJobRunner:
    """Same interface, runs on the calling thread: deterministic tests, no threads left over."""

    def __init__(self, factory: ServicesFactory) -> None:
        self._factory = factory

    def run(self, fn: JobFn, *, on_success: SuccessCb | None = None,
            on_failure: FailureCb | None = None, on_progress: ProgressCb | None = None) -> JobHandle:
        progress = Progress(on_change=on_progress)
        handle = JobHandle(progress, threading.Event())
        services = self._factory()
        try:
            result = fn(services, progress)
        except BaseException as exc:
            if on_failure:
                on_failure(exc, traceback.format_exc())
            else:
                raise
        else:
            if on_success:
                on_success(result)
        finally:
            services.close()
            handle.done.set()
        return handle

    def wait_all(self, timeout_ms: int = 0) -> bool:
        return True

    def active_count(self) -> int:
        return 0
