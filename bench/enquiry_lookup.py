"""Benchmark: "is this person affected?" at N affected people (default 1,000,000), against a
primary-key lookup of the same people measured in the same run.

    .venv/bin/python bench/enquiry_lookup.py [--people N] [--lookups K] [--workdir DIR]

The database is a real migrated file; the people rows are written straight into the people
table (normalised as the import stores them: E.164 phones, lower-case e-mail). Each lookup goes
through EnquiryService.lookup — normalising the typed contact, the index probes on (incident_id,
phone/email/guardian…), reading each match and its send-ledger rows — exactly what `enquiry
lookup` and the Enquiries tab run. Target: every lookup under 50 ms."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.services.container import Services, open_services  # noqa: E402

INTAKE = {"title": "Bench leak", "occurred_at": "2026-11-18T08:00:00+08:00",
          "discovered_at": "2026-11-20T09:00:00+08:00", "breach_types": ["leak"], "likelihood": "actual",
          "cause": "misconfiguration", "recipients": "unknown", "data_types": ["phone_number"]}
COLUMNS = ("incident_id", "id", "source_row", "user_id", "name", "email", "phone", "address", "birth_date", "age",
           "is_minor", "guardian_name", "guardian_email", "guardian_phone", "data_types", "language", "channel",
           "merged_rows", "id_number", "minor_band")


def phone_of(i: int) -> str:
    return f"+861{3 + i % 7}{i:09d}"


def fill(services: Services, people: int) -> int:
    """One incident with ``people`` rows in one id range, like one import."""
    incident = services.incidents.create(INTAKE).id
    db = services.ctx.store.db
    sql = f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    with services.ctx.store.transaction():
        db.conn.executemany(sql, (
            (incident, i, i, f"U{i:09d}", "张三", f"user{i}@example.com" if i % 7 else "", phone_of(i), "", "", "",
             0, "", "", phone_of(i + 50_000_000) if i % 20 == 0 else "", "phone_number", "zh-CN",
             "email" if i % 7 else "sms", 0, "", "adult") for i in range(1, people + 1)))
        db.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (?, 1, ?)", [incident, people])
    return incident


def timed(fn: Callable[[Any], Any], keys: Sequence[Any]) -> list[float]:
    """Milliseconds of each ``fn(key)``, in order (bench/people_scale.py uses it too)."""
    spans = []
    for key in keys:
        started = time.perf_counter()
        fn(key)
        spans.append((time.perf_counter() - started) * 1000)
    return spans


def summary(spans: list[float]) -> dict[str, float]:
    ordered = sorted(spans)
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(ordered[int(len(ordered) * 0.95)], 3),
            "max_ms": round(ordered[-1], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(args.workdir or tempfile.mkdtemp(prefix="bench-enquiry-"))
    services = open_services(folder / "bench.sqlite3")
    started = time.perf_counter()
    incident = fill(services, args.people)
    filled_s = time.perf_counter() - started
    rnd = random.Random(16)
    ids = [rnd.randrange(1, args.people + 1) for _ in range(args.lookups)]
    db = services.ctx.store.db
    baseline = timed(lambda i: db.execute("SELECT * FROM people WHERE id = ?", [i]).fetchall(), ids)
    enquiries = services.enquiries
    by_phone = timed(lambda i: enquiries.lookup(incident, "phone", phone_of(i)[3:]), ids)
    by_email = timed(lambda i: enquiries.lookup(incident, "email", f"USER{i}@example.com"), ids)
    by_user = timed(lambda i: enquiries.lookup(incident, "user_id", f"U{i:09d}"), ids)
    missing = timed(lambda i: enquiries.lookup(incident, "phone", f"1990000{i % 10000:04d}"), ids)
    assert enquiries.lookup(incident, "phone", phone_of(ids[0])[3:]).affected
    worst = max(max(by_phone), max(by_email), max(by_user), max(missing))
    print(json.dumps({
        "people": args.people, "lookups_each": args.lookups, "fill_s": round(filled_s, 1),
        "baseline_primary_key": summary(baseline), "lookup_phone": summary(by_phone),
        "lookup_email": summary(by_email), "lookup_user_id": summary(by_user), "lookup_not_found": summary(missing),
        "median_vs_baseline": round(statistics.median(by_phone) / max(statistics.median(baseline), 1e-6), 1),
        "target_ms": 50, "within_target": worst < 50,
    }, indent=2))
    services.close()
    return 0 if worst < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
