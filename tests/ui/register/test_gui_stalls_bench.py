"""bench/gui_stalls.py still runs end to end (tiny size): the real window, every action measured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_gui_stalls_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "gui_stalls.py"), "--incidents", "120",
                           "--people", "60", "--settle", "0.02", "--idle", "0.2", "--workdir", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for action in ("start-up", "sort by people desc", "sort by deadline asc", "countdown tick", "language zh-CN → en",
                   "scroll to the bottom", "Ctrl+End, sorted by People", "People tab: search"):
        assert action in out
    assert "reached row 121 of 121" in out  # Ctrl+End got to the last incident
    assert "NOT DONE" not in out
    assert not list(tmp_path.iterdir())  # the generated database is deleted
