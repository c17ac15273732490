"""The register's helper process: the CPU-heavy register jobs the GUI starts (the metrics over
every incident, the assessed rows of a batch, the register export) run here instead of in a
thread of the GUI process, where they held the GIL and froze the window (6.4 s at 10,000
incidents).

The GUI's worker thread hands the job to a helper and only waits on its pipe (no GIL held).
Helpers are started on first use and kept (at most two, one per worker thread): starting one costs
its imports (0.3-0.5 s of CPU without cached bytecode; it imports only what the job needs:
the services are built on first use, and serving the kept metrics loads no assessment engine,
templates, mail relay or Qt, which tests/services/register/test_register_helper_imports.py
checks). A request goes over stdin, never the command line or the environment,
because it carries an encrypted database's raw key: ``{"job", "args", "db", "hook", "now"}``
pickled, length-prefixed. The helper opens the database the same way (the same connect hook, the
same clock reading), runs the job with its own Services and answers ``("ok", result)`` or
``("error", exception, traceback)``; it ends when its stdin closes (the GUI exits or dies).

From a checkout or a wheel the helper is ``python -m incident_app.services.register.helper``; a
frozen build (PyInstaller) has no interpreter for ``-m``, so its own executable is started with
:data:`HELPER_FLAG` and ``incident_app.__main__`` runs :func:`serve`.

A helper that cannot start or dies raises :class:`HelperFailedError` (a plain message; nothing it was
writing is left half-written: the export publishes its file inside its event's transaction)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import pickle
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_app.domain.clock import parse_time
from incident_app.services.container import Services, open_services

HELPER_FLAG = "--register-helper"
log = logging.getLogger(__name__)


class HelperFailedError(OSError):
    """The helper process could not start (``reason`` "start"), did not finish ("stopped") or
    did not answer in :data:`HELPER_TIMEOUT_S` ("timeout", ``detail`` the minutes);
    the GUI says it in the officer's language (``register.helper.<reason>``)."""

    def __init__(self, message: str, reason: str = "stopped", detail: str = "") -> None:
        super().__init__(message)
        self.reason, self.detail = reason, detail


