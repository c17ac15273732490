"""The records the officer signs after a mass-platform hand-off, when some deliveries failed:
the register's pending counts, the evidence pack's ledger (channel, the platform's time, the
reason), and a report saved by a European Excel (semicolons); ``--check`` exits 2 when the real
import would be refused."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from platform_helpers import call


def report(path: Path, lines: list[dict[str, str]], failed: set[str], at: str, sep: str = ",") -> Path:
    path.write_text(sep.join(["reference", "status", "time", "reason"]) + "\r\n" + "".join(
        sep.join([line["reference"], "bounced" if line["reference"] in failed else "delivered", at,
                  "mailbox full" if line["reference"] in failed else ""]) + "\r\n" for line in lines),
        encoding="utf-8")
    return path


def test_failed_platform_deliveries_stay_pending_in_the_register(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    adults = [line for line in lines if line["kind"] == "individual"]
    failed = {adults[0]["reference"], adults[1]["reference"]}
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    assert call(capsys, db, "import-delivery", "1", str(report(tmp_path / "r.csv", lines, failed, at)))[0] == 0
    assessed = {o["id"]: o for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]}
    assert assessed["pipl57-individuals"]["status"] != "met"
    # The reason tells how the platform stands, not "SMS or letter for N more: record the fulfilment".
    why = {o["id"]: o["why"] for o in json.loads(call(capsys, db, "assess", "1", "--lang", "en")[1])["obligations"]}
    assert f"{len(lines) - 2:,} of its {len(lines):,} messages delivered" in why["pipl57-individuals"]
    assert "record the fulfilment" not in why["pipl57-individuals"]
    assert f"已报告送达 {len(lines) - 2:,} 条" in assessed["pipl57-individuals"]["why"]
    row = json.loads(call(capsys, db, "register")[1])["incidents"][0]
    # Two people were not reached: the register must not say nobody is waiting (the platform's
    # rows count messages — a teenager and their guardian are two — not people).
    assert row["pending_email"] + row["pending_sms"] + row["pending_letter"] == 2, row


def test_the_evidence_ledger_shows_the_platform_channel_time_and_reason(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    failed = {lines[0]["reference"]}
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    assert call(capsys, db, "import-delivery", "1", str(report(tmp_path / "r.csv", lines, failed, at)))[0] == 0
    pack = tmp_path / "pack.zip"
    assert call(capsys, db, "evidence", "1", "--out", str(pack))[0] == 0
    assert call(capsys, db, "evidence", "verify", str(pack))[0] == 0
    with zipfile.ZipFile(pack) as archive:
        rows = list(csv.DictReader(archive.read("send-ledger/ledger.csv").decode("utf-8-sig").splitlines()))
    by_ref = {r["message_id"]: r for r in rows}
    bounced = by_ref[lines[0]["reference"]]
    assert bounced["channel"] == "platform" and bounced["state"] == "failed"
    assert bounced["reason"] == "mailbox full" and bounced["updated_at"] == at
    delivered = by_ref[lines[1]["reference"]]
    assert delivered["channel"] == "platform" and delivered["sent_at"] == at == delivered["updated_at"]


def test_a_semicolon_report_from_excel_is_read(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    code, out, err = call(capsys, db, "import-delivery", "1",
                          str(report(tmp_path / "r.csv", lines, set(), at, sep=";")))
    assert code == 0, err
    assert json.loads(out)["delivered"] == len(lines)


def test_check_exits_2_when_the_import_would_be_refused(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = exported
    bad = tmp_path / "bad.csv"
    bad.write_text(f"reference,status,time\nbd9nope,delivered,{datetime.now(UTC).isoformat()}\n", encoding="utf-8")
    code, out, err = call(capsys, db, "import-delivery", "1", str(bad), "--check")
    assert code == 2 and "row 2, reference" in out + err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM send_ledger WHERE state != 'queued'").fetchone()[0] == 0


def test_an_export_killed_earlier_leaves_no_contacts_behind_after_the_next_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A SIGKILL mid-export leaves ``.r.jsonl.<random>.part`` (every address in full); the next
    export to that name removes it — but not one still being written (recently modified)."""
    import os
    import time

    db, out = tmp_path / "d.sqlite3", tmp_path / "r.jsonl"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    killed = tmp_path / ".r.jsonl.k1ll3d00.part"
    killed.write_text('{"to":"someone@example.com"}\n', encoding="utf-8")
    old = time.time() - 3600
    os.utime(killed, (old, old))
    killed_manifest = tmp_path / ".r.jsonl.manifest.json.k1ll3d00.part"
    killed_manifest.write_text("{}", encoding="utf-8")
    os.utime(killed_manifest, (old, old))
    busy = tmp_path / ".r.jsonl.busy0000.part"
    busy.write_text("being written", encoding="utf-8")
    other = tmp_path / ".other.jsonl.k1ll3d00.part"
    other.write_text("not ours", encoding="utf-8")
    os.utime(other, (old, old))
    code, stdout, err = call(capsys, db, "export-recipients", "1", "--out", str(out))
    assert code == 0, err
    assert not killed.exists() and not killed_manifest.exists()
    assert busy.exists() and other.exists()
    assert json.loads(stdout)["removed_leftovers"] == 2


def test_export_after_the_retention_purge_says_the_contacts_are_gone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from incident_app.domain.incident import IncidentStatus
    from incident_app.services.container import open_services

    db, out = tmp_path / "d.sqlite3", tmp_path / "r.jsonl"
    call(capsys, db, "demo")
    services = open_services(db)
    services.incidents.change_status(1, IncidentStatus.CLOSED, "summary report filed", force=True)
    services.close()
    assert call(capsys, db, "retention", "set", "--days", "0")[0] == 0
    assert call(capsys, db, "retention", "purge")[0] == 0
    code, _, err = call(capsys, db, "export-recipients", "1", "--out", str(out))
    assert code == 2 and "purged" in err and "not approved" not in err and not out.exists()


@pytest.mark.parametrize("where", ["header", "row"])
def test_a_huge_line_is_refused_by_its_line_without_reading_it_whole(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        where: str) -> None:
    db, lines = exported
    huge = tmp_path / "huge.csv"
    with huge.open("w", encoding="utf-8") as handle:
        if where == "header":
            handle.write("reference,status,time," + "x" * (3 << 20) + "\n")
        else:
            handle.write(f"reference,status,time,reason\n{lines[0]['reference']},failed,"
                         f"{datetime.now(UTC).isoformat()}," + "A" * (3 << 20) + "\n")
    code, _, err = call(capsys, db, "import-delivery", "1", str(huge))
    line = 1 if where == "header" else 2
    assert code == 2 and f"line {line}" in err and "longer than" in err, err
