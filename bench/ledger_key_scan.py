"""Benchmark: the shared send-ledger key check (``PeopleRepository.shared_ledger_keys``, run before
every send, hand-off export and preview) on a big incident, with and without migration 40's
partial index on ``people.ledger_key``; and what the index costs the migration and the purge.

    .venv/bin/python bench/ledger_key_scan.py [--people N] [--corrected K] [--workdir DIR]

Builds a database with the real migrations up to 39, one incident with N affected people (default
1,000,000) written straight into the table, K of them (default 200) corrected (a kept key). Then:

- the read of the kept keys at 39 (the query before this change, no index; best of 5);
- migration 40 (building the index), the read of the kept keys after it and the whole check
  (that read and a probe of the e-mail and phone indexes per kept key; best of 5 each);
- the purge's blanking (every person's contacts and key set to ''), on a copy at 39 and on the
  file at 40, and on a copy with an index on ``ledger_key IS NOT NULL`` alone (which the purge's ''
  would fill with every person).

Run it under ``flock /work/bench.lock nice``."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.storage.database import connect, migrate  # noqa: E402
from incident_app.storage.people import PeopleRepository  # noqa: E402

NOW = "2026-12-04T08:00:00+00:00"
OLD_SCAN = "SELECT id, ledger_key FROM people WHERE incident_id = ? AND coalesce(ledger_key, '') != ''"
NEW_SCAN = "SELECT id, ledger_key FROM people WHERE incident_id = ? AND ledger_key IS NOT NULL AND ledger_key != ''"
BLANK = "UPDATE people SET email = '', phone = '', name = '', ledger_key = '' WHERE incident_id = 1"


def build(path: Path, people: int, corrected: int) -> None:
    db = connect(path)
    migrate(db, path, until=39)
    step = max(1, people // max(1, corrected))
    with db.atomic():
        db.execute("INSERT INTO incidents (id, title, status, discovered_at, facts, created_at, updated_at)"
                   f" VALUES (1, 't', 'notifying', '{NOW}', '{{}}', '{NOW}', '{NOW}')")
        db.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (1, 1, ?)", [people])
        db.conn.executemany(
            "INSERT INTO people (id, incident_id, name, email, phone, is_minor, language, channel, merged_rows,"
            " ledger_key) VALUES (?, 1, '某某', ?, ?, 0, 'zh-CN', 'email', 0, ?)",
            ((i, f"p{i}@example.test", f"+86138{i:08d}", f"old{i}@example.test" if i % step == 0 else None)
             for i in range(1, people + 1)))
    db.close()


def best(run: object, times: int = 5) -> float:
    found = []
    for _ in range(times):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        found.append(time.perf_counter() - started)
    return min(found)


def timed(path: Path, sql: str) -> float:
    db = connect(path)
    started = time.perf_counter()
    with db.atomic():
        db.execute(sql)
    took = time.perf_counter() - started
    db.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--corrected", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/work/data/s28-refusals/ledger_key_scan"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    at_39 = args.workdir / "at39.sqlite3"
    for stale in args.workdir.glob("*.sqlite3*"):
        stale.unlink()
    started = time.perf_counter()
    build(at_39, args.people, args.corrected)
    print(f"built {args.people:,} people ({args.corrected} corrected) in {time.perf_counter() - started:.1f} s")
    for name in ("purge39", "purge_notnull", "at40"):
        shutil.copyfile(at_39, args.workdir / f"{name}.sqlite3")

    db = connect(at_39)
    kept = len(db.execute(OLD_SCAN, [1]).fetchall())
    print(f"check at 39 (old query, no index): {best(lambda: db.execute(OLD_SCAN, [1]).fetchall()) * 1000:.1f} ms,"
          f" {kept} kept keys")
    db.close()

    at_40 = args.workdir / "at40.sqlite3"
    db = connect(at_40)
    started = time.perf_counter()
    migrate(db, None)
    print(f"migration 40 (build the index): {time.perf_counter() - started:.2f} s")
    new_scan = best(lambda: db.execute(NEW_SCAN, [1]).fetchall())
    print(f"kept keys at 40 (the new query, the index): {new_scan * 1000:.2f} ms")
    people = PeopleRepository(db)
    print(f"check at 40 (shared_ledger_keys, the index; {len(people.shared_ledger_keys(1))} pairs):"
          f" {best(lambda: people.shared_ledger_keys(1)) * 1000:.2f} ms")
    # The refusal also reads pairs keeping one key, and a correction asks who else holds a key.
    print(f"two people keeping one key (kept_twice, the index on both sides; {len(people.kept_twice(1))} pairs):"
          f" {best(lambda: people.kept_twice(1)) * 1000:.2f} ms")
    some_key = str(db.execute(NEW_SCAN, [1]).fetchone()[1])
    print(f"who else holds one key (key_holders, a correction's question):"
          f" {best(lambda: people.key_holders(1, some_key, 0)) * 1000:.2f} ms")
    db.close()

    notnull = args.workdir / "purge_notnull.sqlite3"
    db = connect(notnull)
    db.execute("CREATE INDEX people_incident_ledger_key ON people (incident_id, ledger_key)"
               " WHERE ledger_key IS NOT NULL")
    db.close()
    # Each blanking on its own copy, in turn twice (the first file read warms the page cache).
    files = (("at 39 (no index)", args.workdir / "purge39.sqlite3"),
             ("at 40 (IS NOT NULL AND != '')", at_40), ("index on IS NOT NULL alone", notnull))
    for _, path in files:
        shutil.copyfile(path, path.with_suffix(".copy"))
    for round_ in (1, 2):
        for name, path in files:
            if round_ == 2:
                shutil.copyfile(path.with_suffix(".copy"), path)
            print(f"purge blanking {name}, round {round_}: {timed(path, BLANK):.2f} s")
    for stale in args.workdir.glob("*.copy"):
        stale.unlink()
    for stale in args.workdir.glob("*.sqlite3*"):
        stale.unlink()


if __name__ == "__main__":
    main()
