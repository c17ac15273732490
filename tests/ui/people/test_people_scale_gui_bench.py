"""bench/people_scale.py's People-tab phase (stall detector, real job runner, offscreen) still runs
at a tiny size in a subprocess; its timings are not checked (a shared CI machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_people_tab_phase_runs(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import people_scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    db = tmp_path / "people.sqlite3"
    incident = people_scale.fill(db, 2000)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "people_scale.py"), "--phase", "gui", "--db", str(db),
                           "--incident", str(incident)], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [a["action"] for a in result["actions"]] == [
        "idle (baseline)", "open", "scroll to the middle", "scroll to the end", "search by phone", "search by name",
        "clear the search"]
    assert result["rows"] == 2000
