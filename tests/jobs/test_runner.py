from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.progress import Cancelled, Progress


def counting_job(release: threading.Event):  # type: ignore[no-untyped-def]
    def job(services: Services, progress: Progress) -> int:
        progress.start(1000)
        release.wait(5)
        for _ in range(1000):
            progress.advance()
        return services.incidents.list().__len__()

    return job


def test_result_and_progress_arrive_on_the_ui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    runner = JobRunner(services_factory(tmp_path / "db.sqlite3"))
    seen_threads: set[int] = set()
    results: list[int] = []
    release = threading.Event()
    release.set()
    runner.run(
        counting_job(release),
        on_success=lambda r: (results.append(r), seen_threads.add(threading.get_ident())),
        on_progress=lambda _s: seen_threads.add(threading.get_ident()),
    )
    qtbot.waitUntil(lambda: results == [0], timeout=10_000)
    assert seen_threads == {threading.get_ident()}
    assert runner.wait_all()


def test_cancel_reaches_the_service_as_cancelled(qtbot: QtBot, tmp_path: Path) -> None:
    runner = JobRunner(services_factory(tmp_path / "db.sqlite3"))
    failures: list[BaseException] = []
    release = threading.Event()
    handle = runner.run(counting_job(release), on_failure=lambda exc, _tb: failures.append(exc))
    handle.progress.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert isinstance(failures[0], Cancelled)
    assert runner.wait_all()


def test_sync_runner_raises_without_failure_callback(tmp_path: Path) -> None:
    runner = SyncJobRunner(services_factory(tmp_path / "db.sqlite3"))

    def boom(services: Services, progress: Progress) -> None:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        runner.run(boom)
