"""The send ledger's CSV in an evidence pack carries every column it has today (channel and
updated_at included) with the row's values, and the pack verifies."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack, records, verify_evidence


def test_the_ledger_csv_has_every_column_and_the_pack_verifies(services: Services, intake: dict[str, object],
                                                               tmp_path: Path) -> None:
    incident_id = services.incidents.create(intake).id
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.execute(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at, updated_at, sent_at,"
            " fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (incident_id, "person:U1", "individual_email", "v1", "13800138000", "zh-CN", "<m1@x>", "failed", 2, 0,
             None, "UNDELIV", "number unknown", "2026-11-20T09:00:00+08:00", "2026-11-20T09:07:00+08:00", None,
             "letter", "sms"))
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    text = zipfile.ZipFile(out).read("send-ledger/ledger.csv").decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert header == ["row", "recipient", "notice_kind", "notice_version", "to_address", "language", "message_id",
                      "state", "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at", "sent_at",
                      "fallback", "channel", "updated_at", "contact_seq", "current"]
    assert header == list(records.LEDGER_COLUMNS)
    fields = dict(zip(header, row, strict=True))
    assert fields["channel"] == "sms" and fields["updated_at"] == "2026-11-20T09:07:00+08:00"
    assert fields["to_address"] == "***00" and fields["fallback"] == "letter" and fields["sent_at"] == ""
    assert (fields["contact_seq"], fields["current"]) == ("0", "yes")
    report = verify_evidence(out)
    assert report.ok, report.problems


NINE, TEN, ELEVEN = (f"2026-11-20T{h}:00:00+08:00" for h in ("09", "10", "11"))


@pytest.mark.parametrize("unmask", [False, True])
@pytest.mark.parametrize("odd", [False, True])
def test_each_row_says_which_contact_it_went_to_and_whether_it_is_the_latest(
        services: Services, intake: dict[str, object], tmp_path: Path, unmask: bool, odd: bool) -> None:
    # U1's notice went to an address later corrected twice (rows of contact_seq 0, 1, 2), U2's
    # once. ``odd``: U1's first row holds a time in another form, so it is rendered row by row.
    incident_id = services.incidents.create(intake).id
    conn = services.ctx.store.db.conn
    queued = "2026-11-20 09:00:00" if odd else NINE
    with services.ctx.store.transaction():
        conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, queued_at, updated_at, channel, contact_seq)"
            " VALUES (?,?,'individual','v1',?,'zh-CN',?,'sent',1,0,?,?,'platform',?)",
            [(incident_id, "U1", "old@example.test", "m1", queued, NINE, 0),
             (incident_id, "U2", "u2@example.test", "m2", NINE, NINE, 0),
             (incident_id, "U1", "new@example.test", "m3", TEN, TEN, 1),
             (incident_id, "U1", "old@example.test", "m1", ELEVEN, ELEVEN, 2)])
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out, unmask=unmask)
    text = zipfile.ZipFile(out).read("send-ledger/ledger.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["message_id"], r["contact_seq"], r["current"]) for r in rows] == [
        ("m1", "0", "no"), ("m2", "0", "yes"), ("m3", "1", "no"), ("m1", "2", "yes")]
    assert verify_evidence(out).ok
