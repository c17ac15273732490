"""The people benchmarks still run (at a tiny size, in a subprocess): bench/import_people.py
and bench/people_scale.py without its GUI phase (tests/ui/people/test_people_scale_gui_bench.py
runs that one). Their timings are not checked here: a shared CI machine says nothing about them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120, check=False)


def test_the_import_bench_runs_and_reuses_its_csv(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = run("import_people.py", "--rows", "2000", "--repeat", "1", "--data", str(data), "--workdir",
                str(tmp_path), "--keep-db", str(tmp_path / "kept.sqlite3"), cwd=tmp_path)
    assert first.returncode in (0, 1), first.stderr  # 1 = a target missed, which a tiny run may
    assert "generated 2,000 rows" in first.stdout and "MB per million people" in first.stdout, first.stdout
    assert (data / "people-2000.csv").exists() and (tmp_path / "kept.sqlite3").exists()
    again = run("import_people.py", "--rows", "2000", "--repeat", "1", "--data", str(data), "--workdir",
                str(tmp_path), cwd=tmp_path)
    assert "reusing" in again.stdout, again.stdout + again.stderr


def test_the_scale_bench_runs_every_phase_but_the_gui(tmp_path: Path) -> None:
    done = run("people_scale.py", "--people", "2000", "--lookups", "10", "--skip-gui", "--purge",
               "--workdir", str(tmp_path), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    phases = {line.split(" (")[0]: line for line in done.stdout.splitlines() if " (" in line and "{" in line}
    assert set(phases) == {"lookup", "paging", "search", "counts", "purge"}, done.stdout
    counts = json.loads(phases["counts"].split(": ", 1)[1])
    assert counts["recount_matches_counters"] is True and counts["summary_total"] == 2000
    purge = json.loads(phases["purge"].split(": ", 1)[1])
    assert purge["records"]["people.contacts"] == 2000


def test_the_staged_import_bound_bench_runs_both_phases(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    done = run("import_staged_bound.py", "--rows", "3000", "--repeat", "1", "--data", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "import (best):" in done.stdout and "staged lower bound (best):" in done.stdout, done.stdout
    # The real import merged the generated repeats; the bound found rows sharing keys but merged none.
    imported = done.stdout.split("import (best):", 1)[1].split("\n", 1)[0]
    assert " merged" in imported and "(row, key) pairs share the key" in done.stdout, done.stdout
    assert (data / "people-3000.csv").exists()
