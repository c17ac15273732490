"""Benchmark: one incident's affected people at N (default 1,000,000; --db for a database the
import benchmark kept, e.g. 10 million): lookups, paging, searching, the counts the assessment
uses, the People tab under a stall detector, and (``--purge``, destructive) the retention purge.

    .venv/bin/python bench/people_scale.py [--people N | --db FILE] [--lookups K] [--purge]

Each phase runs in a fresh child process, so its peak memory (ru_maxrss) is its own:
- lookup: K people picked at random, looked up by phone, e-mail and user id through the People
  search (services.people.page + count, normalised as the import normalises) and the enquiry
  desk (EnquiryService.lookup); baseline: the same people read by primary key. Target < 50 ms.
- paging: a page of 200 at the start, the middle and the end, by offset and by keyset
  (after the previous page's last id), unfiltered and filtered by channel; baseline: page 1.
- search: part of a name (a scan of the incident's rows: its honest cost) — the first page and
  the count — and a text nobody has (the whole scan).
- counts: the assessment (reads the counters kept at import) and the SQL aggregates that check
  them (people by channel, minors, bands), memory flat.
- gui: the People tab (real JobRunner, offscreen) with a 10 ms QTimer stall detector: open, scroll
  to the middle, to the end, search by phone, search by name, clear. Target: no stall > 100 ms.
  Baseline: three idle seconds under the same detector (what the machine alone costs).
- purge (--purge): close the incident and run the retention purge (committed chunks, indexes
  dropped and rebuilt); baseline: one read of the incident's identifying columns; the peak
  size of the write-ahead log is sampled every 0.5 s.
Generated databases go under --workdir (default a temporary folder) and are deleted after."""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benches, when imported by a test

from enquiry_lookup import timed  # noqa: E402 - after the path; one timing loop for both lookup benches

INTAKE = {"title": "Bench leak", "occurred_at": "2026-11-18T08:00:00+08:00",
          "discovered_at": "2026-11-20T09:00:00+08:00", "breach_types": ["leak"], "likelihood": "actual",
          "cause": "misconfiguration", "recipients": "unknown", "data_types": ["phone_number"]}
COLUMNS = ("incident_id", "id", "source_row", "user_id", "name", "email", "phone", "address", "birth_date", "age",
           "is_minor", "guardian_name", "guardian_email", "guardian_phone", "data_types", "language", "channel",
           "merged_rows", "id_number", "minor_band")
SURNAMES = "王李张刘陈杨黄赵吴周"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(db_path: Path, people: int) -> int:
    """One incident with ``people`` rows in one id range (as one import stores them), its
    counters kept like the import keeps them."""
    from incident_app.domain.people import PeopleSummary
    from incident_app.services.container import open_services

    services = open_services(db_path)
    incident = services.incidents.create(INTAKE).id
    db = services.ctx.store.db
    sql = f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    with services.ctx.store.transaction():
        db.conn.executemany(sql, (
            (incident, i, i, f"U{i:09d}", SURNAMES[i % 10] + "三", f"user{i}@example.com" if i % 7 else "",
             f"+861{3 + i % 7}{i:09d}", "", "", "", int(i % 11 == 0), "", "",
             f"+8613{i % 10}{i:08d}" if i % 11 == 0 else "", "phone_number", "zh-CN",
             "email" if i % 7 else "sms", 0, "", "child" if i % 11 == 0 else "adult") for i in range(1, people + 1)))
        db.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (?, 1, ?)", [incident, people])
        minors = people // 11
        sms = people // 7
        services.ctx.store.people.save_stats(incident, PeopleSummary(
            total=people, minors=minors, by_channel={"email": people - sms, "sms": sms}, children=minors),
            "2026-11-20T09:00:00+08:00")
    services.close()
    return incident


def biggest_incident(db_path: Path) -> int:
    import sqlite3
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT incident_id FROM people_stats ORDER BY total DESC LIMIT 1").fetchone()
        return int(row[0])
    finally:
        conn.close()


