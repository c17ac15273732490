"""bench/platform_handoff.py still runs end to end (tiny size, in a subprocess): export, report,
import, and the import again changing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_platform_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "platform_handoff.py"), "--people", "300",
                           "--workdir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio" in done.stdout and "again:" in done.stdout and done.stdout.strip().endswith("OK")
    assert not list(tmp_path.iterdir()), "the bench removes its data"