def helper_command() -> list[str]:
    """The command line that starts one register helper process."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    return [sys.executable, "-m", "incident_app.services.register.helper"]


# -- the jobs (run in the helper) ----------------------------------------------------------
def _metrics(services: Services) -> Any:
    from incident_app.services.register.metrics import register_metrics

    return register_metrics(services)


def _details(services: Services, incident_ids: Sequence[int]) -> Any:
    from incident_app.services.register.view import register_details

    found: dict[int, Any] = {}
    for first in range(0, len(incident_ids), DETAILS_CHUNK):  # SQLite's limit on ? per statement
        found |= register_details(services, incident_ids[first:first + DETAILS_CHUNK])
    return found


def _detail_wires(services: Services, incident_ids: Sequence[int]) -> list[bytes]:
    """The rows as plain tuples, pickled per WIRE_CHUNK rows: the app unpickles one chunk at a
    time, so no single call holds its GIL for long (all 10,000 rows at once: ~75 ms)."""
    from incident_app.services.register.view import row_to_wire

    wires = [row_to_wire(row) for row in _details(services, incident_ids).values()]
    return [pickle.dumps(wires[n:n + WIRE_CHUNK]) for n in range(0, len(wires), WIRE_CHUNK)]


def _row_wires(services: Services) -> tuple[int, list[bytes]]:
    """Every bare register row (services.register.view.register_load) as plain tuples pickled per
    WIRE_CHUNK rows, with the event seq they are current as of."""
    from incident_app.services.register.view import register_load, row_to_wire

    load = register_load(services)
    wires = [row_to_wire(row) for row in load.rows]
    return load.seq, [pickle.dumps(wires[n:n + WIRE_CHUNK]) for n in range(0, len(wires), WIRE_CHUNK)]


def _export(services: Services, path: str, fmt: str) -> str:
    from incident_app.services.register.export import export_register

    export_register(services, Path(path), fmt)
    return path


JOBS: dict[str, Callable[..., Any]] = {"metrics": _metrics, "details": _details, "detail_wires": _detail_wires,
                                       "row_wires": _row_wires, "export": _export}


# -- the GUI side ----------------------------------------------------------------------------
_FRAME = struct.Struct("<Q")
MAX_REPLY = 1 << 32  # a length beyond this is not a reply of ours (a garbled stream)
POOL_SIZE = 2  # the job runner's two worker threads: one helper each, started once, reused
# A job not answered in this time is taken for a hung helper: it is killed and the job is done in
# the app (the metrics at 10,000 incidents take seconds; this is far beyond any real job). Without
# it the panel waited forever and File -> Open, which lets running jobs finish, froze the window.
HELPER_TIMEOUT_S = 15 * 60
DETAILS_CHUNK = 2_000  # incidents per SQL read inside the helper's details job
# Details of any size go to the helper whole, in one request: it reads the fresh cached summaries
# and assesses only the others. Reading even 200 cached rows in a worker thread of the GUI process
# (JSON, dates, dataclasses) competes with the window's thread for the GIL while it paints, and
# each of its ~1,400 data() calls per scroll step can then wait a switch interval (5 ms): the
# scroll stalls of 270-750 ms measured at 10,000 incidents.
WIRE_CHUNK = 500  # rows per pickled chunk of a big details reply


class _Helper:
    """One running helper process and its pipes (one request at a time)."""

    def __init__(self, command: Sequence[str]) -> None:
        try:
            self.process = subprocess.Popen(list(command), stdin=subprocess.PIPE,  # noqa: S603 - our own app
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("register helper could not start: %s", exc)
            detail = str(exc.strerror or exc)
            raise HelperFailedError(f"the register's calculation process could not start ({detail})",
                                    "start", detail) from exc

    def ask(self, request: bytes) -> tuple[Any, ...]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        hung = threading.Event()
        token = WATCHDOG.arm(self.process, hung, HELPER_TIMEOUT_S)
        try:
            stdin.write(_FRAME.pack(len(request)) + request)
            stdin.flush()
            header = stdout.read(_FRAME.size)
            size = _FRAME.unpack(header)[0] if len(header) == _FRAME.size else None
            reply = pickle.loads(stdout.read(size)) if size is not None and size < MAX_REPLY else None  # noqa: S301
        except Exception:  # noqa: BLE001 - a broken pipe or a garbled reply: the helper failed
            reply = None
        finally:
            WATCHDOG.disarm(token)
        if hung.is_set():
            self.close()
            minutes = f"{HELPER_TIMEOUT_S / 60:g}"
            log.warning("register helper gave no answer in %s minutes: killed", minutes)
            raise HelperFailedError(f"the register's calculation process gave no answer in {minutes} minutes",
                                    "timeout", minutes)
        if not isinstance(reply, tuple) or reply[:1] not in (("ok",), ("error",)):
            self.close()
            code = self.process.returncode
            log.warning("register helper ended with code %s", code)
            raise HelperFailedError(f"the register's calculation process stopped unexpectedly (exit code {code})",
                                    "stopped", str(code))
        return reply

    def close(self) -> None:
        """End the helper: its stdin closes (it leaves its loop), killed if it does not."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class _Watchdog:
    """One daemon thread, started with the module (the UI thread), that kills a helper whose job
    runs past its deadline: the worker's blocked read then returns. (A timer thread per job would
    be started from a Qt worker thread, which Python then keeps listed as a thread for good.)"""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._armed: dict[int, tuple[float, subprocess.Popen[bytes], threading.Event]] = {}
        self._next = 0
        threading.Thread(target=self._run, name="register-helper-watchdog", daemon=True).start()

    def arm(self, process: subprocess.Popen[bytes], hung: threading.Event, seconds: float) -> int:
        with self._lock:
            self._next += 1
            self._armed[self._next] = (time.monotonic() + seconds, process, hung)
            self._lock.notify()
            return self._next

    def disarm(self, token: int) -> None:
        with self._lock:
            self._armed.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                for token, (deadline, process, hung) in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[token]
                        hung.set()
                        with contextlib.suppress(OSError):
                            process.kill()
                soonest = min((d for d, _, _ in self._armed.values()), default=now + 60)
                self._lock.wait(max(0.05, soonest - now))


WATCHDOG = _Watchdog()


