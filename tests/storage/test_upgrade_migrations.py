"""Migrations 36 and 37 on a database an older version left at migration 35: the faster m36
(the batches index rebuilt instead of updated row by row when many rows change) leaves exactly
what the m36 before it left — every ledger row and the whole schema — checked against that code,
kept here as the oracle, and against concrete values."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from incident_app.storage import database
from incident_app.storage.database import applied_migrations, connect, migrate

COLUMNS = ("incident_id", "recipient_key", "notice_kind", "notice_version", "to_address", "message_id",
           "state", "attempts", "in_doubt", "queued_at", "updated_at", "sent_at", "next_attempt_at", "channel")
# Every kind of time an older version could have stored: another offset, UTC, a 'Z' suffix, a
# fraction of a second, a blank, NULL (the nullable columns) and text that is no time at all.
TIMES = ("2026-11-20T23:30:00+08:00", "2026-11-20T16:00:00+00:00", "2026-11-21T01:00:00-05:00",
         "2026-11-20T08:00:00Z", "2026-11-20T10:15:30.250+08:00", "", "not a time", "2026-11-20 09:00:00")


def _oracle_m36(db: sqlite_utils.Database) -> None:
    """Migration 36 as it was before (one UPDATE, the indexes updated in place)."""
    columns = ("queued_at", "updated_at", "sent_at", "next_attempt_at")
    utc = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {0})"
    foreign = " OR ".join(f"({c} != '' AND {c} NOT LIKE '%+00:00')" for c in columns)
    sets = ", ".join(f"{c} = CASE WHEN {c} != '' AND {c} NOT LIKE '%+00:00' THEN coalesce({utc.format(c)}, {c})"
                     f" ELSE {c} END" for c in columns)
    db.execute(f"UPDATE send_ledger SET {sets} WHERE {foreign}")


def _oracle_m37(db: sqlite_utils.Database) -> None:
    db.table("retention_delivery_record").create(
        {"incident_id": int, "taken_at": str, "reached": str},
        pk="incident_id", not_null={"taken_at", "reached"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )


def _rows(count: int, foreign_every: int) -> list[tuple[object, ...]]:
    """``count`` ledger rows; every ``foreign_every``-th one's times come from TIMES (mostly not
    UTC), the others are UTC already."""
    rows = []
    for i in range(count):
        if i % foreign_every == 0:
            pick = i // foreign_every
            times = [TIMES[(pick + k) % len(TIMES)] for k in range(4)]
            times[2] = None if pick % 5 == 4 else times[2]
            times[3] = None if pick % 3 == 2 else times[3]
        else:
            times = ["2026-11-20T16:00:00+00:00"] * 3 + [None]
        rows.append((1, f"person-{i}", "individual", "v1", f"u{i}@example.test", f"<{i}@x>",
                     "sent" if times[2] else "queued", 1, 0, *times, "email" if i % 2 else "sms"))
    return rows


def _at_35(path: Path, rows: list[tuple[object, ...]]) -> None:
    db = connect(path)
    migrate(db, path, until=35)
    with db.atomic():
        db.execute("INSERT INTO incidents (id, title, status, discovered_at, facts, created_at, updated_at)"
                   " VALUES (1, 't', 'notifying', '2026-11-19T08:00:00+00:00', '{}',"
                   " '2026-11-19T08:00:00+00:00', '2026-11-19T08:00:00+00:00')")
        db.conn.executemany(f"INSERT INTO send_ledger ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                            rows)
    db.close()


def _snapshot(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        ledger = conn.execute("SELECT * FROM send_ledger ORDER BY id").fetchall()
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                              " WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return ledger, schema


@pytest.mark.parametrize("foreign_every", [1, 3, 50], ids=["all-foreign", "a-third", "two-percent"])
def test_new_m36_m37_leave_what_the_old_ones_left(tmp_path: Path, foreign_every: int) -> None:
    old, new = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    _at_35(old, _rows(400, foreign_every))
    shutil.copyfile(old, new)

    db = connect(old)
    with db.atomic():
        _oracle_m36(db)
        _oracle_m37(db)
    db.close()
    db = connect(new)
    # Up to 37 only: the oracle is the code of 36 and 37 (38 and later apply alike to both files).
    assert migrate(db, new, until=37) == ["m0036_send_ledger_utc_times", "m0037_purge_delivery_record"]
    assert {36, 37} <= applied_migrations(db)
    db.close()

    old_ledger, old_schema = _snapshot(old)
    new_ledger, new_schema = _snapshot(new)
    assert new_ledger == old_ledger
    assert [s for s in new_schema if s[1] != "_migrations"] == [s for s in old_schema if s[1] != "_migrations"]


def test_m36_concrete_values(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    _at_35(path, _rows(8, 1))  # every row from TIMES: more than the rebuild share
    db = connect(path)
    migrate(db, path)
    db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        got = conn.execute("SELECT queued_at, updated_at, sent_at, next_attempt_at FROM send_ledger"
                           " ORDER BY id LIMIT 3").fetchall()
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM send_ledger WHERE incident_id = 1"
                            " AND notice_kind = 'individual' AND notice_version = 'v1' AND channel = 'email'"
                            " AND state = 'sent' AND sent_at > ''").fetchall()
    assert got == [
        # +08:00 and -05:00 to UTC; a UTC time as it was; NULL stays NULL.
        ("2026-11-20T15:30:00+00:00", "2026-11-20T16:00:00+00:00", "2026-11-21T06:00:00+00:00",
         "2026-11-20T08:00:00+00:00"),
        # 'Z' to +00:00; the fraction of a second is dropped (seconds precision, as stored now).
        ("2026-11-20T16:00:00+00:00", "2026-11-21T06:00:00+00:00", "2026-11-20T08:00:00+00:00",
         "2026-11-20T02:15:30+00:00"),
        # a blank stays blank; NULL stays NULL.
        ("2026-11-21T06:00:00+00:00", "2026-11-20T08:00:00+00:00", "2026-11-20T02:15:30+00:00", None),
    ]
    assert any("idx_send_ledger_batches" in str(step) for step in plan), plan  # the index is back, and used


def test_m36_keeps_an_index_it_does_not_know(tmp_path: Path) -> None:
    """A batches index that is not m32's (changed by hand) is updated in place, never replaced."""
    path = tmp_path / "db.sqlite3"
    _at_35(path, _rows(20, 1))
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP INDEX idx_send_ledger_batches")
        conn.execute("CREATE INDEX idx_send_ledger_batches ON send_ledger(incident_id, sent_at)")
        conn.commit()
    db = connect(path)
    migrate(db, path)
    db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'idx_send_ledger_batches'").fetchone()
        assert sql == ("CREATE INDEX idx_send_ledger_batches ON send_ledger(incident_id, sent_at)",)
        assert conn.execute("SELECT count(*) FROM send_ledger WHERE queued_at LIKE '%+08:00'").fetchone() == (0,)


def test_a_failing_later_migration_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All pending migrations are one transaction: m36's rewrite goes when a later one fails."""
    path = tmp_path / "db.sqlite3"
    _at_35(path, _rows(30, 1))
    before = _snapshot(path)
    real = database.discover_migrations()

    def broken(db: sqlite_utils.Database) -> None:
        db["half"].create({"id": int}, pk="id")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database, "discover_migrations",
                        lambda: [*real, database.Migration(9999, "m9999_broken", broken)])
    db = connect(path)
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, path)
    db.close()
    assert _snapshot(path) == before
    assert (tmp_path / "db.sqlite3.before-m0036.bak").exists()
