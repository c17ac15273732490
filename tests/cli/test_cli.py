from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from incident_app.cli.main import run

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_then_show(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    code, out, _ = cli(capsys, tmp_path / "db.sqlite3", "new", "--json", str(path))
    assert code == 0 and json.loads(out) == {"id": 1}
    code, out, _ = cli(capsys, tmp_path / "db.sqlite3", "show", "1")
    shown = json.loads(out)
    assert code == 0 and shown["facts"]["affected_people"] == 1200 and shown["status"] == "reported"


def test_bad_intake_names_field_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(intake | {"affected_people": -3, "colour": "red"}), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    code, out, err = cli(capsys, db, "new", "--json", str(path))
    assert code == 2 and out == ""
    assert "affected_people" in err and "colour" in err and "nothing was saved" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


@pytest.mark.parametrize(("content", "words"), [("{not json", "invalid JSON at line 1"), ("[1]", "one JSON object")])
def test_unreadable_intake_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = cli(capsys, tmp_path / "db.sqlite3", "new", "--json", str(path))
    assert code == 2 and words in err


def test_show_unknown_incident(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(capsys, tmp_path / "db.sqlite3", "demo")[0] == 0
    code, _, err = cli(capsys, tmp_path / "db.sqlite3", "show", "42")
    assert code == 2 and "incident 42 does not exist" in err


def test_a_mistyped_db_path_is_refused_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    typo = tmp_path / "brech.sqlite3"
    code, out, err = cli(capsys, typo, "show", "1")
    assert code == 2 and out == "" and f"no database at {typo}" in err
    assert not typo.exists()


def test_db_status_of_a_missing_file_creates_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Only `db init` creates a database; `db status` of a mistyped path must not make an empty one."""
    typo = tmp_path / "brech.sqlite3"
    code, _, err = cli(capsys, typo, "db", "status")
    assert code == 2 and f"no database at {typo}" in err and not typo.exists()
    assert cli(capsys, typo, "db", "init")[0] == 0 and typo.exists()


def test_audit_verify_passes_then_fails_after_tampering(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "demo")[0] == 0
    code, out, _ = cli(capsys, db, "audit", "verify")
    assert code == 0 and json.loads(out)["ok"] is True
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 1")
    code, out, err = cli(capsys, db, "audit", "verify")
    assert code == 1 and json.loads(out)["first_bad_event"] == 1 and "event 1" in err


def test_catalog_lists_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, tmp_path / "db.sqlite3", "catalog")
    assert code == 0 and "phone_number" in {t["id"] for t in json.loads(out)}


def test_main_py_demo_and_show_in_a_real_process(tmp_path: Path) -> None:
    env = os.environ | {"INCIDENT_APP_DB": str(tmp_path / "p.sqlite3")}
    demo = subprocess.run(
        [sys.executable, "main.py", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert demo.returncode == 0, demo.stderr
    show = subprocess.run(
        [sys.executable, "main.py", "show", "1"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert show.returncode == 0, show.stderr
    assert "SDK" in json.loads(show.stdout)["title"]
