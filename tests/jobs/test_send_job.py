"""A send through the real threaded JobRunner: progress arrives on the UI thread, cancel works
from the UI thread, and no dispatcher thread outlives the job."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from smtp_sink import Sink, smtp_settings, start_sink

from incident_app.app import services_factory
from incident_app.domain.mail.sending import SendState
from incident_app.jobs.runner import JobRunner
from incident_app.services.container import Services, open_services
from incident_app.services.mail.sources import SyntheticMessageSource
from incident_app.services.progress import Progress, ProgressSnapshot


def test_send_job_reports_progress_and_can_be_cancelled(
    qtbot: QtBot, tmp_path: Path, intake: dict[str, object]
) -> None:
    db = tmp_path / "db.sqlite3"
    setup = open_services(db)
    incident_id = setup.incidents.create(intake).id
    setup.close()
    sink = Sink()
    controller = start_sink(sink, reply_delay=0.003)
    runner = JobRunner(services_factory(db))
    results: list[Any] = []
    snapshots: list[ProgressSnapshot] = []
    ui_thread = threading.current_thread()

    def job(services: Services, progress: Progress) -> Any:
        settings = smtp_settings(controller.port, concurrency=2)
        return services.mail.send(incident_id, SyntheticMessageSource(300), settings, progress=progress)

    def on_progress(snapshot: ProgressSnapshot) -> None:
        assert threading.current_thread() is ui_thread
        snapshots.append(snapshot)
        if snapshot.done >= 20:
            handle.progress.cancel()

    try:
        handle = runner.run(job, on_success=results.append, on_progress=on_progress)
        qtbot.waitUntil(lambda: bool(results), timeout=30_000)
        assert runner.wait_all()
    finally:
        controller.stop()
    summary = results[0]
    assert summary.outcome == "cancelled" and 20 <= summary.overview.by_state[SendState.SENT] < 300
    assert summary.overview.by_state[SendState.SENDING] == 0 and snapshots[0].total == 300
    assert not [t for t in threading.enumerate() if t.name == "smtp-dispatcher"]
