"""Views follow changes made elsewhere without reopening: the command line in another process
changes the incident and adds one, and the open workspace's Timeline, its header, the register
row and the metrics panel all show it (the change watcher polls SQLite's data_version)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from incident_app.ui.register.model import RegisterModel
from tests.ui.helpers import make_window


def cli(db: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    result = subprocess.run([sys.executable, "-m", "incident_app", *args, "--db", str(db)],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_cli_changes_show_up_in_open_views(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    services.incidents.create(intake)
    services.close()
    window = make_window(qtbot, db)
    window.refresh()
    workspace = window.open_incident(1)
    timeline = workspace.show_tab("timeline")  # the tab in view follows; hidden ones reload when shown
    events_before = timeline.model.rowCount()
    status_cell = window.model.index(0, RegisterModel.COL_STATUS)
    assert status_cell.data() == "已登记"
    incidents_before = window.metrics.values["incidents"].text()

    cli(db, "status", "1", "contained", "--comment", "bucket closed")
    qtbot.waitUntil(lambda: timeline.model.rowCount() == events_before + 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.model.index(0, RegisterModel.COL_STATUS).data() == "已控制", timeout=10_000)
    assert workspace.status.text() == "已控制"

    second = tmp_path / "second.json"
    second.write_text(json.dumps({**intake, "title": "Second leak"}), encoding="utf-8")
    cli(db, "new", "--json", str(second))
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.metrics.values["incidents"].text() != incidents_before, timeout=10_000)


def test_a_change_in_one_workspace_reaches_another_window(qtbot: QtBot, tmp_path: Path,
                                                          intake: dict[str, object]) -> None:
    """Two windows of one incident's data: a status change saved through a second main window
    (its own connection, like a second app instance) reaches the first one's Timeline."""
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    services.incidents.create(intake)
    services.close()
    first = make_window(qtbot, db)
    timeline = first.open_incident(1).show_tab("timeline")
    before = timeline.model.rowCount()
    other = make_window(qtbot, db)
    from incident_app.domain.incident import IncidentStatus

    other.runner.run(lambda s, _p: s.incidents.change_status(1, IncidentStatus.CONTAINED, "closed the bucket"))
    qtbot.waitUntil(lambda: timeline.model.rowCount() == before + 1, timeout=10_000)


def test_a_change_elsewhere_keeps_what_the_officer_is_typing(qtbot: QtBot, tmp_path: Path,
                                                             intake: dict[str, object]) -> None:
    """The Assessment tab's ENISA inputs are a form on the tab itself: a refresh caused by a change
    elsewhere (the command line, another window, the tray's own reminder event) used to refill it
    from the database and throw the officer's unsaved typing away."""
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    services.incidents.create(intake)
    services.close()
    window = make_window(qtbot, db)
    workspace = window.open_incident(1)
    tab = workspace.show_tab("assessment")
    tab.dpc_rationale.setText("手机号可关联到实名")
    tab.ei.setCurrentIndex(tab.ei.findData(0.75))
    tab.ei_rationale.setText("可用于精准诈骗")
    tab.cb_rationale.setText("无")

    cli(db, "status", "1", "contained", "--comment", "bucket closed")
    qtbot.waitUntil(lambda: workspace.status.text() == "已控制", timeout=10_000)
    window.on_data_changed()  # and once more, whatever the poll timing
    assert tab.dpc_rationale.text() == "手机号可关联到实名"
    assert tab.ei.currentData() == 0.75 and tab.cb_rationale.text() == "无"

    tab.save_inputs()  # saved: the form shows the stored values again and follows later changes
    assert tab.input_error.text() == ""
    assert tab.dpc_rationale.text() == "手机号可关联到实名" and tab.ei.currentData() == 0.75
    assert tab.assessment is not None and tab.assessment.enisa_inputs.dpc_rationale == "手机号可关联到实名"
    stored = open_services(db)
    try:
        stored.assessment.save_enisa_inputs(1, {**_inputs(tab), "dpc_rationale": "来自另一窗口"})
    finally:
        stored.close()
    window.on_data_changed()
    assert tab.dpc_rationale.text() == "来自另一窗口"


def _inputs(tab: object) -> dict[str, object]:
    return dict(tab.input_data())  # type: ignore[attr-defined]
