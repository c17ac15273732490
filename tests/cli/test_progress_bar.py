"""The command line's progress bar (issue 15 point 6): on stderr only, only on a terminal, as wide
as the terminal ($COLUMNS), and a real command's stdout stays pure JSON."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.cli.progress_bar import ProgressBar
from incident_app.services.progress import ProgressSnapshot

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _draw(columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    buffer = io.StringIO()
    with ProgressBar("import", buffer, force_terminal=True) as bar:
        for done in (0, 400, 50_000, 100_000):
            bar.update(ProgressSnapshot(done=done, total=100_000, message="", rate_per_s=1234.0))
    text = ANSI.sub("", buffer.getvalue())
    return [line for line in re.split(r"[\r\n]", text) if line.strip()]


@pytest.mark.parametrize("columns", [40, 60, 120])
def test_the_bar_fits_the_terminal_width(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _draw(columns, monkeypatch)
    assert lines and all(len(line) <= columns for line in lines), lines
    assert "100000/" in lines[-1]  # the count stays, shortened at 40 columns


def test_a_wider_terminal_gets_a_wider_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    narrow, wide = _draw(50, monkeypatch)[-1], _draw(150, monkeypatch)[-1]
    assert len(wide) > len(narrow) + 50


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    buffer = io.StringIO()
    bar = ProgressBar("import", buffer)
    bar.update(ProgressSnapshot(done=1, total=2, message="", rate_per_s=1.0))
    bar.finish()
    assert not bar.drawing and buffer.getvalue() == ""


def test_backup_from_the_cli_prints_only_json_on_stdout(capsys: pytest.CaptureFixture[str], db: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite3"
    code = run(["db", "backup", "--out", str(out), "--db", str(db)])
    stdout, stderr = capsys.readouterr()
    assert code == 0 and json.loads(stdout) == {"path": str(out), "encrypted": False,
                                                "size_bytes": out.stat().st_size}
    assert "backup written to" in stderr
    code = run(["db", "backup", "--out", str(db), "--db", str(db)])
    stdout, stderr = capsys.readouterr()
    assert code == 2 and stdout == "" and "that is the database file" in stderr


def test_a_real_terminal_gets_a_bar_that_fits_and_stdout_stays_json(db: Path, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    out = tmp_path / "tty-copy.sqlite3"
    env = os.environ | {"COLUMNS": "40", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, "-m", "incident_app", "--db", str(db), "db", "backup", "--out", str(out)],
                          stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120, check=False)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    drawn = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    assert proc.returncode == 0 and json.loads(proc.stdout)["path"] == str(out)
    bar_lines = [line for line in re.split(r"[\r\n]", drawn) if "━" in line]
    assert bar_lines and all(len(line) <= 40 for line in bar_lines), drawn
