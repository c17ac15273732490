"""A text progress bar on stderr (stdout stays machine-readable JSON)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from incident_app.services.progress import ProgressSnapshot

WIDTH = 30
PLAIN_INTERVAL_S = 5.0  # when stderr is not a terminal, one line every few seconds


def format_eta(seconds: float | None) -> str:
    """``1:02:03`` / ``2:05`` / ``--`` when unknown."""
    if seconds is None:
        return "--"
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta_seconds(snapshot: ProgressSnapshot) -> float | None:
    """Time left at the current rate, or None before there is a rate."""
    if snapshot.total is None or snapshot.rate_per_s <= 0:
        return None
    return max(snapshot.total - snapshot.done, 0) / snapshot.rate_per_s


def render(snapshot: ProgressSnapshot) -> str:
    total = snapshot.total or 0
    filled = int(WIDTH * snapshot.done / total) if total else WIDTH
    bar = "#" * filled + "." * (WIDTH - filled)
    phase = f"  [{snapshot.message}]" if snapshot.message and snapshot.message != "sending" else ""
    return (f"[{bar}] {snapshot.done:,}/{total:,}  {snapshot.rate_per_s:,.0f}/s  "
            f"ETA {format_eta(eta_seconds(snapshot))}{phase}")


class ProgressBar:
    """Redraws in place on a terminal; prints an occasional line otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._last_line = 0.0
        self._last: ProgressSnapshot | None = None

    def update(self, snapshot: ProgressSnapshot) -> None:
        self._last = snapshot
        if self._tty:
            self._stream.write("\r" + render(snapshot))
            self._stream.flush()
        elif time.monotonic() - self._last_line >= PLAIN_INTERVAL_S:
            self._last_line = time.monotonic()
            self._stream.write(render(snapshot) + "\n")

    def finish(self) -> None:
        if self._last is not None:
            self._stream.write(("\r" if self._tty else "") + render(self._last) + "\n")
            self._stream.flush()
