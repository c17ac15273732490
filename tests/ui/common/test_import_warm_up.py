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
