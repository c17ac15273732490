"""Benchmark: the evidence pack of an incident whose send ledger has N rows (default 100,000),
compared with reading that ledger once, measured in the same run.

    .venv/bin/python bench/evidence_pack.py [--rows N] [--workdir DIR] [--keep]

The database is made with the real schema (every migration) and the ledger filled by a plain
executemany (indexes dropped during the insert and rebuilt after, as a bulk load would): seeded,
realistic rows — e-mail, SMS and call-centre channels, mostly sent, some failed with the relay's
refusal echoing the address, some deferred, queued or in doubt, replies with queue ids.

The database file is read through once first, so that the baseline does not pay for a cold
disk cache that the pack, run after it, would not (that would flatter the wall-clock ratio).
Phases, each in a fresh child process (its peak memory, ru_maxrss, is its own):
  baseline  SELECT * over the incident's ledger rows, iterated in Python (nothing else);
  pack      build_evidence_pack() of the incident (masked, no PDFs) to a file;
  verify    verify_evidence() of that pack.
Targets: pack < 3x baseline (wall-clock; the CPU-time ratio is printed too, the figure to
compare on a shared machine), pack peak < 300 MB. The load average is printed with the numbers."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/work/bench-data/evidence_pack")
STATES = (("sent", 0.90), ("failed", 0.04), ("deferred", 0.02), ("queued", 0.03), ("in_doubt", 0.01))
CHANNELS = (("email", 0.85), ("sms", 0.11), ("phone", 0.04))
DOMAINS = ("example.com", "mail.example.cn", "qq.example.com", "163.example.com", "corp.example.org")


def _pick(rnd: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll, total = rnd.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def ledger_row(i: int, incident_id: int, rnd: random.Random, base: float) -> tuple[object, ...]:
    """One send-ledger row as a real send leaves it."""
    channel = _pick(rnd, CHANNELS)
    state = _pick(rnd, STATES)
    phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
    address = phone if channel != "email" else f"user{i}.{rnd.randrange(100)}@{rnd.choice(DOMAINS)}"
    key = f"person:U{i:09d}" if rnd.random() > 0.03 else address
    kind = "guardian_email" if rnd.random() < 0.02 else "individual_email"
    queued = _iso(base + (i // 100_000) * 60)
    sent_at = _iso(base + 3600 + i / 120) if state == "sent" else None
    code, reply, reason, fallback, attempts, doubt = None, "", "", None, 1, 0
    if state == "sent":
        code, reply = 250, f"250 2.0.0 Ok: queued as {rnd.randrange(16**10):010X}"
    elif state == "failed":
        code, reply = 550, f"550 5.1.1 <{address.upper()}>: Recipient address rejected: User unknown"
        reason, fallback = "the relay refused the address", rnd.choice((None, "sms", "letter"))
    elif state == "deferred":
        code, reply, reason, attempts = 451, "451 4.7.1 Try again later", "the relay asked to retry later", 2
    elif state == "queued":
        attempts = 0
    else:
        code, reply, reason, doubt = None, "", "interrupted after handing the message to the relay", 2
    if channel != "email" and state == "sent":
        code, reply = None, "DELIVRD"
    return (incident_id, key, kind, "v1", address, "zh-CN", f"<bd.{incident_id}.{i}@breach-desk.example>", state,
            attempts, doubt, code, reply, reason, queued, _iso(base + 3600 + i / 100), sent_at, fallback, channel)


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(seconds + 8 * 3600))


def generate(db_path: Path, rows: int, seed: int = 20261202) -> int:
    """A database with one incident (id 1) and ``rows`` ledger rows; returns the incident id."""
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services

    services = open_services(db_path)
    incident = services.incidents.create({
        "title": "bench", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-14T09:00:00+08:00",
    })
    services.close()
    conn = sqlite3.connect(db_path)
    # A bulk load of a file nobody else has open: no journal (a WAL of the whole ledger would be
    # written twice), back to WAL as the app keeps it afterwards.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    indexes = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'send_ledger' AND sql IS NOT NULL")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'send_ledger'"
                                " AND sql IS NOT NULL").fetchall():
        conn.execute(f"DROP INDEX {name}")
    rnd, base = random.Random(seed), time.mktime((2026, 11, 21, 9, 0, 0, 0, 0, 0))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
        " message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at, updated_at, sent_at,"
        " fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (ledger_row(i, incident.id, rnd, base) for i in range(rows)))
    conn.execute("COMMIT")
    for sql in indexes:
        conn.execute(sql)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return incident.id


def peak_mb() -> float:
    """Peak resident memory of this process plus its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def run_baseline(db_path: Path, incident_id: int, _out: Path) -> dict[str, object]:
    conn = sqlite3.connect(db_path)
    started, cpu, rows = time.perf_counter(), time.process_time(), 0
    for _row in conn.execute("SELECT * FROM send_ledger WHERE incident_id = ?", [incident_id]):
        rows += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb()}


