"""Migration 38: an existing send ledger upgrades in place — every row kept as it was, numbered
the first contact (contact_seq 0) — and its unique key becomes (incident, key, kind, version,
contact_seq): the same row twice is still refused, a corrected contact is a row of its own. The
queries that find recipients and the rows a correction superseded seek indexes (EXPLAIN QUERY
PLAN), never scan the ledger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from incident_app.services.container import open_services
from incident_app.storage import database

STAMP = "2026-11-20T09:00:00+00:00"
INSERT = ("INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
          " message_id, state, attempts, in_doubt, queued_at, updated_at, channel) VALUES (?,?,?,?,?,?,?,?,0,0,?,?,?)")


def test_an_existing_ledger_upgrades_and_its_rows_stay_as_they_were(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object]) -> None:
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < 38])
    services = open_services(db_path)
    incident = services.incidents.create(intake).id
    rows = [(incident, "u1", "individual", "platform:v1", "user1@example.test", "zh-CN", "bd1iaaa", "sent", STAMP,
             STAMP, "platform"),
            (incident, "person-9", "individual", "platform:v1", "", "zh-CN", "bd1ibbb", "sent", STAMP, STAMP,
             "platform"),
            (incident, "u2", "individual", "sms:3", "+8613800138002", "zh-CN", "bd1iccc", "queued", STAMP, STAMP,
             "sms")]
    services.ctx.store.db.conn.executemany(INSERT, rows)
    services.ctx.store.db.conn.commit()
    before = services.ctx.store.db.execute("SELECT * FROM send_ledger ORDER BY id").fetchall()
    services.close()

    monkeypatch.setattr(database, "discover_migrations", lambda: real)
    services = open_services(db_path)
    try:
        db = services.ctx.store.db
        assert db_path.with_name(db_path.name + ".before-m0038.bak").exists()
        after = db.execute("SELECT * FROM send_ledger ORDER BY id").fetchall()
        assert [row[:-1] for row in after] == before and {row[-1] for row in after} == {0}
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_send_ledger_incident_id_recipient_key_notice_kind_notice_version" not in names
        with pytest.raises(sqlite3.IntegrityError):
            db.conn.execute(INSERT, rows[0])  # the same row again: refused as before
        db.conn.rollback()
        corrected = (*rows[0][:4], "u1-new@example.test", "zh-CN", "bd1iddd", "queued", STAMP, STAMP, "platform")
        db.conn.execute(INSERT.replace("channel)", "channel, contact_seq)").replace("?)", "?,1)"), corrected)
        db.conn.commit()
        [superseded] = services.ctx.store.send_ledger.superseded_rows(incident)[incident]
        assert (superseded.kind, superseded.version, superseded.channel, superseded.rows, superseded.sent) == (
            "individual", "platform:v1", "platform", 1, 1)
        assert services.ctx.store.send_ledger.superseded_rows() == {incident: [superseded]}
    finally:
        services.close()


def test_recipient_and_superseded_lookups_seek_indexes(tmp_path: Path, intake: dict[str, object]) -> None:
    services = open_services(tmp_path / "d.sqlite3")
    try:
        ledger = services.ctx.store.send_ledger
        incident = services.incidents.create(intake).id
        reached = " ".join(ledger.reached_people_plan(incident))
        assert "idx_send_ledger_recipient_contact (incident_id=? AND recipient_key=?" in reached, reached
        # The superseded rows, for one incident and for all (the register): the corrected rows
        # through their partial index first, then each predecessor by the unique index.
        steps: list[int] = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        db = services.ctx.store.db
        with services.ctx.store.transaction():
            db.conn.executemany(INSERT, [(incident, f"u{n}", "individual", "platform:v1", f"u{n}@example.test",
                                          "zh-CN", f"bd{n}", "sent", STAMP, STAMP, "platform") for n in range(20000)])
        db.conn.set_progress_handler(count, 100)
        assert ledger.superseded_rows(incident) == {} and ledger.superseded_rows() == {}
        found = ledger.latest_contacts(incident, "platform", "platform:v1", ["u5", "u7", "nobody"])
        db.conn.set_progress_handler(None, 0)
        assert found == {("u5", "individual"): (0, "u5@example.test", "bd5", "sent"),
                         ("u7", "individual"): (0, "u7@example.test", "bd7", "sent")}
        # A scan of the 20,000 rows would cost hundreds of thousands of instructions.
        assert steps[0] * 100 < 20000, f"{steps[0] * 100} SQLite instructions"
    finally:
        services.close()