def stats(spans: list[float]) -> dict[str, float]:
    ordered = sorted(spans)
    return {"median_ms": round(statistics.median(ordered), 2), "p99_ms": round(ordered[int(len(ordered) * 0.99)], 2),
            "max_ms": round(ordered[-1], 2)}


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return round((time.perf_counter() - started) * 1000, 1), result


# -- phases -----------------------------------------------------------------------------------------
def phase_lookup(db_path: Path, incident: int, lookups: int) -> dict[str, Any]:
    from incident_app.services.container import open_services

    services = open_services(db_path)
    repo, people = services.ctx.store.people, services.people
    first, last = repo.ranges(incident)[0][0], repo.ranges(incident)[-1][1]
    rnd = random.Random(17)
    picked: list[tuple[str, str, str]] = []
    while len(picked) < lookups:
        row = services.ctx.store.db.execute("SELECT user_id, email, phone FROM people WHERE id = ?",
                                            [rnd.randint(first, last)]).fetchone()
        if row and all(row):
            picked.append((str(row[0]), str(row[1]).upper(), "+86 " + str(row[2])[3:]))  # typed, not stored
    ids = [rnd.randint(first, last) for _ in range(lookups)]
    db = services.ctx.store.db
    enquiries = services.enquiries

    def search(text: str) -> None:
        assert people.page(incident, 0, 200, text) and people.count(incident, text) >= 1

    out = {
        "baseline_primary_key": stats(timed(lambda i: db.execute("SELECT * FROM people WHERE id = ?", [i]).fetchall(),
                                            ids)),
        "people_search_phone": stats(timed(lambda p: search(p[2]), picked)),
        "people_search_email": stats(timed(lambda p: search(p[1]), picked)),
        "people_search_user_id": stats(timed(lambda p: search(p[0]), picked)),
        "enquiry_lookup_phone": stats(timed(lambda p: enquiries.lookup(incident, "phone", p[2]), picked)),
        "enquiry_lookup_email": stats(timed(lambda p: enquiries.lookup(incident, "email", p[1]), picked)),
        "enquiry_lookup_user_id": stats(timed(lambda p: enquiries.lookup(incident, "user_id", p[0]), picked)),
        "not_found_phone": stats(timed(lambda i: people.count(incident, f"1990000{i % 10000:04d}"), ids)),
    }
    services.close()
    worst = max(v["max_ms"] for k, v in out.items() if k != "baseline_primary_key")
    return {"lookups_each": lookups, **out, "worst_ms": worst, "within_50ms": worst < 50, "peak_mb": peak_mb()}


