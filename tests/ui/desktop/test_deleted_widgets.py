"""Workspaces opened and closed (and their tabs rebuilt by a language switch) while their
background jobs are still running: no result reaches a deleted widget, so no 'Internal C++ object
already deleted' RuntimeError is raised, printed or logged."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.helpers import make_window


@pytest.fixture
def uncaught() -> Iterator[list[str]]:
    """Everything that would reach the excepthook or the unraisable hook during the test."""
    seen: list[str] = []
    old_hook, old_unraisable = sys.excepthook, sys.unraisablehook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        seen.append(f"{exc_type.__name__}: {exc}")

    sys.excepthook = hook
    sys.unraisablehook = lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}")
    yield seen
    sys.excepthook, sys.unraisablehook = old_hook, old_unraisable


def test_closing_workspaces_while_jobs_finish(qtbot: QtBot, tmp_path: Path, uncaught: list[str],
                                              caplog: pytest.LogCaptureFixture,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    window = make_window(qtbot, tmp_path / "db.sqlite3", synchronous=False)
    with qtbot.waitSignal(window.register_refreshed, timeout=20_000):
        window.load_demo()
    for round_ in range(4):
        workspace = window.open_incident(1)
        workspace.tabs.setCurrentIndex(5)  # Notices: renders on a worker when shown
        if round_ % 2:
            window.set_language("en" if window.tr_.lang == "zh-CN" else "zh-CN")  # tabs rebuilt mid-job
        workspace.refresh()
        workspace.close()  # jobs of this window are still queued or running
        window.open_incident(1).close()  # frees the closed one (the next open clears them)
        gc.collect()
        qtbot.wait(30)
    assert window.runner.wait_all(60_000)
    qtbot.wait(200)  # every queued result is delivered (or dropped) now
    window.close()
    out, err = capfd.readouterr()
    logged = [r.getMessage() for r in caplog.records]
    everything = "\n".join([*uncaught, out, err, *logged])
    assert "already deleted" not in everything, everything
    assert not [u for u in uncaught if "RuntimeError" in u], uncaught
