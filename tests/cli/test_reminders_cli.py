"""``reminders status`` / ``reminders set``: the lead times the desktop app's tray uses, set with
one event; bad values exit 2 naming the option and change nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def changed_events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events WHERE type = 'settings.reminders_changed'").fetchone()[0])


def test_status_then_set_then_status(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "reminders", "status")
    status = json.loads(out)
    assert code == 0 and status["lead_minutes"] == [60, 30, 10, 0] and status["close_action"] == "ask"
    assert status["open_deadlines"][0]["obligation"] == "cac-initial-report"
    assert status["open_deadlines"][0]["drill"] is False
    assert status["open_deadlines"][0]["due"] == "2026-11-20T13:00:00+08:00"
    code, out, _ = cli(capsys, db, "reminders", "set", "--lead-minutes", "120,15,0", "--close-action", "tray")
    assert code == 0 and json.loads(out) == {"lead_minutes": [120, 15, 0], "close_action": "tray"}
    assert json.loads(cli(capsys, db, "reminders", "status")[1])["lead_minutes"] == [120, 15, 0]
    assert changed_events(db) == 1


@pytest.mark.parametrize("args", [("--lead-minutes", "soon"), ("--lead-minutes", "99999"), (),
                                  ("--lead-minutes=-5",), ("--lead-minutes", "²"), ("--lead-minutes", "60,³0")])
def test_bad_values_exit_2(capsys: pytest.CaptureFixture[str], db: Path, args: tuple[str, ...]) -> None:
    code, _out, err = cli(capsys, db, "reminders", "set", *args)
    assert code == 2 and ("lead_minutes" in err or "--lead-minutes" in err)
    assert changed_events(db) == 0


@pytest.mark.parametrize("typed", ["TRAY", "Tray", " quit "])
def test_close_action_in_any_case(capsys: pytest.CaptureFixture[str], db: Path, typed: str) -> None:
    code, out, _ = cli(capsys, db, "reminders", "set", "--close-action", typed)
    assert code == 0 and json.loads(out)["close_action"] == typed.strip().lower()
    code, _out, err = cli(capsys, db, "reminders", "set", "--close-action", "HIDE")
    assert code == 2 and "close_action" in err and "'HIDE' is not a close action" in err and "tray" in err