def phase_paging(db_path: Path, incident: int) -> dict[str, Any]:
    from incident_app.services.container import open_services

    services = open_services(db_path)
    people = services.people
    total = people.count(incident)
    out: dict[str, Any] = {}
    for name, offset in (("start", 0), ("middle", total // 2), ("end", max(total - 200, 0))):
        ms, page = once(lambda o=offset: people.page(incident, o, 200))  # type: ignore[misc]
        out[f"offset_{name}_ms"] = ms
        after = page[0].id - 1 if page else 0
        out[f"keyset_{name}_ms"] = once(lambda a=after: people.page(incident, 0, 200, after=a))[0]  # type: ignore[misc]
    # Filtered by channel: keyset from the middle costs what page 1 does; OFFSET walks the matches.
    middle_id = people.page(incident, total // 2, 1)[0].id
    out["channel_email_page1_ms"] = once(lambda: people.page(incident, 0, 200, channel="email"))[0]
    out["channel_email_keyset_middle_ms"] = once(
        lambda: people.page(incident, 0, 200, channel="email", after=middle_id))[0]
    out["channel_email_offset_middle_ms"] = once(
        lambda: people.page(incident, total // 3, 200, channel="email"))[0]
    out["channel_email_count_ms"] = once(lambda: people.count(incident, channel="email"))[0]
    services.close()
    return {"people": total, **out, "peak_mb": peak_mb()}


def phase_search(db_path: Path, incident: int) -> dict[str, Any]:
    from incident_app.services.container import open_services

    services = open_services(db_path)
    people = services.people
    out = {
        "name_first_page_ms": once(lambda: people.page(incident, 0, 200, "张"))[0],
        "name_count_ms": once(lambda: people.count(incident, "张"))[0],
        "nobody_first_page_ms": once(lambda: people.page(incident, 0, 200, "不存在的名字"))[0],
        "phone_digits_first_page_ms": once(lambda: people.page(incident, 0, 200, "0013"))[0],
    }
    services.close()
    return {**out, "peak_mb": peak_mb()}


def phase_counts(db_path: Path, incident: int) -> dict[str, Any]:
    from incident_app.services.container import open_services

    services = open_services(db_path)
    repo = services.ctx.store.people
    assess_ms, assessment = once(lambda: services.assessment.assess(incident))
    recount_ms, (total, minors, by_channel) = once(lambda: repo.recount(incident))
    bands_ms, bands = once(lambda: repo.recount_bands(incident))
    summary = services.people.summary(incident)
    services.close()
    return {"assess_ms": assess_ms, "summary_total": summary.total, "recount_ms": recount_ms,
            "recount_bands_ms": bands_ms, "recount_matches_counters": (total, minors) == (summary.total, summary.minors)
            and {k: v for k, v in by_channel.items() if v} == summary.by_channel and
            bands.get("child", 0) == summary.children, "people_assessed": assessment.people.total, "peak_mb": peak_mb()}


def phase_purge(db_path: Path, incident: int) -> dict[str, Any]:
    from incident_app.domain.incident import IncidentStatus
    from incident_app.services.container import open_services
    from incident_app.services.retention import purge_due

    services = open_services(db_path)
    services.incidents.change_status(incident, IncidentStatus.CLOSED, "bench", force=True)
    services.close()
    later = datetime.now(UTC) + timedelta(days=400)
    services = open_services(db_path, clock=lambda: later)
    # Baseline: reading the incident's identifying columns once (what any purge must at least touch).
    read_ms, _ = once(lambda: services.ctx.store.db.execute(
        "SELECT count(*), sum(length(user_id) + length(name) + length(email) + length(phone)) FROM people"
        " WHERE incident_id = ?", [incident]).fetchone())
    wal = Path(f"{db_path}-wal")
    wal_peak = [0]
    stop = threading.Event()

    def watch_wal() -> None:  # the write-ahead log's largest size during the purge
        while not stop.wait(0.5):
            wal_peak[0] = max(wal_peak[0], wal.stat().st_size if wal.exists() else 0)

    watcher = threading.Thread(target=watch_wal, daemon=True)
    watcher.start()
    ms, results = once(lambda: purge_due(services, incident_ids=[incident]))
    stop.set()
    watcher.join()
    wal_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0
    services.close()
    return {"purge_ms": ms, "baseline_read_ms": read_ms, "ratio": round(ms / max(read_ms, 1e-3), 1),
            "records": results[0].records_by_target if results else {},
            "wal_peak_mb": round(wal_peak[0] / 1e6, 1), "wal_mb_after": round(wal_mb, 1), "peak_mb": peak_mb()}


def phase_gui(db_path: Path, incident: int) -> dict[str, Any]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from incident_app.app import services_factory
    from incident_app.domain.i18n import Translator
    from incident_app.jobs.runner import JobRunner
    from incident_app.services.container import open_services
    from incident_app.services.resources import load_messages
    from incident_app.ui.people.tab import PeopleTab

    services = open_services(db_path)
    repo = services.ctx.store.people
    probe_id = repo.ranges(incident)[-1][1] // 2
    phone = services.ctx.store.db.execute("SELECT phone FROM people WHERE id >= ? AND phone != '' LIMIT 1",
                                          [probe_id]).fetchone()[0]
    services.close()
    app = QApplication.instance() or QApplication([])
    runner = JobRunner(services_factory(db_path))
    tab = PeopleTab(runner, Translator(load_messages(), "zh-CN"), incident)
    tab.resize(1200, 700)
    tab.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()

    def visible_loaded() -> bool:
        view = tab.table
        top = view.rowAt(0)
        if tab.model.rowCount() == 0:
            return True
        if top < 0:
            return False
        index = tab.model.index(top, 0)
        return tab.model.cached_row(index.row()) is not None

    def run(name: str, action: Callable[[], None], done: Callable[[], bool], timeout_s: float = 120) -> dict[str, Any]:
        app.processEvents()
        gaps.clear()
        last[0] = time.perf_counter()
        began = time.perf_counter()
        action()
        while time.perf_counter() - began < timeout_s:
            app.processEvents()
            if runner.active_count() == 0 and done():
                break
            time.sleep(0.002)
        wall = time.perf_counter() - began
        settle = time.perf_counter()
        while time.perf_counter() - settle < 0.3:
            app.processEvents()
            time.sleep(0.002)
        gaps.append((time.perf_counter() - last[0]) * 1000)
        stalls = [g - 10 for g in gaps]
        return {"action": name, "done_s": round(wall, 2), "longest_stall_ms": round(max(stalls, default=0), 1),
                "stalls_over_100ms": sum(1 for s in stalls if s > 100)}

    scroll = tab.table.verticalScrollBar()
    searched = [0]

    def search(text: str) -> Callable[[], None]:
        def act() -> None:
            searched[0] += 1
            tab.people_refreshed.connect(lambda: searched.__setitem__(0, 0))
            tab.search.setText(text)
        return act

    idle_until = [0.0]

    def idle() -> None:
        idle_until[0] = time.perf_counter() + 3

    results = [
        # Baseline: the same detector while nothing happens. On a shared machine the OS alone
        # delays a 10 ms timer; the actions' stalls are worth reading against this line.
        run("idle (baseline)", idle, lambda: time.perf_counter() >= idle_until[0]),
        run("open", tab.refresh, lambda: tab.model.rowCount() > 0 and visible_loaded()),
        run("scroll to the middle", lambda: scroll.setValue(scroll.maximum() // 2), visible_loaded),
        run("scroll to the end", lambda: scroll.setValue(scroll.maximum()), visible_loaded),
        run("search by phone", search(phone), lambda: searched[0] == 0 and visible_loaded()),
        run("search by name", search("张"), lambda: searched[0] == 0 and visible_loaded()),
        run("clear the search", search(""), lambda: searched[0] == 0 and visible_loaded()),
    ]
    timer.stop()
    runner.wait_all(120_000)
    tab.close()
    return {"actions": results, "rows": tab.model.rowCount(), "peak_mb": peak_mb()}


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "lookup": phase_lookup, "paging": phase_paging, "search": phase_search, "counts": phase_counts,
    "gui": phase_gui, "purge": phase_purge,
}


def child(phase: str, db_path: Path, incident: int, lookups: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--db", str(db_path), "--incident", str(incident),
               "--lookups", str(lookups)]
    out = subprocess.run(command, check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="an existing database (the biggest incident is used)")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--purge", action="store_true", help="also run the retention purge (changes the database)")
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated phases to run (default: all)")
    parser.add_argument("--phase", choices=tuple(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--incident", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        extra = {"lookups": args.lookups} if args.phase == "lookup" else {}
        print(json.dumps(PHASES[args.phase](args.db, args.incident, **extra), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        db_path = args.db
        if db_path is None:
            db_path = Path(tmp) / "people.sqlite3"
            started = time.perf_counter()
            fill(db_path, args.people)
            print(f"filled {args.people:,} people in {time.perf_counter() - started:.1f} s")
        return report(db_path, biggest_incident(db_path), args)


def report(db_path: Path, incident: int, args: argparse.Namespace) -> int:
    size = sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal")) if p.exists())
    phases = [p for p in PHASES if p not in ("purge", *(("gui",) if args.skip_gui else ()))]
    if args.purge:
        phases.append("purge")
    if args.only:
        phases = [p for p in args.only.split(",") if p in PHASES]
    results: dict[str, Any] = {"database_mb": round(size / 1e6)}
    for phase in phases:
        started = time.perf_counter()
        results[phase] = child(phase, db_path, incident, args.lookups)
        print(f"{phase} ({time.perf_counter() - started:.1f} s): {json.dumps(results[phase], ensure_ascii=False)}",
              flush=True)
    ok = bool(results["lookup"]["within_50ms"]) if "lookup" in results else True
    if "gui" in results:
        ok = ok and all(a["stalls_over_100ms"] == 0 for a in results["gui"]["actions"][1:])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
