"""Live refresh without doubles: a change made in this window refreshes the register once (its
own commit, seen again by the change watcher, and the summary cache the register's helper fills
refresh nothing more); a change from the command line in another process still refreshes; a
workspace reloads only the tab in view, and a hidden tab when it is shown."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import open_services
from tests.ui.helpers import make_window

ROOT = Path(__file__).resolve().parents[3]


def settle(qtbot: QtBot, window: object, seconds: float = 3.0) -> None:
    """Let the watcher poll (every second) a few times with nothing running."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qtbot.wait(100)
    assert window.runner.wait_all()  # type: ignore[attr-defined]


def test_one_local_change_is_one_refresh_and_a_cli_change_still_refreshes(
        qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    services.incidents.create(intake)
    services.close()
    window = make_window(qtbot, db, synchronous=False)
    with qtbot.waitSignal(window.register_refreshed, timeout=20_000):
        window.refresh()
    workspace = window.open_incident(1)
    settle(qtbot, window)  # the first metrics run fills the summary cache: that refreshes nothing
    refreshes: list[int] = []
    window.register_refreshed.connect(lambda: refreshes.append(1))
    tab_loads: dict[str, int] = {}
    for key, widget in workspace.tab_widgets.items():
        original = widget.refresh
        widget.refresh = lambda key=key, original=original: (  # type: ignore[method-assign]
            tab_loads.__setitem__(key, tab_loads.get(key, 0) + 1), original())[1]

    # A change made in the workspace, the way its tabs make one.
    window.runner.run(lambda s, _p: s.incidents.change_status(1, IncidentStatus.CONTAINED, "bucket closed"),
                      on_success=lambda _r: workspace._on_tab_data_changed("overview"))
    qtbot.waitUntil(lambda: len(refreshes) >= 1, timeout=20_000)
    settle(qtbot, window)
    assert len(refreshes) == 1
    assert "timeline" not in tab_loads  # hidden: marked stale, not reloaded
    assert "timeline" in workspace.stale_tabs

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "incident_app", "status", "1", "assessed", "--comment",
                             "patched", "--db", str(db)], capture_output=True, text=True, env=env, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: len(refreshes) >= 2, timeout=20_000)
    settle(qtbot, window)
    assert len(refreshes) == 2
    assert tab_loads.get("overview", 0) >= 1 and "timeline" not in tab_loads

    timeline = workspace.show_tab("timeline")  # shown: reloaded now, with both changes
    assert tab_loads["timeline"] == 1 and "timeline" not in workspace.stale_tabs
    qtbot.waitUntil(lambda: timeline.model.rowCount() >= 3, timeout=20_000)
    workspace.show_tab("overview")
    workspace.show_tab("timeline")  # not stale any more: no second load
    assert tab_loads["timeline"] == 1
