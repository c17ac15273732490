"""bench/streaming_memory.py still runs: the SMS export and report import at a tiny size in a
subprocess (two sizes, each phase its own child), with its table of time per million and peak
memory. Only two operations, to keep it short: the others share the same harness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_streaming_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "streaming_memory.py"), "--people", "300", "--factor", "2",
         "--ops", "export_sms,import_sms", "--workdir", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    table = done.stdout.split("operation", 1)[1]
    for op in ("baseline", "export_sms", "import_sms"):
        line = next(row for row in table.splitlines() if row.startswith(op))
        assert "peak < 300 MB" in line, line
    assert done.stdout.rstrip().endswith("PASS")
    assert list(tmp_path.iterdir()) == [], "the bench deletes what it generated"
