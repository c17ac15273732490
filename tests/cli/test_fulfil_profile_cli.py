"""The CLI does what the GUI does: profile show/set, status, edit (changed facts only), fulfil and
correct — same validation, one event each, bad values exit 2 naming the field."""

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


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "new", "--json", str(path))[0] == 0
    return db


def events(db: Path, type_: str) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE type = ?", [type_]).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_profile_set_operator_type_short_form_then_show(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "profile", "set", "operator_type", "cii")
    assert code == 0 and json.loads(out) == {"operator_type": "critical_infrastructure"}
    assert cli(capsys, db, "profile", "set", "province", "北京市")[0] == 0
    code, out, _ = cli(capsys, db, "profile", "show")
    shown = json.loads(out)
    assert code == 0 and shown["operator_type"] == "critical_infrastructure" and shown["province"] == "北京市"
    assert len(events(db, "settings.profile_changed")) == 2
    # The assessment reads it: a CII operator's initial report is due within 1 hour (discovered 09:00).
    code, out, _ = cli(capsys, db, "assess", "1")
    cac = next(o for o in json.loads(out)["obligations"] if o["id"] == "cac-initial-report")
    assert cac["due"] == "2026-11-20T10:00:00+08:00"


@pytest.mark.parametrize(("key", "value", "field"), [
    ("operator_type", "bank", "operator_type"), ("reply_working_days", "three", "reply_working_days"),
    ("reply_working_days", "0", "reply_working_days"), ("colour", "red", "colour"),
    ("officer_email", "nobody", "officer_email")])
def test_profile_set_bad_value_exits_2_naming_the_field(capsys: pytest.CaptureFixture[str], db: Path, key: str,
                                                        value: str, field: str) -> None:
    code, out, err = cli(capsys, db, "profile", "set", key, value)
    assert code == 2 and out == "" and f"{field}:" in err
    assert events(db, "settings.profile_changed") == []


def test_status_closed_writes_one_event(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "status", "1", "closed", "--comment", "handled", "--force")
    result = json.loads(out)
    assert code == 0 and result["status"] == "closed" and result["handling_closed_at"]
    changed = events(db, "incident.status_changed")
    assert len(changed) == 1 and changed[0]["comment"] == "handled" and changed[0]["to"] == "closed"


@pytest.mark.parametrize(("args", "field"), [(("finished", "--comment", "x"), "status"),
                                              (("closed", "--comment", "  "), "comment")])
def test_status_bad_value_exits_2(capsys: pytest.CaptureFixture[str], db: Path, args: tuple[str, ...],
                                  field: str) -> None:
    code, _, err = cli(capsys, db, "status", "1", *args)
    assert code == 2 and f"{field}:" in err
    assert events(db, "incident.status_changed") == []


def test_edit_changes_only_the_given_key(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    before = json.loads(cli(capsys, db, "show", "1")[1])["facts"]
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"affected_people": 5200}), encoding="utf-8")
    code, out, _ = cli(capsys, db, "edit", "1", "--json", str(change))
    assert code == 0 and json.loads(out)["changed"] == {"affected_people": {"from": 1200, "to": 5200}}
    after = json.loads(cli(capsys, db, "show", "1")[1])["facts"]
    assert after == before | {"affected_people": 5200}
    logged = events(db, "incident.facts_changed")
    assert len(logged) == 1 and list(logged[0]["changes"]) == ["affected_people"]


def test_edit_moves_the_clocks(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"discovered_at": "2026-11-20T09:20:00+08:00"}), encoding="utf-8")
    assert cli(capsys, db, "edit", "1", "--json", str(change))[0] == 0
    cac = next(o for o in json.loads(cli(capsys, db, "assess", "1")[1])["obligations"]
               if o["id"] == "cac-initial-report")
    assert cac["anchor_at"] == "2026-11-20T09:20:00+08:00" and cac["due"] == "2026-11-20T13:20:00+08:00"


def test_edit_bad_value_exits_2_naming_the_field(capsys: pytest.CaptureFixture[str], db: Path,
                                                 tmp_path: Path) -> None:
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"affected_people": -1}), encoding="utf-8")
    code, _, err = cli(capsys, db, "edit", "1", "--json", str(change))
    assert code == 2 and "affected_people" in err
    assert events(db, "incident.facts_changed") == []


def test_fulfil_late_shows_met_late_and_correct_reopens(capsys: pytest.CaptureFixture[str], db: Path,
                                                         tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(b"receipt")
    # Ordinary operator, discovered 09:00: due 13:00. Filed 14:10 (the CLI's clock is real time: the past).
    code, out, err = cli(capsys, db, "fulfil", "1", "cac-initial-report", "--at", "2026-11-20T14:10:00",
                         "--channel", "website_12387", "--ref", "12387-0042", "--by", "王伟", "--file", str(receipt))
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "met" and result["met_on_time"] is False
    assert result["late_by_seconds"] == 70 * 60 and result["file_sha256"]
    assert len(events(db, "fulfilment.recorded")) == 1
    cac = next(o for o in json.loads(cli(capsys, db, "assess", "1")[1])["obligations"]
               if o["id"] == "cac-initial-report")
    assert cac["status"] == "met" and cac["met_late_by_seconds"] == 4200
    code, out, _ = cli(capsys, db, "correct", "1", "fulfilment", str(result["id"]), "--reason", "wrong incident")
    assert code == 0 and json.loads(out)["reason"] == "wrong incident"
    cac = next(o for o in json.loads(cli(capsys, db, "assess", "1")[1])["obligations"]
               if o["id"] == "cac-initial-report")
    assert cac["status"] == "overdue"


@pytest.mark.parametrize(("args", "field"), [
    (("nope", "--at", "2026-11-20T10:00:00", "--channel", "fax"), "obligation_id"),
    (("cac-initial-report", "--at", "yesterday", "--channel", "fax"), "done_at"),
    (("cac-initial-report", "--at", "2026-11-20T10:00:00", "--channel", "pigeon"), "channel"),
    (("cac-initial-report", "--at", "2026-11-20T10:00:00", "--channel", "fax", "--file", "/no/such.png"), "file"),
])
def test_fulfil_bad_value_exits_2_naming_the_field(capsys: pytest.CaptureFixture[str], db: Path,
                                                   args: tuple[str, ...], field: str) -> None:
    code, out, err = cli(capsys, db, "fulfil", "1", *args)
    assert code == 2 and out == "" and f"{field}:" in err
    assert events(db, "fulfilment.recorded") == []
