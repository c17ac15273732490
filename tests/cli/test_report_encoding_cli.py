"""Delivery reports in an encoding other than UTF-8 or Chinese GB18030 — a Latin-1 / Windows-1252
CSV with "é" in its comment column — are refused, naming the file and the line and asking for
the encoding, never read as GB18030 mojibake; ``--encoding`` reads them exactly. Platform
(``import-delivery``) and SMS gateway (``import-sms-report``) alike; a GB18030 report with
Chinese statuses is still read without being asked."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from platform_helpers import call


def platform_report(path: Path, lines: list[dict[str, str]], reason: str, encoding: str,
                    status: str = "bounced") -> Path:
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    text = "reference,status,time,reason\r\n" + f"{lines[0]['reference']},{status},{at},{reason}\r\n" + "".join(
        f"{line['reference']},delivered,{at},\r\n" for line in lines[1:])
    path.write_bytes(text.encode(encoding))
    return path


def reasons(db: Path, channel: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(r) for (r,) in conn.execute("SELECT reason FROM send_ledger WHERE channel = ? AND state = 'failed'",
                                                 [channel])]


def test_a_latin1_platform_report_is_refused_naming_the_line_then_read_with_encoding(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    report = platform_report(tmp_path / "latin.csv", lines, "Réception refusée par le serveur", "cp1252")
    code, out, err = call(capsys, db, "import-delivery", "1", str(report))
    assert code == 2 and out == "", err
    assert "latin.csv" in err and "line 2" in err and "--encoding" in err and "not Chinese text" in err, err
    assert reasons(db, "platform") == []  # nothing written
    code, _, err = call(capsys, db, "import-delivery", "1", str(report), "--check")
    assert code == 2 and "line 2" in err
    code, out, err = call(capsys, db, "import-delivery", "1", str(report), "--encoding", "cp1252")
    assert code == 0, err
    assert reasons(db, "platform") == ["Réception refusée par le serveur"]


def test_an_unknown_encoding_name_is_refused_naming_the_option(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    report = platform_report(tmp_path / "latin.csv", lines, "Réception", "cp1252")
    code, _, err = call(capsys, db, "import-delivery", "1", str(report), "--encoding", "klingon")
    assert code == 2 and "encoding" in err and "klingon" in err, err
    code, _, err = call(capsys, db, "import-delivery", "1", str(report), "--encoding", "utf-8")
    assert code == 2 and "line 2" in err and "not utf-8 text" in err, err


def test_a_gb18030_report_with_chinese_statuses_is_still_read_unasked(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    report = platform_report(tmp_path / "gbk.csv", lines, "用户手机已停机", "gb18030", status="退信")
    code, _, err = call(capsys, db, "import-delivery", "1", str(report))
    assert code == 0, err
    assert reasons(db, "platform") == ["用户手机已停机"]


def test_a_latin1_sms_report_is_refused_then_read_with_encoding(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, export = tmp_path / "d.sqlite3", tmp_path / "sms.csv"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    assert call(capsys, db, "export-sms", "1", "--out", str(export))[0] == 0
    rows = list(csv.reader(io.StringIO(export.read_bytes().decode("utf-8-sig"))))[1:]
    text = "phone,status,reason\r\n" + "".join(
        f"{row[0]},{'failed' if i == 0 else 'delivered'},{'Numéro résilié' if i == 0 else ''}\r\n"
        for i, row in enumerate(rows))
    report = tmp_path / "sms-report.csv"
    report.write_bytes(text.encode("latin-1"))
    code, out, err = call(capsys, db, "import-sms-report", "1", str(report))
    assert code == 2 and out == "" and "sms-report.csv" in err and "line 2" in err and "--encoding" in err, err
    assert reasons(db, "sms") == []
    code, _, err = call(capsys, db, "import-sms-report", "1", str(report), "--encoding", "latin-1")
    assert code == 0, err
    assert reasons(db, "sms") == ["Numéro résilié"]
