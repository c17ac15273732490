"""The send ledger's CSV in an evidence pack carries every column it has today (channel and
updated_at included) with the row's values, and the pack verifies."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

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
                      "fallback", "channel", "updated_at"]
    assert header == list(records.LEDGER_COLUMNS)
    fields = dict(zip(header, row, strict=True))
    assert fields["channel"] == "sms" and fields["updated_at"] == "2026-11-20T09:07:00+08:00"
    assert fields["to_address"] == "***00" and fields["fallback"] == "letter" and fields["sent_at"] == ""
    report = verify_evidence(out)
    assert report.ok, report.problems