def run_pack(db_path: Path, incident_id: int, out: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services
    from incident_app.services.evidence import build_evidence_pack

    services = open_services(db_path)
    started, cpu = time.perf_counter(), time.process_time()  # CPU of both threads (reader and writer)
    pack = build_evidence_pack(services, incident_id, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    services.close()
    return {"seconds": seconds, "cpu": cpu, "files": len(pack.files), "bytes": out.stat().st_size,
            "peak_mb": peak_mb()}


def run_verify(_db_path: Path, _incident_id: int, out: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from incident_app.services.evidence import verify_evidence

    started, cpu = time.perf_counter(), time.process_time()
    report = verify_evidence(out)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "ok": report.ok,
            "files": report.files_checked, "peak_mb": peak_mb()}


PHASES = {"baseline": run_baseline, "pack": run_pack, "verify": run_verify}


def child(phase: str, db_path: Path, incident_id: int, out: Path) -> dict[str, object]:
    """Run one phase in a fresh interpreter and return what it printed."""
    done = subprocess.run([sys.executable, __file__, "--phase", phase, "--db", str(db_path), "--incident",
                           str(incident_id), "--out", str(out)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="keep the generated database and pack")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left (same --rows)")
    parser.add_argument("--generate-only", action="store_true", help="make the database and stop (implies --keep)")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incident", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.db, args.incident, args.out)))
        return 0
    work = args.workdir / f"run-{args.rows}"
    if not (args.reuse and (work / "bench.sqlite3").exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        started = time.perf_counter()
        generate(work / "bench.sqlite3", args.rows)
        db_mb = sum(p.stat().st_size for p in work.iterdir()) / 1e6
        print(f"generated {args.rows:,} ledger rows ({db_mb:,.0f} MB database)"
              f" in {time.perf_counter() - started:.1f} s", flush=True)
    if args.generate_only:
        return 0
    try:
        return report(work, args.rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def warm(db_path: Path) -> None:
    """Read the database (and its WAL) once, so every phase starts with it in the disk cache."""
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        if path.exists():
            with path.open("rb") as handle:
                while handle.read(8 << 20):
                    pass


def report(work: Path, rows: int) -> int:
    db_path, out = work / "bench.sqlite3", work / "evidence.zip"
    incident_id = 1  # the only incident of the generated database
    warm(db_path)
    base = child("baseline", db_path, incident_id, out)
    pack = child("pack", db_path, incident_id, out)
    check = child("verify", db_path, incident_id, out)
    ratio = float(pack["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
    print(f"baseline  SELECT * iterated:  {base['seconds']:.2f} s ({base['rows']:,} rows),"
          f" peak {base['peak_mb']:.0f} MB")
    print(f"pack      evidence pack:      {pack['seconds']:.2f} s, {rows / float(pack['seconds']):,.0f} rows/s,"  # type: ignore[arg-type]
          f" peak {pack['peak_mb']:.0f} MB, {int(pack['bytes']) / 1e6:,.1f} MB zip, {pack['files']} files")  # type: ignore[call-overload]
    print(f"verify    evidence verify:    {check['seconds']:.2f} s ({check['cpu']:.1f} s CPU), ok={check['ok']},"
          f" peak {check['peak_mb']:.0f} MB")
    cpu_ratio = float(pack["cpu"]) / float(base["cpu"])  # type: ignore[arg-type]
    print(f"ratio pack/baseline: {ratio:.2f}x wall-clock (target < 3.0x), {cpu_ratio:.2f}x CPU time"
          f" ({pack['cpu']:.1f} s / {base['cpu']:.1f} s); pack peak {pack['peak_mb']:.0f} MB (target < 300 MB)")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    ok = ratio < 3.0 and float(pack["peak_mb"]) < 300 and bool(check["ok"])  # type: ignore[arg-type]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
