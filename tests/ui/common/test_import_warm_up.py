"""The import warm-up: what the first workspace needs is imported while the register is idle, a
module at a time, so opening it only builds widgets (ui/common/warm_up.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from incident_app.ui.common.warm_up import ImportWarmUp, top_level_imports

ROOT = Path(__file__).resolve().parents[3]


def test_the_walk_reads_only_what_runs_at_import() -> None:
    source = textwrap.dedent("""
        from __future__ import annotations
        import os, json as j
        from typing import TYPE_CHECKING
        from . import sibling
        from .pkg.mod import name
        try:
            import tomllib
        except ImportError:
            tomllib = None
        if TYPE_CHECKING:
            import never_at_runtime
        def later():
            import inside_a_function
        class C:
            pass
    """)
    found = top_level_imports(source, "app.sub.here", is_package=False)
    assert found == ["__future__", "__future__.annotations", "os", "json", "typing", "typing.TYPE_CHECKING",
                     "app.sub", "app.sub.sibling", "app.sub.pkg.mod", "app.sub.pkg.mod.name", "tomllib"]
    # A package's relative imports are relative to itself.
    assert top_level_imports("from .child import x", "app.pkg", is_package=True) == ["app.pkg.child",
                                                                                      "app.pkg.child.x"]


def test_a_bad_root_does_not_stop_the_warm_up(qtbot) -> None:  # type: ignore[no-untyped-def]
    warm_up = ImportWarmUp(["incident_app.no_such_module", "json.no_such_submodule", "json"])
    with qtbot.waitSignal(warm_up.finished, timeout=10_000):
        warm_up.start()
    assert warm_up.is_done()


# Run in a fresh interpreter: this test process has imported most of the app already.
PROBE = textwrap.dedent("""
    import json, sys
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    import incident_app.ui.main_window as main_window
    from incident_app.ui.common.warm_up import ImportWarmUp
    warm_up = ImportWarmUp(main_window.WARM_UP_MODULES)
    before = len(sys.modules)
    steps = []
    while not warm_up.is_done():
        count = len(sys.modules)
        warm_up._step()
        steps.append(len(sys.modules) - count)
    warmed = len(sys.modules) - before
    count = len(sys.modules)
    for name in main_window.WARM_UP_MODULES:
        __import__(name)
    print(json.dumps({"warmed": warmed, "imported": warm_up.imported, "biggest_step": max(steps),
                      "left_for_the_click": len(sys.modules) - count}))
""")


def test_after_the_warm_up_opening_a_workspace_imports_nothing_more() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["left_for_the_click"] == 0, result
    assert result["warmed"] > 100, result  # the workspace's tabs, notice, mail and enquiry services...
    # ...a module at a time, not in one go: the biggest step is a package whose __init__ imports
    # its own submodules (asyncio, email), far from the ~190 modules a click imported at once.
    assert result["imported"] > 80, result
    assert result["biggest_step"] < 40, result


def test_the_register_starts_the_warm_up_once_its_rows_are_in(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from incident_app.app import build_main_window

    window = build_main_window(tmp_path / "w.sqlite3", "zh-CN", synchronous=True)
    qtbot.addWidget(window)
    assert not window.warm_up._delay.isActive() and not window.warm_up._timer.isActive()
    window.refresh()
    qtbot.waitUntil(window.warm_up.is_done, timeout=30_000)
    assert "incident_app.ui.workspace.window" in sys.modules


def test_when_done_waits_for_the_remaining_ticks_then_calls_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    # A root that never imports (no such module): the warm-up has ticks to run before it is done.
    warm_up = ImportWarmUp(["json", "incident_app.no_such_module"])
    called: list[str] = []
    warm_up.when_done(lambda: called.append("opened"))
    assert called == []  # not synchronously: the ticks run in the event loop
    qtbot.waitUntil(lambda: called == ["opened"], timeout=10_000)
    warm_up.when_done(lambda: called.append("again"))
    assert called == ["opened", "again"]  # done: at once


OPEN_PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from incident_app.app import build_main_window
    from incident_app.services.container import open_services
    db = Path(sys.argv[1])
    services = open_services(db)
    incident = services.incidents.create({"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00",
                                          "occurred_at": "2026-11-14T09:00:00+08:00"})
    services.close()
    window = build_main_window(db, "zh-CN")
    window.errors.interactive = False
    window.show()
    # The double-click before the warm-up has run: nothing is imported on the click itself.
    before = len(sys.modules)
    window.incident_activated.emit(incident.id)
    on_click = len(sys.modules) - before
    opened_at_once = incident.id in window.workspaces
    for _ in range(20000):
        app.processEvents()
        if incident.id in window.workspaces:
            break
    result = {"on_click": on_click, "opened_at_once": opened_at_once,
              "opened": incident.id in window.workspaces, "warm": window.warm_up.is_done()}
    window.runner.wait_all()
    print(json.dumps(result))
""")


def test_a_double_click_before_the_warm_up_opens_the_workspace_after_it(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               INCIDENT_APP_UI_SETTINGS=str(tmp_path / "ui.ini"))
    done = subprocess.run([sys.executable, "-c", OPEN_PROBE, str(tmp_path / "open.sqlite3")], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"on_click": 0, "opened_at_once": False, "opened": True, "warm": True}, result


def test_a_workspace_waiting_for_the_warm_up_is_not_opened_from_a_closed_window(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from incident_app.app import build_main_window

    window = build_main_window(tmp_path / "w.sqlite3", "zh-CN", synchronous=True)
    window.errors.interactive = False
    qtbot.addWidget(window)
    window.warm_up = ImportWarmUp(["incident_app.no_such_module"], window)  # never done before its ticks
    window.open_incident_soon(1)
    assert QApplication.overrideCursor() is not None  # the busy cursor while it waits
    window.close()
    qtbot.wait(200)  # the warm-up's ticks would have run by now
    assert window.workspaces == {}
    assert QApplication.overrideCursor() is None
