"""The network side of sending: aiosmtplib on an asyncio loop in its own thread.

N workers each own one persistent SMTP connection (one client object per worker: aiosmtplib
clients must not be shared by concurrent sends), take ready-built messages from one queue, respect
a shared messages-per-second pacer, and report every attempt's outcome on a thread-safe queue.
Nothing here touches SQLite: the calling thread owns the ledger (services/mail_run.py)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiosmtplib

from incident_app.domain.mail import SendState, SmtpSettings, TlsMode, classify_reply

T = TypeVar("T")
CONNECT_TRIES = 3  # consecutive connection failures before a worker gives up


@dataclass(frozen=True)
class Job:
    """A built message for one ledger row."""

    row_id: int
    to_address: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """One attempt: SENT (2xx after DATA), DEFERRED (temporary), FAILED (permanent).

    ``uncertain``: the connection broke or timed out mid-transaction, so the relay may have
    accepted the message even though we saw no 2xx (the retry may then be a duplicate)."""

    row_id: int
    state: SendState
    code: int | None
    reply: str
    reason: str
    uncertain: bool = False


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


class SendAborted(Exception):  # noqa: N818 - reads as what happened to the run
    """Sending stopped because the relay cannot be used; nothing was marked sent that was not."""


class ConnectFailure(Exception):  # noqa: N818
    """Connecting failed; ``fatal`` when retrying cannot help (bad login, TLS mismatch)."""

    def __init__(self, reason: str, *, fatal: bool) -> None:
        super().__init__(reason)
        self.fatal = fatal


def tls_context_for(settings: SmtpSettings) -> ssl.SSLContext | None:
    """Certificate checks always on; ``ca_file`` adds a company CA for an internal relay."""
    if settings.tls_mode == TlsMode.PLAIN:
        return None
    return ssl.create_default_context(cafile=settings.ca_file or None)


class SmtpConnection:
    """One persistent, lazily (re)connected client."""

    def __init__(self, settings: SmtpSettings, password: str | None, tls: ssl.SSLContext | None) -> None:
        self._settings, self._password, self._tls = settings, password, tls
        self._client: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def ensure(self) -> None:
        """Connect (TLS, login) unless a usable connection exists; recycle after N messages."""
        if self.connected and self._sent_on_connection < self._settings.max_per_connection:
            return
        await self.close()
        self._client = self._new_client()
        try:
            await self._client.connect()
        except BaseException as exc:
            self._client = None
            raise _connect_failure(exc, self._settings) from exc
        self._sent_on_connection = 0

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout_s,
            use_tls=s.tls_mode == TlsMode.TLS, start_tls=s.tls_mode == TlsMode.STARTTLS,
            tls_context=self._tls, local_hostname=s.helo_name or socket.gethostname(),
            username=s.user or None, password=self._password if s.user else None,
        )

    async def deliver(self, job: Job) -> Outcome:
        """One SMTP transaction (MAIL, RCPT, DATA) for one recipient."""
        assert self._client is not None
        self._sent_on_connection += 1
        try:
            _errors, reply = await self._client.sendmail(self._settings.from_address, [job.to_address], job.data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            return _by_code(job.row_id, refused.code, refused.message, "recipient refused")
        except aiosmtplib.SMTPSenderRefused as exc:
            if 400 <= exc.code < 500:
                return _by_code(job.row_id, exc.code, exc.message, "sender deferred")
            raise SendAborted(f"the relay refuses the sender address {exc.sender}: {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPResponseException as exc:
            return _by_code(job.row_id, exc.code, exc.message, "message refused")
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            await self.close()
            return Outcome(job.row_id, SendState.DEFERRED, None, "",
                           f"the relay did not answer within {self._settings.timeout_s:g} s; delivery unknown, retried",
                           uncertain=True)
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            await self.close()
            return Outcome(job.row_id, SendState.DEFERRED, None, "",
                           f"connection lost during the SMTP transaction ({exc}); delivery unknown, retried",
                           uncertain=True)
        return Outcome(job.row_id, SendState.SENT, 250, f"250 {reply}", "")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), timeout=min(self._settings.timeout_s, 5.0))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()


def _by_code(row_id: int, code: int, message: str, what: str) -> Outcome:
    state = classify_reply(code)
    return Outcome(row_id, state, code, f"{code} {message}", f"{what}: {code} {message}")


def _connect_failure(exc: BaseException, s: SmtpSettings) -> ConnectFailure:
    where = f"{s.host}:{s.port}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ConnectFailure(f"the relay {where} refused the login ({exc.code} {exc.message}); "
                              "check the user name and password", fatal=True)
    tls_error = _ssl_cause(exc)
    if tls_error is not None:
        hint = " (is this port plain or STARTTLS rather than implicit TLS?)" if s.tls_mode == TlsMode.TLS else ""
        return ConnectFailure(f"TLS with {where} failed: {tls_error}{hint}", fatal=True)
    if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        hint = "; if this port speaks implicit TLS, choose --tls" if s.tls_mode != TlsMode.TLS else ""
        return ConnectFailure(f"no answer from {where} within {s.timeout_s:g} s{hint}", fatal=False)
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return ConnectFailure(f"{where} refused the connection: {exc.code} {exc.message}", fatal=exc.code >= 500)
    if isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionError | OSError | TimeoutError):
        return ConnectFailure(f"cannot connect to {where}: {exc}", fatal=False)
    if isinstance(exc, aiosmtplib.SMTPException):  # STARTTLS or AUTH not offered, etc.
        return ConnectFailure(f"{where}: {exc}", fatal=True)
    return ConnectFailure(f"{where}: unexpected {exc!r}", fatal=True)


def _ssl_cause(exc: BaseException | None) -> ssl.SSLError | None:
    """aiosmtplib wraps TLS failures in connection errors; find the TLS error underneath."""
    while exc is not None:
        if isinstance(exc, ssl.SSLError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


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
                await self._attempt(conn, job)
        finally:
            await conn.close()

    async def _attempt(self, conn: SmtpConnection, job: Job) -> None:
        try:
            outcome = await conn.deliver(job)
        except SendAborted as exc:
            self._events.put(Released((job.row_id,)))
            self._abort(str(exc))
            return
        self._events.put(outcome)

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
        if not failure.fatal and not self._stopping and any(c.connected for c in self._connections):
            # Others are connected: the relay probably caps connections per client. This worker
            # retires and its job goes to the others.
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


async def send_single(settings: SmtpSettings, password: str | None, job: Job) -> Outcome:
    """Open a connection, send one message, close: used by the test send."""
    conn = SmtpConnection(settings, password, tls_context_for(settings))
    try:
        await conn.ensure()
        return await conn.deliver(job)
    except ConnectFailure as exc:
        raise SendAborted(str(exc)) from None
    finally:
        await conn.close()
