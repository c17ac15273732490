"""The register's helper process: the CPU-heavy register jobs the GUI starts (the metrics over
every incident, the assessed rows of a batch, the register export) run here instead of in a
thread of the GUI process, where they held the GIL and froze the window (6.4 s at 10,000
incidents).

The GUI's worker thread starts one helper per job and only waits on its pipe (no GIL held). The
request goes over stdin, never the command line or the environment, because it carries an
encrypted database's raw key: ``{"job", "args", "db", "hook", "now"}`` pickled. The helper opens
the database the same way (the same connect hook, the same clock reading), runs the job with its
own Services and writes ``("ok", result)`` or ``("error", exception, traceback)`` to stdout.

From a checkout or a wheel the helper is ``python -m incident_app.services.register.helper``; a
frozen build (PyInstaller) has no interpreter for ``-m``, so its own executable is started with
:data:`HELPER_FLAG` and ``incident_app.__main__`` runs :func:`serve`.

A helper that cannot start or dies raises :class:`HelperFailedError` (a plain message; nothing it was
writing is left half-written: the export publishes its file inside its event's transaction)."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
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
    """The helper process could not start (``reason`` "start") or did not finish ("stopped");
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
    from incident_app.services.register.export import register_metrics

    return register_metrics(services)


def _details(services: Services, incident_ids: Sequence[int]) -> Any:
    from incident_app.services.register.view import register_details

    return register_details(services, incident_ids)


def _export(services: Services, path: str, fmt: str) -> str:
    from incident_app.services.register.export import export_register

    export_register(services, Path(path), fmt)
    return path


JOBS: dict[str, Callable[..., Any]] = {"metrics": _metrics, "details": _details, "export": _export}


# -- the GUI side ----------------------------------------------------------------------------
def run_in_helper(services: Services, job: str, *args: Any, command: Sequence[str] | None = None) -> Any:
    """Run ``job`` (a key of :data:`JOBS`) on ``services``' database in a helper process and
    return its result; the job's own exception is raised again here."""
    store = services.ctx.store
    if store.path is None:
        raise HelperFailedError("the register's calculation process needs a database file", "start")
    request = pickle.dumps({"job": job, "args": args, "db": str(store.path), "hook": store.connect_hook,
                            "now": services.ctx.now().isoformat()})
    try:
        proc = subprocess.run(list(command or helper_command()),  # noqa: S603 - our own interpreter or app
                              input=request, capture_output=True, check=False)
    except OSError as exc:
        log.warning("register helper could not start: %s", exc)
        detail = str(exc.strerror or exc)
        message = f"the register's calculation process could not start ({detail})"
        raise HelperFailedError(message, "start", detail) from exc
    try:
        reply = pickle.loads(proc.stdout) if proc.returncode == 0 and proc.stdout else None  # noqa: S301 - our helper
    except Exception:  # noqa: BLE001 - a garbled reply is a failed helper, said plainly below
        reply = None
    if not isinstance(reply, tuple) or reply[:1] not in (("ok",), ("error",)):
        log.warning("register helper %s ended with code %s: %s", job, proc.returncode,
                    proc.stderr.decode("utf-8", "replace")[-2000:])
        message = f"the register's calculation process stopped unexpectedly (exit code {proc.returncode})"
        raise HelperFailedError(message, "stopped", str(proc.returncode))
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
    """The assessed register rows of a batch: fresh cached ones read here (a few SQL reads),
    the rest assessed in a helper process (here when the helper failed)."""
    from incident_app.services.register.view import cached_details

    found = cached_details(services, incident_ids)
    missing = [i for i in incident_ids if i not in found]
    if missing:
        try:
            found |= run_in_helper(services, "details", missing)
        except HelperFailedError as exc:
            log.warning("register rows assessed in the app: %s", exc)
            found |= _details(services, missing)
    return found


def export_off_process(services: Services, path: Path, fmt: str) -> str:
    """The register export (CSV/XLSX/JSON, logged) written by a helper process."""
    return str(run_in_helper(services, "export", str(path), str(fmt)))


# -- the helper side -----------------------------------------------------------------------
def serve() -> None:
    """Read one request from stdin, run it, write the reply to stdout."""
    request = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by the GUI process
    now = parse_time(request["now"])
    reply: tuple[Any, ...]
    try:
        services = open_services(Path(request["db"]), clock=_fixed(now), connect_hook=request["hook"])
        try:
            reply = ("ok", JOBS[request["job"]](services, *request["args"]))
        finally:
            services.close()
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
        reply = ("error", _picklable(exc), traceback.format_exc())
    sys.stdout.buffer.write(pickle.dumps(reply))
    sys.stdout.buffer.flush()


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
