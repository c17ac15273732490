"""The GUI's job runner writes through the same transactions as the command line: a job that reads,
then writes, waits while another process (the command line) keeps writing instead of failing with
"database is locked"; one that waits past the busy timeout shows the plain busy message in the
screen's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from writer_helpers import other_writer, write_lock_held

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner
from incident_app.services.container import Services, open_services
from incident_app.services.progress import Progress
from incident_app.services.resources import load_messages
from incident_app.storage.database import is_busy
from incident_app.ui.common.errors import ErrorReporter


@pytest.fixture
def db(tmp_path: Path, intake: dict[str, Any]) -> Path:
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    services.incidents.create(intake)
    services.close()
    return path


def read_then_write(services: Services, progress: Progress) -> int:
    """A transaction whose first statement reads (as an edit does: the record, then the change)."""
    store = services.ctx.store
    with store.transaction():
        incident = store.incidents.get(1)
        return services.ctx.record("test.job_wrote", "incident", incident.id, {}, incident.id).seq


def run_job(qtbot: QtBot, db: Path) -> tuple[list[Any], list[BaseException]]:
    runner = JobRunner(services_factory(db))
    results: list[Any] = []
    failures: list[BaseException] = []
    runner.run(read_then_write, on_success=results.append, on_failure=lambda exc, _tb: failures.append(exc))
    qtbot.waitUntil(lambda: bool(results or failures), timeout=30_000)
    assert runner.wait_all()
    return results, failures


def test_a_job_writes_while_another_process_keeps_writing(qtbot: QtBot, db: Path) -> None:
    with other_writer(db, 3):
        results, failures = run_job(qtbot, db)
    assert failures == [] and len(results) == 1


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "数据库正忙"), ("en", "The database is busy")])
def test_a_job_that_waits_past_the_busy_timeout_shows_the_plain_message(
        qtbot: QtBot, db: Path, monkeypatch: pytest.MonkeyPatch, lang: str, words: str) -> None:
    monkeypatch.setenv("INCIDENT_APP_BUSY_TIMEOUT", "0.3")
    with write_lock_held(db, 30):
        results, failures = run_job(qtbot, db)
    assert results == [] and len(failures) == 1 and is_busy(failures[0])
    reporter = ErrorReporter(None, Translator(load_messages(), lang))
    reporter.interactive = False
    reporter.show(failures[0], retry=lambda: None)
    assert len(reporter.shown) == 1 and words in reporter.shown[0]
    assert "database is locked" not in reporter.shown[0]
