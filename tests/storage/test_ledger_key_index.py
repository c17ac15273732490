"""Migration 40: the check refusing a send or a hand-off while two people would share a
send-ledger key reads the incident's kept keys through a partial index on ``people.ledger_key``
instead of going through every person of the incident; the index holds the corrected people
alone (an import leaves the column NULL, the retention purge blanks it to '')."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from incident_app.storage.database import applied_migrations, connect, migrate
from incident_app.storage.people import PeopleRepository
from tests.ledger_key_helpers import shared_ledger_key_db

INDEX = "people_incident_ledger_key"
NOW = "2026-12-04T08:00:00+00:00"


def _index_entries(conn: sqlite3.Connection) -> int:
    """The cells of the index's B-tree (dbstat): what it holds, not what a query filters."""
    return int(conn.execute("SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
                            [INDEX]).fetchone()[0])


def test_the_shared_key_scan_reads_the_partial_index(tmp_path: Path) -> None:
    db_path, kept, other = shared_ledger_key_db(tmp_path)
    db = connect(db_path)
    try:
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)  # the statements as the repository runs them
        assert PeopleRepository(db).shared_ledger_keys(1) == [(kept, other)]
        db.conn.set_trace_callback(None)
        scan = next(s for s in statements if "ledger_key" in s and "UNION" not in s)
        plan = " ".join(str(step) for step in db.execute(f"EXPLAIN QUERY PLAN {scan}").fetchall())
    finally:
        db.close()
    assert f"USING COVERING INDEX {INDEX}" in plan, plan


def test_migration_40_indexes_only_the_kept_keys_of_a_file_at_39(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = connect(path)
    migrate(db, path, until=39)
    with db.atomic():
        db.execute("INSERT INTO incidents (id, title, status, discovered_at, facts, created_at, updated_at)"
                   f" VALUES (1, 't', 'notifying', '{NOW}', '{{}}', '{NOW}', '{NOW}')")
        # 500 imported (NULL), one corrected (its old address kept), one purged (blanked to '').
        db.conn.executemany("INSERT INTO people (id, incident_id, email, is_minor, language, channel, merged_rows,"
                            " ledger_key) VALUES (?, 1, ?, 0, 'zh-CN', 'email', 0, ?)",
                            [(i, f"p{i}@example.test", None) for i in range(1, 501)]
                            + [(501, "new@example.test", "old@example.test"), (502, "", "")])
    assert 40 not in applied_migrations(db)
    assert migrate(db, path) == ["m0040_people_ledger_key_index"]
    db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [INDEX]).fetchone()
        assert sql is not None and "WHERE ledger_key IS NOT NULL AND ledger_key != ''" in sql[0]
        assert _index_entries(conn) == 1  # the corrected person alone
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # A purge blanking the key takes it out of the index, and it stays out.
        conn.execute("UPDATE people SET email = '', ledger_key = '' WHERE id = 501")
        assert _index_entries(conn) == 0
