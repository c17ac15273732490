"""The network side of sending: aiosmtplib on an asyncio loop in its own thread.

N workers each own one persistent SMTP connection (one client object per worker: aiosmtplib
clients must not be shared by concurrent sends), take ready-built messages from one queue, respect
a shared messages-per-second pacer, and report every attempt's outcome on a thread-safe queue.
Nothing here touches SQLite: the calling thread owns the ledger (services/mail/run.py)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from incident_app.domain.mail.sending import SmtpSettings
from incident_app.services.mail.connection import (
    ConnectFailure,
    Job,
    Outcome,
    SendAborted,
    SessionBroken,
    SmtpConnection,
    tls_context_for,
)

__all__ = ["Aborted", "Crashed", "Job", "NetworkEvent", "Outcome", "Released", "SendAborted", "SmtpDispatcher",
           "Stopped", "run_in_own_thread", "wait_for_thread"]

T = TypeVar("T")
CONNECT_TRIES = 3  # consecutive connection failures before a worker gives up


@dataclass(frozen=True)
class Released:
    """Jobs handed back unattempted (stop or abort)."""

    row_ids: tuple[int, ...]


@dataclass(frozen=True)
class Aborted:
    """The relay cannot be used at all (login refused, TLS broken, unreachable, sender refused)."""

    reason: str


@dataclass(frozen=True)
class Stopped:
    """Every worker has ended and every connection is closed."""


@dataclass(frozen=True)
class Crashed:
    """A bug in the network thread; the caller re-raises it."""

    error: BaseException


NetworkEvent = Outcome | Released | Aborted | Stopped | Crashed


class Pacer:
    """Shared messages-per-second limit: each send takes the next free time slot."""

    def __init__(self, rate_per_s: float | None) -> None:
        self._interval = 1.0 / rate_per_s if rate_per_s else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self._interval:
            return
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class SmtpDispatcher:
    """Runs the workers on a private event loop thread. Thread-safe entry points: :meth:`submit`,
    :meth:`drain` (finish queued work, then stop) and :meth:`stop_now` (hand back queued work)."""

    def __init__(self, settings: SmtpSettings, password: str | None, events: queue.Queue[NetworkEvent]) -> None:
        self._settings, self._password, self._events = settings, password, events
        self._ready, self._done = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=_then_set(self._thread_main, self._done), name="smtp-dispatcher",
                                        daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[Job | None] | None = None
        self._connections: list[SmtpConnection] = []
        self._stopping = False
        self._probe: asyncio.Lock | None = None
        self._relay_ok: asyncio.Event | None = None

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def submit(self, jobs: Sequence[Job]) -> None:
        self._call(self._put_all, list(jobs))

    def drain(self) -> None:
        self._call(self._close_outbox)

    def stop_now(self) -> None:
        self._call(self._stop_now)

    def join(self, timeout: float | None = None) -> bool:
        return wait_for_thread(self._thread, self._done, timeout)

    def _call(self, fn: Callable[..., None], *args: object) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already ended: nothing left to tell it
            self._loop.call_soon_threadsafe(fn, *args)

    # -- inside the loop ------------------------------------------------------------------------
    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - a bug here must reach the calling thread
            self._ready.set()
            self._events.put(Crashed(exc))
        self._events.put(Stopped())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue()
        tls = tls_context_for(self._settings)
        self._connections = [SmtpConnection(self._settings, self._password, tls)
                             for _ in range(self._settings.concurrency)]
        pacer = Pacer(self._settings.rate_per_s)
        self._probe, self._relay_ok = asyncio.Lock(), asyncio.Event()
        self._ready.set()
        await asyncio.gather(*(self._worker(conn, pacer) for conn in self._connections))

    def _put_all(self, jobs: list[Job]) -> None:
        assert self._outbox is not None
        if self._stopping:
            self._events.put(Released(tuple(j.row_id for j in jobs)))
            return
        for job in jobs:
            self._outbox.put_nowait(job)

    def _close_outbox(self) -> None:
        assert self._outbox is not None
        for _ in self._connections:
            self._outbox.put_nowait(None)

    def _stop_now(self) -> None:
        assert self._outbox is not None
        self._stopping = True
        released: list[int] = []
        while not self._outbox.empty():
            job = self._outbox.get_nowait()
            if job is not None:
                released.append(job.row_id)
        if released:
            self._events.put(Released(tuple(released)))
        self._close_outbox()

    def _abort(self, reason: str) -> None:
        if not self._stopping:
            self._events.put(Aborted(reason))
        self._stop_now()

    async def _worker(self, conn: SmtpConnection, pacer: Pacer) -> None:
        assert self._outbox is not None
        try:
            while (job := await self._outbox.get()) is not None:
                if self._stopping:
                    self._events.put(Released((job.row_id,)))
                    continue
                if not await self._connect(conn, job):
                    return
                await pacer.wait()
                if not await self._attempt(conn, job):
                    return
        finally:
            await conn.close()

    async def _attempt(self, conn: SmtpConnection, job: Job) -> bool:
        """Deliver ``job``; False when the run ends (the job is handed back untouched).

        A session the relay broke off before the message was sent is reconnected and the job
        tried again; when that keeps happening, the relay cannot be used and the run aborts."""
        for attempt in range(CONNECT_TRIES):
            try:
                self._events.put(await conn.deliver(job))
                return True
            except SendAborted as exc:
                self._events.put(Released((job.row_id,)))
                self._abort(str(exc))
                return False
            except SessionBroken as exc:
                await conn.close()
                if attempt + 1 == CONNECT_TRIES or self._stopping:
                    self._events.put(Released((job.row_id,)))
                    self._abort(str(exc))
                    return False
                await asyncio.sleep(0.2 * 2 ** attempt)
                if not await self._connect_now(conn, job):
                    return False
        return False  # pragma: no cover - the loop always returns

    async def _connect(self, conn: SmtpConnection, job: Job) -> bool:
        """Connect for ``job``; False when this worker stops (the job is handed back).

        Until one connection has succeeded, workers connect one at a time: a wrong password or
        TLS setting then costs one failed login, not one per connection (relays lock accounts)."""
        assert self._probe is not None and self._relay_ok is not None
        if self._relay_ok.is_set():
            return await self._connect_now(conn, job)
        async with self._probe:
            if self._stopping:
                self._events.put(Released((job.row_id,)))
                return False
            connected = await self._connect_now(conn, job)
            if connected:
                self._relay_ok.set()
            return connected

    async def _connect_now(self, conn: SmtpConnection, job: Job) -> bool:
        failure = ConnectFailure("not connected", fatal=False)
        for attempt in range(CONNECT_TRIES):
            try:
                await conn.ensure()
                return True
            except ConnectFailure as exc:
                failure = exc
                if exc.fatal or self._stopping:
                    break
                await asyncio.sleep(0.2 * 2 ** attempt)
        assert self._outbox is not None
        retire = not failure.fatal or failure.per_connection
        if retire and not self._stopping and any(c.connected for c in self._connections):
            # Others are connected: the relay probably caps connections per client (a refused
            # greeting, 421 or 554 "too many connections", says so). This worker retires and its
            # job goes to the others; the run aborts only when no connection works at all.
            self._outbox.put_nowait(job)
            return False
        self._events.put(Released((job.row_id,)))
        self._abort(str(failure))
        return False


def _then_set(fn: Callable[[], None], done: threading.Event) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        finally:
            done.set()

    return run


def wait_for_thread(thread: threading.Thread, done: threading.Event, timeout: float | None = None) -> bool:
    """Join ``thread`` (whose target sets ``done`` last) from any thread.

    ``Thread.join`` calls ``threading.current_thread()``, which from a foreign thread — a Qt pool
    worker running our job — registers a dummy thread that never ends; waiting on an Event and
    then on ``is_alive`` does not."""
    if not done.wait(timeout):
        return False
    while thread.is_alive():
        time.sleep(0.001)
    return True


def run_in_own_thread(coroutine_fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a private event loop in a short-lived thread and return its result.

    Works from any calling thread — one that already runs an event loop, or a Qt pool thread
    (asyncio.run there would register a never-ending dummy thread with ``threading``)."""
    box: list[T] = []
    errors: list[BaseException] = []

    def main() -> None:
        try:
            box.append(asyncio.run(coroutine_fn()))
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread below
            errors.append(exc)

    done = threading.Event()
    thread = threading.Thread(target=_then_set(main, done), name="smtp-single", daemon=True)
    thread.start()
    wait_for_thread(thread, done)
    if errors:
        raise errors[0]
    return box[0]


