"""Long work: the progress dialog reports and cancels through the plain Progress object; the wizard
saves through a real worker thread without blocking the interface."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.progress import Progress
from incident_app.services.resources import load_messages
from incident_app.ui.common.progress import run_with_progress
from tests.ui.helpers import make_window


def test_cancelled_job_reports_cancelled_not_error(qtbot: QtBot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    outcome: list[str] = []

    def job(_services: Services, progress: Progress) -> None:
        progress.start(10)
        progress.cancel()  # what the dialog's Cancel button does
        progress.advance()

    run_with_progress(parent, SyncJobRunner(services_factory(tmp_path / "db.sqlite3")),
                      Translator(load_messages()), "…", job, on_success=lambda _r: outcome.append("ok"),
                      on_failure=lambda exc, _tb: outcome.append(repr(exc)),
                      on_cancelled=lambda: outcome.append("cancelled"))
    assert outcome == ["cancelled"]


def test_wizard_saves_through_the_worker_thread(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3", synchronous=False)
    wizard = window.open_wizard()
    qtbot.waitUntil(lambda: wizard.catalog is not None, timeout=10_000)
    wizard.what.form.title.setText("线程测试")
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.review
    with qtbot.waitSignal(wizard.incident_created, timeout=10_000):
        wizard.accept()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.workspaces[1].incident is not None, timeout=10_000)
    assert window.runner.wait_all()
