"""A correction undone never messages a contact already told: the officer changes a person's number
or address by mistake, the notice goes to the mistaken contact (a new ledger row), and the contact
is corrected back. The original contact was told already, so the person's latest row becomes a copy
of the row sent there (same reference or Message-ID, same time): the duty stays met, the register
agrees, and the next hand-off or send adds nothing — on the command line and a real database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from platform_helpers import call
from smtp_sink import Sink

ORIGINAL, MISTAKE = "13891983815", "13700137001"  # the demo's person 2 (channel sms, user id D000002)


def rows(db: Path, key: str, channel: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT contact_seq, to_address, state, message_id, sent_at FROM send_ledger"
                            " WHERE recipient_key = ? AND channel = ? ORDER BY contact_seq", [key, channel]).fetchall()


def export(capsys: pytest.CaptureFixture[str], db: Path, out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    code, printed, err = call(capsys, db, "export-recipients", "1", "--out", str(out))
    assert code == 0, err
    return json.loads(printed), [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def deliver(capsys: pytest.CaptureFixture[str], db: Path, path: Path, lines: list[dict[str, Any]],
            after: timedelta) -> None:
    at = (datetime.now(UTC) + after).replace(microsecond=0).isoformat()
    path.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                    encoding="utf-8")
    code, _, err = call(capsys, db, "import-delivery", "1", str(path))
    assert code == 0, err


def export_sms(capsys: pytest.CaptureFixture[str], db: Path, out: Path) -> dict[str, str]:
    """``export-sms`` to ``out``: phone -> out id of the file written."""
    code, _, err = call(capsys, db, "export-sms", "1", "--out", str(out))
    assert code == 0, err
    return {r["phone"]: r["out_id"] for r in csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")))}


def edit(capsys: pytest.CaptureFixture[str], db: Path, person: int, field: str, value: str) -> None:
    code, _, err = call(capsys, db, "people", "1", "--edit", str(person), "--set", f"{field}={value}",
                        "--reason", "号码填错")
    assert code == 0, err


def records(capsys: pytest.CaptureFixture[str], db: Path) -> tuple[str, str | None, dict[str, int]]:
    """(pipl57-individuals' status, its met time, the register's nonzero waiting/told counts)."""
    duty = next(o for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]
                if o["id"] == "pipl57-individuals")
    record = json.loads(call(capsys, db, "register")[1])["incidents"][0]
    counts = {k: record[k] for k in ("notified_email", "pending_email", "pending_sms", "pending_letter") if record[k]}
    return duty["status"], duty["met_at"], counts


@pytest.mark.parametrize("mistake_delivered", [False, True])
def test_a_number_corrected_back_is_not_handed_off_again_and_the_duty_stays_met(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mistake_delivered: bool) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    _, first = export(capsys, db, tmp_path / "r1.jsonl")
    deliver(capsys, db, tmp_path / "d1.csv", first, timedelta(seconds=1))
    told = records(capsys, db)
    assert told[0] == "met" and told[2] == {}
    original_ref = next(line["reference"] for line in first if line["to"] == f"+86{ORIGINAL}")

    edit(capsys, db, 2, "phone", MISTAKE)  # by mistake: the person now waits for the new number
    assert records(capsys, db)[0] != "met"
    result, second = export(capsys, db, tmp_path / "r2.jsonl")
    assert result["corrected_contacts"] == 1
    if mistake_delivered:
        deliver(capsys, db, tmp_path / "d2.csv", [line for line in second if line["to"] == f"+86{MISTAKE}"],
                timedelta(seconds=2))

    edit(capsys, db, 2, "phone", ORIGINAL)  # corrected back to the number already told
    status, met_at, counts = records(capsys, db)
    assert status == "met" and counts == {}, (status, counts)  # the duty and the register agree: told
    found = json.loads(call(capsys, db, "enquiry", "lookup", "1", "--phone", ORIGINAL)[1])["people"][0]
    assert (found["notice_delivered"], found["notice_delivered_at"]) == (True, told[1])  # the desk too
    result, third = export(capsys, db, tmp_path / "r3.jsonl")
    assert (result["new_ledger_rows"], result["corrected_contacts"]) == (0, 0)
    # The platform gets the reference it already delivered, never a new one for that number.
    assert [line["reference"] for line in third if line["to"] == f"+86{ORIGINAL}"] == [original_ref]
    ledger = rows(db, "D000002", "platform")
    assert [r[:3] for r in ledger] == [(0, f"+86{ORIGINAL}", "sent"),
                                       (1, f"+86{MISTAKE}", "sent" if mistake_delivered else "queued"),
                                       (2, f"+86{ORIGINAL}", "sent")]
    assert ledger[2][3:] == ledger[0][3:]  # the same message, delivered when it was
    assert records(capsys, db) == (status, met_at, {})
    # The evidence pack's ledger shows the three rows, the last one current.
    pack = tmp_path / "pack.zip"
    assert call(capsys, db, "evidence", "1", "--out", str(pack))[0] == 0
    with zipfile.ZipFile(pack) as archive:
        text = archive.read("send-ledger/ledger.csv").decode("utf-8-sig")
    refs = {original_ref, *(line["reference"] for line in second if line["to"] == f"+86{MISTAKE}")}
    assert [(r["contact_seq"], r["current"], r["state"]) for r in csv.DictReader(io.StringIO(text))
            if r["message_id"] in refs] == [("0", "no", "sent"), ("1", "no", ledger[1][2]), ("2", "yes", "sent")]


def test_an_address_corrected_back_is_not_e_mailed_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    listing = json.loads(call(capsys, db, "people", "1", "--channel", "email", "--limit", "1", "--unmask",
                              "--reason", "测试")[1])
    person = listing["people"][0]
    relay = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--plain", "--from", "privacy@example.test",
             "--timeout", "2", "--retry-base", "0.05"]
    assert call(capsys, db, "send", "1", *relay)[0] == 0
    emailed = records(capsys, db)[2]["notified_email"]
    edit(capsys, db, person["id"], "email", "mistake@example.test")
    assert call(capsys, db, "send", "1", *relay)[0] == 0
    assert sink.received[-1].address == "mistake@example.test"
    before = sink.count()
    edit(capsys, db, person["id"], "email", person["email"])
    assert records(capsys, db)[2]["notified_email"] == emailed  # told at the address they have again
    assert call(capsys, db, "send", "1", *relay)[0] == 0
    assert sink.count() == before  # nobody e-mailed twice
    ledger = rows(db, person["user_id"], "email")
    assert [r[:3] for r in ledger] == [(0, person["email"], "sent"), (1, "mistake@example.test", "sent"),
                                       (2, person["email"], "sent")]
    assert ledger[2][3:] == ledger[0][3:]


def test_a_number_back_without_a_correction_is_read_alike_and_handed_off_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The number came back without a correction of this version (as an older version's correction
    # left it, or a list imported again): the duty and the register read the same latest row (not
    # told yet), and the next export copies the delivered row instead of a new reference.
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    _, first = export(capsys, db, tmp_path / "r1.jsonl")
    deliver(capsys, db, tmp_path / "d1.csv", first, timedelta(seconds=1))
    edit(capsys, db, 2, "phone", MISTAKE)
    _, second = export(capsys, db, tmp_path / "r2.jsonl")
    deliver(capsys, db, tmp_path / "d2.csv", second, timedelta(seconds=2))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE people SET phone = ? WHERE id = 2", [f"+86{ORIGINAL}"])
        # Written behind the app's back: the register's cached summaries (disposable) would not see it.
        conn.execute("DELETE FROM assessment_cache")
    status, _, counts = records(capsys, db)
    assert status != "met" and counts == {"pending_sms": 1}, (status, counts)
    result, third = export(capsys, db, tmp_path / "r3.jsonl")
    assert (result["new_ledger_rows"], result["corrected_contacts"]) == (0, 0)
    original_ref = next(line["reference"] for line in first if line["to"] == f"+86{ORIGINAL}")
    assert [line["reference"] for line in third if line["to"] == f"+86{ORIGINAL}"] == [original_ref]
    status, _, counts = records(capsys, db)
    assert status == "met" and counts == {}, (status, counts)


def test_an_sms_number_corrected_back_gets_no_second_sms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0

    first = export_sms(capsys, db, tmp_path / "s1.csv")
    report = tmp_path / "delivered.csv"
    report.write_text("out_id,status\n" + "".join(f"{i},delivered\n" for i in first.values()), encoding="utf-8")
    assert call(capsys, db, "import-sms-report", "1", str(report))[0] == 0
    edit(capsys, db, 2, "phone", MISTAKE)
    assert f"+86{MISTAKE}" in export_sms(capsys, db, tmp_path / "s2.csv")
    edit(capsys, db, 2, "phone", ORIGINAL)
    third = export_sms(capsys, db, tmp_path / "s3.csv")
    assert third == first  # the gateway gets the out id it already delivered, never a new one
    assert [r[:3] for r in rows(db, "D000002", "sms")] == [
        (0, f"+86{ORIGINAL}", "sent"), (1, f"+86{MISTAKE}", "queued"), (2, f"+86{ORIGINAL}", "sent")]


def test_a_number_corrected_back_before_any_report_keeps_its_reference(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handed off, not reported on yet, then A -> B -> A: the platform already has the message for A,
    so A keeps its reference — the third file hands A nothing new, and a report for that reference
    answers for the person's latest row."""
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    _, first = export(capsys, db, tmp_path / "q1.jsonl")
    original_ref = next(line["reference"] for line in first if line["to"] == f"+86{ORIGINAL}")
    edit(capsys, db, 2, "phone", MISTAKE)
    export(capsys, db, tmp_path / "q2.jsonl")
    edit(capsys, db, 2, "phone", ORIGINAL)
    _, third = export(capsys, db, tmp_path / "q3.jsonl")
    to_original = {line["reference"] for line in third if line["to"] == f"+86{ORIGINAL}"}
    assert to_original <= {original_ref}  # never a second reference for the same number
    history = rows(db, "D000002", "platform")
    assert [r[:3] for r in history] == [(0, f"+86{ORIGINAL}", "queued"), (1, f"+86{MISTAKE}", "queued"),
                                        (2, f"+86{ORIGINAL}", "queued")]
    assert history[2][3] == history[0][3]  # the same reference
    deliver(capsys, db, tmp_path / "d.csv", first, timedelta(seconds=1))  # the platform reports the first file
    assert rows(db, "D000002", "platform")[2][2] == "sent"
    assert records(capsys, db)[0] == "met"


def test_an_sms_number_corrected_back_before_its_report_keeps_its_out_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0

    first = export_sms(capsys, db, tmp_path / "s1.csv")
    edit(capsys, db, 2, "phone", MISTAKE)
    export_sms(capsys, db, tmp_path / "s2.csv")
    edit(capsys, db, 2, "phone", ORIGINAL)
    third = export_sms(capsys, db, tmp_path / "s3.csv")
    assert third.get(f"+86{ORIGINAL}", first[f"+86{ORIGINAL}"]) == first[f"+86{ORIGINAL}"]
    ids = {r[3] for r in rows(db, "D000002", "sms") if r[1] == f"+86{ORIGINAL}"}
    assert len(ids) == 1, ids  # one out id for the number, however often it came back
