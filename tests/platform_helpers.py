"""Shared steps of the mass-platform hand-off CLI tests: run a command on a database, and a demo
incident approved and exported to the platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run


def call(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one CLI command on ``db``."""
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[dict[str, str]]]:
    """The demo incident approved and exported with ``export-recipients``: (db, the JSONL lines)."""
    db, out = tmp_path / "d.sqlite3", tmp_path / "r.jsonl"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    assert call(capsys, db, "export-recipients", "1", "--out", str(out))[0] == 0
    return db, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
