"""A real ``notices --format pdf`` process killed with SIGKILL half-way (demo data: every notice
as a PDF, which takes a while) leaves no file under a final name — only temporary ``.….part``
files — and no export event; a rerun then writes the whole export."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def exported_events(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute("SELECT count(*) FROM events WHERE type = 'notice.exported'").fetchone()[0])
    finally:
        connection.close()


def test_a_killed_pdf_export_leaves_no_truncated_pdf(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INCIDENT_APP_NO_QT"}
    env |= {"INCIDENT_APP_DB": str(tmp_path / "db.sqlite3"), "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "main.py", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    out = tmp_path / "out"
    command = [sys.executable, "main.py", "notices", "1", "--out", str(out), "--format", "pdf"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(p.name.endswith(".pdf.part") or ".pdf." in p.name
                                                  for p in files_under(out) if out.exists()):
        time.sleep(0.01)
    time.sleep(0.05)  # inside the writing: the demo's notices as PDFs take seconds
    assert process.poll() is None, "the export finished before it could be killed; the test proves nothing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    left = files_under(out)
    assert left, "the kill came before any file was started"
    assert all(p.name.startswith(".") and p.name.endswith(".part") for p in left), [p.name for p in left]
    assert exported_events(tmp_path / "db.sqlite3") == 0

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    finals = [p for p in files_under(out) if not p.name.endswith(".part")]
    assert {p.name for p in finals} >= {"document.zh-CN.pdf", "letter.zh-CN.pdf"}
    assert all(p.read_bytes().rstrip().endswith(b"%%EOF") for p in finals)
    assert exported_events(tmp_path / "db.sqlite3") == 1
    assert json.loads(done.stdout)["files"]
