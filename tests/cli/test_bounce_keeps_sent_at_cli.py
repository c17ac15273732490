"""A bounce reported after a delivery never erases when the notice was sent, on the command line
and a real database file: the platform's row turns failed but keeps its ``sent_at`` (the ledger,
the evidence pack's ledger.csv, the duty and the register agree: not delivered now, sent then); a
"delivered" after the bounce makes it sent again at its first delivery time; an SMS or call row
reported delivered stays sent, with its time, whatever a later report says."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from platform_helpers import call

from incident_app.cli.main import run


def row(db: Path, channel: str, ref: str) -> tuple[str, str | None, str]:
    """(state, sent_at, reason) of the ledger row of ``ref``."""
    with sqlite3.connect(db) as conn:
        state, sent, reason = conn.execute("SELECT state, sent_at, reason FROM send_ledger WHERE channel = ?"
                                           " AND message_id = ?", [channel, ref]).fetchone()
    return str(state), sent, str(reason)


def import_delivery(capsys: pytest.CaptureFixture[str], db: Path, path: Path, lines: list[str]) -> int:
    """Import a platform report of ``lines`` (reference,status,time,reason); how many rows changed."""
    path.write_text("reference,status,time,reason\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    code, out, err = call(capsys, db, "import-delivery", "1", str(path))
    assert code == 0, err
    return int(json.loads(out)["changed"])


def records(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str | None, str | None]:
    """(pipl57-individuals' status, its met time, the register's first notice to individuals)."""
    duty = next(o for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]
                if o["id"] == "pipl57-individuals")
    return duty["status"], duty["met_at"], json.loads(call(capsys, db, "register")[1])["incidents"][0][
        "individuals_notified_at"]


def pack_row(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str) -> dict[str, str]:
    """The evidence pack's ledger.csv row of ``ref``."""
    target = tmp_path / f"evidence-{len(list(tmp_path.glob('evidence-*')))}.zip"
    assert run(["--db", str(db), "evidence", "1", "--out", str(target)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    with zipfile.ZipFile(target) as pack:
        ledger = pack.read("send-ledger/ledger.csv").decode("utf-8-sig")
    return next(r for r in csv.DictReader(io.StringIO(ledger)) if r["message_id"] == ref)


def test_a_platform_bounce_after_delivery_keeps_the_sent_time(
        exported: tuple[Path, list[dict[str, str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    refs = [line["reference"] for line in lines]
    first = datetime.now(UTC).replace(microsecond=0)
    assert import_delivery(capsys, db, tmp_path / "a.csv", [f"{r},delivered,{first.isoformat()}," for r in refs]
                           ) == len(refs)
    sent = row(db, "platform", refs[0])[1]
    assert sent == first.isoformat()
    assert records(db, capsys)[0] == "met"

    # Three minutes later the platform reports the first message bounced.
    bounced = first + timedelta(minutes=3)
    assert import_delivery(capsys, db, tmp_path / "b.csv", [f"{refs[0]},bounced,{bounced.isoformat()},mailbox full"]
                           ) == 1
    assert row(db, "platform", refs[0]) == ("failed", sent, "mailbox full")
    assert all(row(db, "platform", r)[:2] == ("sent", sent) for r in refs[1:])
    # Not delivered now (the duty waits for that person), but the pack still says when it was sent.
    assert records(db, capsys)[0] != "met"
    in_pack = pack_row(db, tmp_path, capsys, refs[0])
    assert (in_pack["state"], in_pack["sent_at"]) == ("failed", sent)
    # The bounce imported again changes nothing.
    assert import_delivery(capsys, db, tmp_path / "b2.csv",
                           [f"{refs[0]},bounced,{bounced.isoformat()},mailbox full"]) == 0

    # Delivered again later: sent once more, at its first delivery time (a later "delivered" keeps it).
    again = first + timedelta(minutes=5)
    assert import_delivery(capsys, db, tmp_path / "c.csv", [f"{refs[0]},delivered,{again.isoformat()},"]) == 1
    assert row(db, "platform", refs[0]) == ("sent", sent, "")
    status, met, notified = records(db, capsys)
    assert status == "met" and met is not None and notified is not None
    assert datetime.fromisoformat(notified) == first


def out_ids(path: Path) -> list[str]:
    return [r["out_id"] for r in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))]


@pytest.mark.parametrize(("export", "command", "channel"), [("export-sms", "import-sms-report", "sms"),
                                                            ("export-calls", "import-call-report", "phone")])
def test_an_sms_or_call_failure_after_delivery_keeps_the_sent_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], export: str, command: str, channel: str) -> None:
    db, handed = tmp_path / "d.sqlite3", tmp_path / "handoff.csv"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    assert call(capsys, db, export, "1", "--out", str(handed))[0] == 0
    ids = out_ids(handed)
    delivered, failed = tmp_path / "delivered.csv", tmp_path / "failed.csv"
    delivered.write_text("out_id,status\n" + "".join(f"{i},delivered\n" for i in ids), encoding="utf-8")
    failed.write_text(f"out_id,status,reason\n{ids[0]},failed,no answer\n", encoding="utf-8")
    assert call(capsys, db, command, "1", str(delivered))[0] == 0
    state, sent, _ = row(db, channel, ids[0])
    assert state == "sent" and sent
    code, out, err = call(capsys, db, command, "1", str(failed))
    assert code == 0 and json.loads(out)["changed"] == 0, err
    assert row(db, channel, ids[0]) == ("sent", sent, "")
