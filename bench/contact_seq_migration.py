"""Benchmark: migration 38 (send_ledger.contact_seq and its unique index) on a ledger of N rows
(default 10,000,000): a database migrated up to 37, N rows written by SQL (keys, addresses and
references unique, channels and states mixed), then migration 38 applied in one transaction.

    flock /work/bench.lock .venv/bin/python bench/contact_seq_migration.py [--rows N] [--workdir DIR] [--keep]

Prints the seconds to fill and to migrate, and the database's size. Data goes under
/work/data/contact_seq_migration/ (or --workdir), deleted at the end unless --keep."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/work/data/contact_seq_migration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from incident_app.storage import database
    from incident_app.storage.migrations import m0038_send_ledger_contact_seq as m38

    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    path = work / "bench.sqlite3"
    db = database.connect(path)
    for migration in [m for m in database.discover_migrations() if m.number < 38]:
        with db.atomic():
            migration.apply(db)
    started = time.perf_counter()
    db.execute("PRAGMA foreign_keys = OFF")
    with db.atomic():
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at, channel)"
            " SELECT 1 + i % 3, 'U' || i, CASE WHEN i % 10 = 0 THEN 'guardian' ELSE 'individual' END,"
            " CASE i % 4 WHEN 0 THEN 'platform:0123456789abcdef' WHEN 1 THEN 'sms:12' ELSE '0123456789abcdef' END,"
            " 'user' || i || '@example.test', 'zh-CN', 'bd1i' || printf('%020d', i),"
            " CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'sent' END, 1, 0, '2026-11-20T01:00:00+00:00',"
            " '2026-11-20T01:05:00+00:00', '2026-11-20T01:05:00+00:00',"
            " CASE i % 4 WHEN 0 THEN 'platform' WHEN 1 THEN 'sms' ELSE 'email' END FROM n", [args.rows])
    filled = time.perf_counter() - started
    started = time.perf_counter()
    with db.atomic():
        m38.apply(db)
    migrated = time.perf_counter() - started
    size = path.stat().st_size / 1e9
    load = os.getloadavg()
    print(f"rows {args.rows:,}: filled in {filled:.1f} s, migration 38 in {migrated:.1f} s; database {size:.2f} GB;"
          f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    db.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
