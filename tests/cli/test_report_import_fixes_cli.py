"""Delivery-report imports on the command line, as an independent review attacked them: a later
"delivered" never moves the first delivery time later (platform, SMS and call reports alike); an
encoding that is not a text encoding, a missing file or a folder is bad input (exit 2, naming the
option or the path), never an unexpected error; an unknown reference is counted only as unknown;
``evidence verify`` on a missing pack is exit 2, not "tampered"; a people list cut off inside a
quoted cell is refused naming the row, nothing imported."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from platform_helpers import call


def sent_times(db: Path, channel: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(t) for (t,) in conn.execute(
            "SELECT sent_at FROM send_ledger WHERE channel = ? AND state = 'sent' ORDER BY id", [channel])]


def delivery_report(path: Path, refs: list[str], at: datetime) -> Path:
    path.write_text("reference,status,time\n" + "".join(f"{r},delivered,{at.isoformat()}\n" for r in refs),
                    encoding="utf-8")
    return path


def records(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str | None, str | None]:
    """(pipl57-individuals' met time, the register's first notice to individuals)."""
    obligations = json.loads(call(capsys, db, "assess", "1")[1])["obligations"]
    met = next(o["met_at"] for o in obligations if o["id"] == "pipl57-individuals")
    row = json.loads(call(capsys, db, "register")[1])["incidents"][0]
    return met, row["individuals_notified_at"]


def test_a_later_delivered_report_keeps_the_first_delivery_time(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    refs = [line["reference"] for line in lines]
    first = datetime.now(UTC).replace(microsecond=0)
    code, out, err = call(capsys, db, "import-delivery", "1", str(delivery_report(tmp_path / "a.csv", refs, first)))
    assert code == 0 and json.loads(out)["changed"] == len(refs), err
    before = sent_times(db, "platform")
    assert before == [first.isoformat()] * len(refs)
    met, notified = records(db, capsys)
    assert met is not None and notified is not None

    again = delivery_report(tmp_path / "b.csv", refs, first + timedelta(minutes=2))
    code, out, _ = call(capsys, db, "import-delivery", "1", str(again), "--check")
    assert code == 0 and (json.loads(out)["changed"], json.loads(out)["unchanged"]) == (0, len(refs))
    code, out, _ = call(capsys, db, "import-delivery", "1", str(again))
    assert code == 0 and (json.loads(out)["changed"], json.loads(out)["unchanged"]) == (0, len(refs))
    assert sent_times(db, "platform") == before
    assert records(db, capsys) == (met, notified)

    # A failure reported later still counts (the person was not reached after all).
    bounce = tmp_path / "c.csv"
    bounce.write_text(f"reference,status,time\n{refs[0]},bounced,{(first + timedelta(minutes=3)).isoformat()}\n",
                      encoding="utf-8")
    code, out, _ = call(capsys, db, "import-delivery", "1", str(bounce))
    assert code == 0 and json.loads(out)["changed"] == 1


def out_ids(path: Path) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    return [row["out_id"] for row in rows]


@pytest.mark.parametrize(("export", "command", "channel"), [("export-sms", "import-sms-report", "sms"),
                                                            ("export-calls", "import-call-report", "phone")])
def test_an_sms_or_call_report_imported_again_later_keeps_the_first_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], export: str, command: str, channel: str) -> None:
    db, handed = tmp_path / "d.sqlite3", tmp_path / "handoff.csv"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    assert call(capsys, db, export, "1", "--out", str(handed))[0] == 0
    report = tmp_path / "report.csv"
    ids = out_ids(handed)
    report.write_text("out_id,status\n" + "".join(f"{i},delivered\n" for i in ids), encoding="utf-8")
    code, out, err = call(capsys, db, command, "1", str(report))
    assert code == 0 and json.loads(out)["changed"] == len(ids), err
    before = sent_times(db, channel)
    assert len(before) == len(ids)
    time.sleep(1.1)  # the report's rows are stamped with the import's time (whole seconds)
    code, out, _ = call(capsys, db, command, "1", str(report))
    assert code == 0 and (json.loads(out)["changed"], json.loads(out)["unchanged"]) == (0, len(ids))
    assert sent_times(db, channel) == before


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "idna", "unicode_escape", "raw_unicode_escape",
                                      "utf-7"])
@pytest.mark.parametrize("command", ["import-delivery", "import-sms-report"])
def test_a_codec_that_is_not_a_text_encoding_is_refused_naming_the_option(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        encoding: str, command: str) -> None:
    db, lines = exported
    report = delivery_report(tmp_path / "r.csv", [line["reference"] for line in lines], datetime.now(UTC))
    code, out, err = call(capsys, db, command, "1", str(report), "--encoding", encoding)
    assert code == 2 and out == "", err
    assert "--encoding" in err and f"'{encoding}' is not a text encoding" in err and "utf-8" in err, err
    assert "unexpected error" not in err
    assert sent_times(db, "platform") == []


def test_utf16_named_for_a_file_that_is_not_utf16_is_refused_and_a_real_one_is_read(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    report = delivery_report(tmp_path / "r.csv", [line["reference"] for line in lines], datetime.now(UTC))
    for command in ("import-delivery", "import-sms-report"):
        code, _, err = call(capsys, db, command, "1", str(report), "--encoding", "utf-16")
        assert code == 2 and "r.csv is not utf-16 text" in err and "unexpected error" not in err, err
    wide = tmp_path / "wide.csv"
    wide.write_bytes(report.read_text(encoding="utf-8").encode("utf-16"))
    code, out, err = call(capsys, db, "import-delivery", "1", str(wide), "--encoding", "utf-16")
    assert code == 0 and json.loads(out)["changed"] == len(lines), err


def test_an_unknown_reference_is_counted_only_as_unknown(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    report = tmp_path / "unknown.csv"
    report.write_text(f"reference,status,time\nbd9nope,delivered,{now}\n{lines[0]['reference']},delivered,{now}\n",
                      encoding="utf-8")
    code, out, _ = call(capsys, db, "import-delivery", "1", str(report), "--check")
    summary = json.loads(out)
    assert code == 2
    counts = {k: summary[k] for k in ("rows", "delivered", "failed", "pending", "unknown", "changed", "unchanged")}
    assert counts == {"rows": 2, "delivered": 1, "failed": 0, "pending": 0, "unknown": 1, "changed": 1,
                      "unchanged": 0}


@pytest.mark.parametrize("command", ["import-delivery", "import-sms-report", "import-call-report"])
def test_a_missing_report_or_a_folder_is_bad_input_naming_the_path(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        command: str) -> None:
    db, _ = exported
    missing = tmp_path / "nowhere.csv"
    code, out, err = call(capsys, db, command, "1", str(missing))
    assert (code, out) == (2, "") and f"{missing} does not exist" in err, err
    code, _, err = call(capsys, db, command, "1", str(tmp_path))
    assert code == 2 and f"{tmp_path} is a folder" in err, err


def test_verifying_a_missing_pack_is_bad_input_not_tampering(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    missing = tmp_path / "none.zip"
    code, out, err = call(capsys, db, "evidence", "verify", str(missing))
    assert (code, out) == (2, "") and f"{missing} does not exist" in err, err
    assert "no record of this pack" not in err


def people_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM people WHERE incident_id = 1").fetchone()[0])


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_people_list_cut_off_inside_a_quoted_cell_is_refused_naming_the_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    before, reports = people_count(db), set(tmp_path.glob("d.sqlite3.people-import-*"))
    people = tmp_path / "people.csv"
    people.write_text("user_id,name,phone,language\nU1,张三,13800000001,zh-CN\n"
                      f'U2,"李四,13800000002,zh-CN{ending}', encoding="utf-8")
    code, out, err = call(capsys, db, "import-people", "1", str(people), "--replace")
    assert (code, out) == (2, ""), err
    assert "row 3" in err and "cut off inside a quoted cell" in err and "nothing was imported" in err, err
    assert "13800000002" not in err
    assert people_count(db) == before
    assert set(tmp_path.glob("d.sqlite3.people-import-*")) == reports  # no import report either
    # The same rows with the quote closed import, the quoted name read as a name.
    people.write_text('user_id,name,phone,language\nU1,张三,13800000001,zh-CN\nU2,"李四",13800000002,zh-CN\n',
                      encoding="utf-8")
    code, _, err = call(capsys, db, "import-people", "1", str(people), "--replace")
    assert code == 0, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM people WHERE user_id = 'U2'").fetchone() == ("李四",)
