"""bench/gui_stalls.py --people-db still runs end to end (tiny size): the real window on an
existing database, every People-tab action measured and finished. Timings are not checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_people_db_phase_runs_at_a_tiny_size(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import people_scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    db = tmp_path / "people.sqlite3"
    people_scale.fill(db, 1500)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "gui_stalls.py"), "--people-db", str(db),
                           "--settle", "0.02", "--idle", "0.2"], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "incident #1 with 1,500 people" in out
    for action in ("People tab", "scroll to the end", "search by name", "search by phone (pasted)",
                   "search by e-mail (pasted)", "clear the search", "channel filter: SMS", "language zh-CN → en"):
        assert action in out
    assert "找到 1 人" in out  # the phone and the e-mail each found their person
    assert "NOT DONE" not in out
    assert not list(tmp_path.glob("*.ini"))  # the desktop settings went to a temporary folder
