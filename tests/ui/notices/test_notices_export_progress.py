"""The notices export shows a progress dialog with the count and the time left, on a real worker
thread, and Cancel leaves no file behind (the demo's 200 people, e-mails and letters)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner
from incident_app.services.demo.incident import load_demo
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab


@pytest.fixture
def threaded_tab(qtbot: QtBot, tmp_path: Path) -> NoticesTab:
    factory = services_factory(tmp_path / "db.sqlite3")
    services = factory()
    incident = load_demo(services)
    services.close()
    runner = JobRunner(factory)
    tab = NoticesTab(runner, Translator(load_messages(), "en"), incident.id)
    runner.setParent(tab)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    return tab


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_export_shows_counts_and_time_left(qtbot: QtBot, threaded_tab: NoticesTab, tmp_path: Path) -> None:
    labels: list[str] = []

    def look() -> None:
        for dialog in threaded_tab.findChildren(QProgressDialog, "jobProgress"):
            labels.append(dialog.labelText())

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(5)
    with qtbot.waitSignal(threaded_tab.exported, timeout=60_000):
        threaded_tab.export_to(tmp_path / "out", ["txt", "eml"])
    timer.stop()
    counted = [label for label in labels if " of " in label and "left" in label]
    assert counted, labels[-3:]
    assert (tmp_path / "out" / "regulator_initial" / "document.en.txt").exists()
    assert len(files_under(tmp_path / "out" / "individual" / "eml")) > 100


def test_cancelled_export_leaves_no_file(qtbot: QtBot, threaded_tab: NoticesTab, tmp_path: Path) -> None:
    out = tmp_path / "out"
    handle = threaded_tab.export_to(out, ["txt", "eml"])
    # Cancel once the per-recipient pass has begun (what the dialog's Cancel button does).
    qtbot.waitUntil(lambda: handle.progress.snapshot().message == "eml" or handle.done.is_set(), timeout=60_000)
    for dialog in threaded_tab.findChildren(QProgressDialog, "jobProgress"):
        dialog.cancel()
    handle.progress.cancel()
    qtbot.waitUntil(lambda: handle.done.is_set(), timeout=60_000)
    qtbot.waitUntil(lambda: "cancelled" in threaded_tab.status_label.text(), timeout=10_000)
    assert files_under(out) == [] and threaded_tab.errors.shown == []
