"""Benchmark: how long does the first open after an upgrade take on a big database left at
migration 35 (before the send ledger's UTC times, m36, and the purge's delivery record, m37)?

    .venv/bin/python bench/migration_upgrade.py [--people N] [--foreign-share F] [--workdir DIR] [--keep]

Builds a database with the real migrations up to 35, one incident with N affected people
(default 1,000,000) and one send-ledger e-mail row per person, written straight into the tables;
a share F of the ledger rows (default 1.0: a clock set in Beijing time wrote them all) carry
``+08:00`` times, the rest UTC. Then, on a fresh copy each, it times:

- ``migrate``: the whole :func:`incident_app.storage.database.migrate` as opening the file runs it;
- its parts: the backup copy taken first, and each pending migration in its own transaction.

Databases go under /work/data/s25-startup/migration_upgrade/; the built one is deleted at the end
unless --keep (then the next run reuses it).
Run it under ``flock /work/bench.lock``."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Another checkout's code (the main branch, for before/after figures) may be measured by pointing
# MIGRATION_BENCH_CODE at it; the data stay the same.
CODE = Path(os.environ.get("MIGRATION_BENCH_CODE") or ROOT)
sys.path.insert(0, str(CODE))

from incident_app.storage.database import (  # noqa: E402
    applied_migrations,
    backup_before_migration,
    connect,
    discover_migrations,
    migrate,
)

try:
    from incident_app.storage.database import pending_migrations
except ImportError:  # the code before this change (MIGRATION_BENCH_CODE): it has no pending_migrations()
    def pending_migrations(db, path, *, until=None):  # type: ignore[no-untyped-def]
        applied = applied_migrations(db)
        return [m for m in discover_migrations() if m.number not in applied]

DEFAULT_WORKDIR = Path("/work/data/s25-startup/migration_upgrade")
OLD_SCHEMA = 35
LEDGER_COLUMNS = ("incident_id", "recipient_key", "notice_kind", "notice_version", "to_address", "message_id",
                  "state", "attempts", "in_doubt", "queued_at", "updated_at", "sent_at", "channel")


def _ledger_row(i: int, rnd: random.Random, foreign_share: float) -> tuple[object, ...]:
    """One e-mail ledger row; ``foreign_share`` of them with Beijing-time stamps (as a clock set
    to +08:00 wrote them before m36), the others already in UTC."""
    minute = i % (24 * 60)
    hour, mins = divmod(minute, 60)
    if rnd.random() < foreign_share:
        stamp = f"2026-11-20T{hour:02d}:{mins:02d}:00+08:00"
    else:
        stamp = f"2026-11-20T{hour:02d}:{mins:02d}:00+00:00"
    sent = stamp if i % 10 else ""  # a tenth not sent yet
    state = "sent" if sent else "queued"
    return (1, f"person-{i + 1}", "individual", "v1", f"user{i}@example.com", f"<m{i}@bench>", state, 1, 0,
            stamp, stamp, sent, "email")


def build(db_path: Path, people: int, foreign_share: float, seed: int = 20261203) -> float:
    """The database at migration 35 with ``people`` people and as many ledger rows."""
    started = time.perf_counter()
    db = connect(db_path)
    migrate(db, db_path, until=OLD_SCHEMA)
    db.close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    rnd = random.Random(seed)
    with conn:
        conn.execute("INSERT INTO incidents (id, title, status, discovered_at, facts, created_at, updated_at)"
                     " VALUES (1, 'bench', 'notifying', '2026-11-19T08:00:00+00:00', '{}',"
                     " '2026-11-19T08:00:00+00:00', '2026-11-19T08:00:00+00:00')")
        conn.executemany(
            "INSERT INTO people (id, incident_id, source_row, user_id, name, email, phone, is_minor, language,"
            " channel, merged_rows) VALUES (?, 1, ?, ?, '', ?, '', 0, 'zh-CN', 'email', 0)",
            ((i + 1, i + 2, f"U{i:010d}", f"user{i}@example.com") for i in range(people)))
        conn.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (1, 1, ?)", [people])
        marks = ", ".join("?" * len(LEDGER_COLUMNS))
        conn.executemany(f"INSERT INTO send_ledger ({', '.join(LEDGER_COLUMNS)}) VALUES ({marks})",
                         (_ledger_row(i, rnd, foreign_share) for i in range(people)))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def _fresh(source: Path, work: Path, name: str) -> Path:
    target = work / name
    for leftover in work.glob(name + "*"):
        leftover.unlink()
    shutil.copyfile(source, target)
    return target


def time_whole(source: Path, work: Path) -> float:
    """Seconds of the whole migrate() (backup and every pending migration) on a fresh copy."""
    path = _fresh(source, work, "whole.sqlite3")
    db = connect(path)
    started = time.perf_counter()
    names = migrate(db, path)
    took = time.perf_counter() - started
    db.close()
    assert names, "nothing was pending"
    return took


def time_parts(source: Path, work: Path) -> list[tuple[str, float]]:
    """Seconds of the backup and of each pending migration, on a fresh copy."""
    path = _fresh(source, work, "parts.sqlite3")
    db = connect(path)
    pending = pending_migrations(db, path)
    started = time.perf_counter()
    backup_before_migration(db, path, pending[0].number)
    parts = [("backup copy", time.perf_counter() - started)]
    for migration in pending:
        started = time.perf_counter()
        with db.atomic():
            migration.apply(db)
        parts.append((migration.name, time.perf_counter() - started))
    db.close()
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--foreign-share", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = args.workdir / f"m35-{args.people}-{args.foreign_share}.sqlite3"
    if not source.exists():
        print(f"building {args.people:,} people at migration {OLD_SCHEMA} ...", flush=True)
        print(f"  built in {build(source, args.people, args.foreign_share):.1f} s,"
              f" {source.stat().st_size / 1e6:.0f} MB", flush=True)
    print(f"code: {CODE}; load average before: {os.getloadavg()}")
    try:
        for run in range(args.repeat):
            for name, seconds in time_parts(source, args.workdir):
                print(f"  run {run + 1}: {name:<36} {seconds:7.2f} s", flush=True)
            print(f"  run {run + 1}: {'migrate() as a whole':<36} {time_whole(source, args.workdir):7.2f} s",
                  flush=True)
    finally:
        print(f"load average after: {os.getloadavg()}")
        for leftover in args.workdir.glob("whole.sqlite3*"):
            leftover.unlink()
        for leftover in args.workdir.glob("parts.sqlite3*"):
            leftover.unlink()
        if not args.keep:  # only what this run made: the folder may be shared
            for leftover in args.workdir.glob(source.name + "*"):
                leftover.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
