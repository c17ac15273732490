"""bench/register_metrics.py still runs (at a tiny size: CI proves the script, not the numbers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_register_metrics_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("INCIDENT_APP_NO_QT", None)  # the stall phases drive the real panel
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "register_metrics.py"), "--incidents", "20",
                           "--workdir", str(tmp_path)], capture_output=True, text=True, env=env, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "incidents: 20" in proc.stdout
    assert "longest stall" in proc.stdout and "after, warm refresh from the kept helper" in proc.stdout
    assert list(tmp_path.iterdir()) == []  # the generated database is deleted
