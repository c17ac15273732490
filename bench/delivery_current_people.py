"""Benchmark: the match of the send ledger's sent rows to the people *now* on the list (what lets
a complete-looking ledger meet the duty to tell individuals: storage/send_ledger.py
``reached_people``, by recipient key and the contact the row went to) against a plain read of the
same ledger in the same run (every row's key, address and state fetched from SQLite), at N people
with one sent e-mail row each (default 200,000). Also the register's people per channel of the same
list (``people_told``: every person matched to their own rows, one aggregate) and the pass that
counts the teenagers' guardians (``teen_guardians``: the guardians' group of the minors' duty).

    flock /work/bench.lock .venv/bin/python bench/delivery_current_people.py [--people N] [--workdir DIR] [--keep]

People are written straight into the tables (the keying rules in turn: user id, e-mail only,
phone only, a child by the guardian), so the setup costs seconds, not an import. Each phase runs
twice and the faster run counts (the first warms the page cache for both alike). Prints wall and
CPU time of each, the ratio, and the load average (the machine is shared)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/work/bench-data/delivery_current_people")
COLUMNS = ("incident_id", "id", "source_row", "user_id", "name", "email", "phone", "guardian_email", "data_types",
           "language", "channel", "is_minor", "merged_rows", "minor_band")
STAMP = "2026-11-20T01:00:00+00:00"


def person(incident: int, i: int) -> tuple[object, ...]:
    user, email, phone, guardian, channel, band = {
        0: (f"U{i}", f"u{i}@example.test", "", "", "email", "adult"),
        1: ("", f"e{i}@example.test", "", "", "email", "adult"),
        2: ("", "", f"+86138{i:08d}", "", "sms", "adult"),
        3: ("", "", "", f"g{i}@example.test", "guardian_email", "child"),
    }[i % 4]
    return (incident, i, i, user, "张三", email, phone, guardian, "phone_number", "zh-CN", channel,
            int(band == "child"), 0, band)


def build(db: Path, people: int) -> int:
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services
    from incident_app.services.demo.incident import load_demo

    services = open_services(db)
    try:
        store = services.ctx.store
        incident = load_demo(services).id
        store.people.delete_for_incident(incident)
        store.db.execute("DELETE FROM send_ledger WHERE incident_id = ?", [incident])
        with store.transaction():
            first = store.people.begin_range(incident)
            rows = [person(incident, first + n) for n in range(people)]
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
            store.people.end_range(incident, first, first + people)
        ledger = []
        for n, row in enumerate(rows):
            channel = str(row[10])
            key = str(row[3]) or str(row[5]) or str(row[6]) or f"person-{row[1]}"  # person_key's rule
            guardian = channel.startswith("guardian_")
            address = {"email": row[5], "sms": row[6], "guardian_email": row[7]}[channel]
            ledger.append((incident, key + ("#guardian" if guardian else ""), "guardian" if guardian else "individual",
                           "v1", address, f"<{n}@bench>", STAMP, STAMP, STAMP))
        with store.transaction():
            store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at, channel)"
                " VALUES (?,?,?,?,?,?,'sent',1,0,?,?,?,'email')", ledger)
        return incident
    finally:
        services.close()


def timed(phase):  # type: ignore[no-untyped-def]
    best = None
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        result = phase()
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        best = took if best is None or took[0] < best[0] else best
    assert best is not None
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "bench.sqlite3"
    started = time.perf_counter()
    incident = build(db, args.people)
    print(f"setup: {args.people:,} people and ledger rows in {time.perf_counter() - started:.1f} s")
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services

    services = open_services(db)
    try:
        store = services.ctx.store

        def plain_read() -> int:
            count = 0
            for _ in store.db.conn.execute(
                    "SELECT recipient_key, to_address, state FROM send_ledger WHERE incident_id = ?", [incident]):
                count += 1
            return count

        def match() -> int:
            return sum(store.send_ledger.reached_people(incident, "email", "v1", store.people.ranges(incident))
                       .values())

        def register_counts() -> dict[str, int]:
            return store.send_ledger.people_told(incident, store.people.ranges(incident))

        def teen_guardians() -> dict[str, int]:
            return store.send_ledger.teen_guardians(incident, store.people.ranges(incident))

        (base_wall, base_cpu), rows = timed(plain_read)
        (match_wall, match_cpu), reached = timed(match)
        (told_wall, told_cpu), told = timed(register_counts)
        (teen_wall, teen_cpu), teens = timed(teen_guardians)
        assert rows == args.people, rows
        assert reached == args.people, (reached, args.people)  # every row went to its person's contact
        # The SMS people's rows are e-mail rows to their number: they still wait for an SMS.
        assert told["notified_email"] + told["pending_sms"] == args.people and told["pending_sms"], told
        assert teens == {}, teens  # no teenagers in this list: the pass finds none
    finally:
        services.close()
    load = os.getloadavg()
    print(f"plain read of the ledger: {base_wall:.2f} s wall, {base_cpu:.2f} s CPU ({rows:,} rows)")
    print(f"current-people match:     {match_wall:.2f} s wall, {match_cpu:.2f} s CPU ({reached:,} people reached)")
    print(f"ratio match / plain read: {match_wall / base_wall:.1f}x wall, {match_cpu / max(base_cpu, 1e-9):.1f}x CPU")
    print(f"register people per channel: {told_wall:.2f} s wall, {told_cpu:.2f} s CPU"
          f" ({told_wall / base_wall:.1f}x the plain read)")
    print(f"teenagers' guardians pass:   {teen_wall:.2f} s wall, {teen_cpu:.2f} s CPU")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
