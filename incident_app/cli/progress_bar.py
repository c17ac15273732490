"""The command line's progress bar, drawn by rich on stderr and only when stderr is a terminal:
stdout stays machine-readable JSON, and a redirected stderr (a log file, CI) gets no bar.

rich measures the terminal (or ``$COLUMNS``) and redraws the line in place, so a narrow window
gets a narrower bar and no stale characters are left behind when the line gets shorter."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from incident_app.services.progress import ProgressSnapshot


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


class ProgressBar:
    """``update(snapshot)`` as work advances, ``finish()`` at the end (or use ``with``).

    ``stream`` defaults to stderr; ``force_terminal`` lets tests draw into a buffer as if it were
    a terminal. Nothing is drawn when the stream is not a terminal."""

    def __init__(self, label: str = "", stream: TextIO | None = None, *, force_terminal: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        tty = force_terminal if force_terminal is not None else _isatty(self._stream)
        self._label = label
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        if tty:
            console = Console(file=self._stream, force_terminal=True, highlight=False, soft_wrap=False)
            # No auto-refresh thread: the bar redraws when the service reports (already throttled).
            self._bar = RichProgress(
                TextColumn("{task.description}"), BarColumn(bar_width=None), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                console=console, auto_refresh=False, transient=False, expand=True,
            )

    @property
    def drawing(self) -> bool:
        """Whether anything is drawn (stderr is a terminal)."""
        return self._bar is not None

    def update(self, snapshot: ProgressSnapshot) -> None:
        """Redraw with the latest counts."""
        if self._bar is None:
            return
        description = self._label or (snapshot.message if snapshot.message != "sending" else "")
        rate = f"{snapshot.rate_per_s:,.0f}/s"
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(description, total=snapshot.total, rate=rate)
        self._bar.update(self._task, completed=snapshot.done, total=snapshot.total, description=description,
                         rate=rate)
        self._bar.refresh()

    def finish(self) -> None:
        """Leave the last state on its own line; the next message starts on a clean line."""
        if self._bar is not None and self._task is not None:
            self._bar.refresh()
            self._bar.stop()
            self._task = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.finish()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or odd stream: no bar
        return False
