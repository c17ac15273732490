"""Hostile JSON files given to new / remediation / decide: exit 2 naming the place, never a
traceback, nothing saved; and what is saved never carries control characters into notices."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def incidents_in(db: Path) -> int:
    if not db.exists():
        return 0
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute("SELECT count(*) FROM incidents").fetchone()[0])
    finally:
        connection.close()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


BASE = '{"title": "泄露", "discovered_at": "2026-11-20T09:00:00+08:00", %s}'


@pytest.mark.parametrize(("body", "where", "says"), [
    ('"affected_people": Infinity', "affected_people", "Infinity is not a number JSON allows"),
    ('"economic_loss_cny": NaN', "economic_loss_cny", "NaN is not a number JSON allows"),
    ('"economic_loss_cny": -Infinity', "economic_loss_cny", "-Infinity"),
    ('"affected_records": 123456789012345678901234567890', "affected_records", "is absurd"),
    ('"economic_loss_cny": 1e400', "economic_loss_cny", "too large"),
    ('"summary": "bad \\ud800 text"', "summary", "lone surrogate"),
    ('"systems": ["ok", "\\udfff"]', "systems[2]", "lone surrogate"),
    ('"title": "x\\u001b[2Jy"', "title", "U+001B"),
    ('"location": "\\u202eexe.txt"', "location", "text-direction override"),
    ('"occurred_at": "0001-01-01T00:00:00+08:00"', "occurred_at", "before 1990"),
])
def test_new_refuses_bad_values_naming_the_field(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 body: str, where: str, says: str) -> None:
    db = tmp_path / "db.sqlite3"
    text = BASE % body
    if where == "title":  # the title given twice: the later one wins
        text = text.replace('"title": "泄露", ', "")
    code, out, err = cli(capsys, "new", "--json", write(tmp_path, text), "--db", str(db))
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    assert f"  - {where}: " in err and says in err
    assert incidents_in(db) == 0


def test_deep_nesting_and_huge_digit_strings_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    deep = BASE % ('"systems": ' + "[" * 100_000 + "]" * 100_000)
    code, _, err = cli(capsys, "new", "--json", write(tmp_path, deep), "--db", str(db))
    assert code == 2 and "nested 100001 levels deep" in err
    digits = BASE % ('"affected_people": ' + "9" * 5000)
    code, _, err = cli(capsys, "new", "--json", write(tmp_path, digits), "--db", str(db))
    assert code == 2 and "a number with 5000 digits" in err
    assert incidents_in(db) == 0


def test_a_pipe_and_an_oversized_file_are_refused_without_hanging(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = cli(capsys, "new", "--json", str(fifo), "--db", str(db))
    assert code == 2 and "not a regular file" in err
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    code, _, err = cli(capsys, "new", "--json", str(big), "--db", str(db))
    assert code == 2 and "too large for an input file" in err


def test_remediation_and_decide_name_the_row(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, "new", "--json", write(tmp_path, json.dumps(intake)), "--db", str(db))[0] == 0
    actions = '{"actions": [{"description": "ok"}, {"description": "重置\\u0000密码"}], "advice": [NaN]}'
    code, _, err = cli(capsys, "remediation", "1", "--json", write(tmp_path, actions), "--db", str(db))
    assert code == 2 and "advice[1]: NaN" in err
    actions = '{"actions": [{"description": "ok"}, {"description": "重置\\u0000密码"}]}'
    code, _, err = cli(capsys, "remediation", "1", "--json", write(tmp_path, actions), "--db", str(db))
    assert code == 2 and "row 2, actions.description: contains an invisible control character (U+0000" in err
    decision = ('{"kind": "cac_grade_judgement", "rationale": "理由\\u0007", "decided_by": "王",'
                ' "details": {"level": "一般"}}')
    code, _, err = cli(capsys, "decide", "1", "--json", write(tmp_path, decision), "--db", str(db))
    assert code == 2 and "rationale: contains an invisible control character (U+0007" in err
    code, out, _ = cli(capsys, "show", "1", "--db", str(db))
    assert code == 0 and json.loads(out)


def test_facts_stored_by_an_older_version_still_load(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     intake: dict[str, object]) -> None:
    """Before the checks, NaN, year 1 and control characters could be saved; such rows must stay
    readable (NaN is read as "not known") and `show` must print valid JSON."""
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, "new", "--json", write(tmp_path, json.dumps(intake)), "--db", str(db))[0] == 0
    connection = sqlite3.connect(db)
    facts = json.loads(connection.execute("SELECT facts FROM incidents").fetchone()[0])
    facts |= {"economic_loss_cny": float("nan"), "occurred_at": "0001-01-01T00:00:00+08:00",
              "title": "旧\x1b事件", "affected_records": 10**13}
    connection.execute("UPDATE incidents SET facts = ?", [json.dumps(facts)])
    connection.commit()
    connection.close()
    code, out, err = cli(capsys, "show", "1", "--db", str(db))
    assert code == 0, err
    shown = json.loads(out)  # strict JSON: NaN would not parse with parse_constant refusing it
    assert "NaN" not in out and "\x1b" not in out
    assert shown["facts"]["economic_loss_cny"] == 0 and shown["facts"]["occurred_at"] is None
    code, _, err = cli(capsys, "notices", "1", "--out", str(tmp_path / "out"), "--format", "html", "--db", str(db))
    assert code == 0, err  # year 1 used to overflow the notice's time formatting