class _Pool:
    """Helpers started on first use and kept for the next job (starting one costs its
    imports): at most POOL_SIZE, handed to one job at a time."""

    def __init__(self) -> None:
        self._free: dict[tuple[str, ...], list[_Helper]] = {}
        self._count: dict[tuple[str, ...], int] = {}
        self._lock = threading.Condition()
        atexit.register(self.close)

    def run(self, command: Sequence[str], request: bytes) -> tuple[Any, ...]:
        key = tuple(command)
        helper = self._take(key)
        try:
            reply = helper.ask(request)
        except BaseException:
            self._drop(key)  # a failed helper is not reused; the next job starts a new one
            raise
        self._give_back(key, helper)
        return reply

    def _take(self, key: tuple[str, ...]) -> _Helper:
        with self._lock:
            while not self._free.get(key) and self._count.get(key, 0) >= POOL_SIZE:
                self._lock.wait()
            if self._free.get(key):
                helper = self._free[key].pop()
                if helper.process.poll() is None:
                    return helper
                self._count[key] -= 1
            self._count[key] = self._count.get(key, 0) + 1
        try:
            return _Helper(key)
        except BaseException:
            self._drop(key)
            raise

    def _give_back(self, key: tuple[str, ...], helper: _Helper) -> None:
        with self._lock:
            self._free.setdefault(key, []).append(helper)
            self._lock.notify()

    def _drop(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._count[key] = max(0, self._count.get(key, 0) - 1)
            self._lock.notify()

    def prestart(self, command: Sequence[str] | None = None) -> None:
        """Start one helper now (the GUI's start-up): it imports while the window is built, so the
        first metrics refresh does not wait for a process to start. A failure is left to the job."""
        key = tuple(command or helper_command())
        with self._lock:
            if self._free.get(key) or self._count.get(key, 0):
                return
            self._count[key] = 1
        try:
            helper = _Helper(key)
        except HelperFailedError:
            self._drop(key)
            return
        self._give_back(key, helper)

    def close(self) -> None:
        """End every idle helper (at exit)."""
        with self._lock:
            helpers = [h for free in self._free.values() for h in free]
            self._free.clear()
            self._count.clear()
        for helper in helpers:
            helper.close()


POOL = _Pool()


def run_in_helper(services: Services, job: str, *args: Any, command: Sequence[str] | None = None) -> Any:
    """Run ``job`` (a key of :data:`JOBS`) on ``services``' database in a helper process and
    return its result; the job's own exception is raised again here."""
    store = services.ctx.store
    if store.path is None:
        raise HelperFailedError("the register's calculation process needs a database file", "start")
    request = pickle.dumps({"job": job, "args": args, "db": str(store.path), "hook": store.connect_hook,
                            "now": services.ctx.now().isoformat()})
    reply = POOL.run(command or helper_command(), request)
    if reply[0] == "error":
        raise reply[1]
    return reply[1]


def metrics_off_process(services: Services) -> tuple[Any, HelperFailedError | None]:
    """The register metrics computed in a helper process: ``(metrics, None)``; when the helper
    failed, computed here instead (correct, only slower) and ``(metrics, failure)`` says why."""
    try:
        return run_in_helper(services, "metrics"), None
    except HelperFailedError as exc:
        log.warning("register metrics computed in the app: %s", exc)
        return _metrics(services), exc


def details_off_process(services: Services, incident_ids: Sequence[int]) -> Any:
    """The assessed register rows of a batch (the rows in view, or every row for a sort or
    filter on grade or deadline), in ONE request to a helper process: it serves the fresh cached
    summaries and assesses only the others (services/register/summary.py decides what is fresh);
    here only when the helper failed."""
    from incident_app.services.register.view import row_from_wire

    ids = list(incident_ids)
    if not ids:
        return {}
    try:
        chunks = run_in_helper(services, "detail_wires", ids)
    except HelperFailedError as exc:
        log.warning("register rows assessed in the app: %s", exc)
        return _details(services, ids)
    # Plain tuples over the pipe, unpickled a chunk at a time; the rows are rebuilt here in Python
    # (the interpreter switches to the window's thread every few milliseconds meanwhile).
    found: dict[int, Any] = {}
    for chunk in chunks:
        found |= {w[0]: row_from_wire(w) for w in pickle.loads(chunk)}  # noqa: S301 - our helper's bytes
    return found


def rows_off_process(services: Services) -> Any:
    """Every bare register row (a RegisterLoad), read in a helper process: 10,000 rows built in a
    thread of the GUI process held its GIL (and set off a full garbage collection there) long
    enough to stall the window 200-390 ms. Here only when the helper failed."""
    from incident_app.services.register.view import RegisterLoad, register_load, row_from_wire

    try:
        seq, chunks = run_in_helper(services, "row_wires")
    except HelperFailedError as exc:
        log.warning("register rows read in the app: %s", exc)
        return register_load(services)
    rows = []
    for chunk in chunks:
        rows += [row_from_wire(w) for w in pickle.loads(chunk)]  # noqa: S301 - our helper's bytes
    return RegisterLoad(seq, rows)


def export_off_process(services: Services, path: Path, fmt: str) -> str:
    """The register export (CSV/XLSX/JSON, logged) written by a helper process."""
    return str(run_in_helper(services, "export", str(path), str(fmt)))


# -- the helper side -----------------------------------------------------------------------
def serve() -> None:
    """Answer requests from stdin (length-prefixed pickles) until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while len(header := stdin.read(_FRAME.size)) == _FRAME.size:
        request = pickle.loads(stdin.read(_FRAME.unpack(header)[0]))  # noqa: S301 - written by the GUI process
        reply = pickle.dumps(_answer(request))
        stdout.write(_FRAME.pack(len(reply)) + reply)
        stdout.flush()


def _answer(request: dict[str, Any]) -> tuple[Any, ...]:
    try:
        services = open_services(Path(request["db"]), clock=_fixed(parse_time(request["now"])),
                                 connect_hook=request["hook"])
        try:
            return ("ok", JOBS[request["job"]](services, *request["args"]))
        finally:
            services.close()
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
        return ("error", _picklable(exc), traceback.format_exc())


def _fixed(now: datetime) -> Callable[[], datetime]:
    # One clock reading for the whole job, the GUI's: overdue and deadlines as of the request.
    return lambda: now


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


if __name__ == "__main__":
    serve()
