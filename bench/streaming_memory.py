"""Benchmark: the outputs that scale with the number of people — is memory flat and time linear?

    .venv/bin/python bench/streaming_memory.py [--people N] [--factor K] [--ops a,b,…] [--letters-people M]

For two sizes, N and K×N people, each operation runs in a fresh child process on its own
database and prints its wall time, the time per million people, the peak RSS (ru_maxrss of the
child and its children) and the RSS slope between the two sizes in MB per million people (flat
memory: a slope near 0; target peak < 300 MB). Beside them, in the same run, the baseline: a
``csv.writer`` of the same people's rows read from the same database with one SELECT.

Data: the demo incident (``demo`` + its notices approved as generated), its 200 demo people
replaced by N generated people written with one ``executemany`` straight into the real ``people``
table after the migrations (plus its id range and counters) — much faster than the real import
for building 10M, which bench/import_people.py measures on its own. Channels: 62% e-mail, 30%
SMS, 3% letter, 1% none; 2% children (guardian e-mail/SMS/letter), 2% teenagers.

Operations: ``render`` (every personal e-mail the sender would send, rendered and consumed),
``export_sms`` / ``import_sms`` (the generic batch file and a delivered report of every row),
``export_calls`` / ``import_calls``, ``letters`` (the letters PDF of the letter people, through
``NoticeService.export(..., ["pdf"])``; its sizes are ``--letters-people`` and K× that, since
laying out a letter costs far more than a CSV row), and, only when named in ``--ops``, ``eml``
(the notices export's one .eml file per e-mail person). Files go under /work/bench-data/streaming_memory
unless ``--workdir`` says otherwise, and are deleted at the end."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Another checkout's code (e.g. the main branch, for before/after figures) may be measured by
# pointing STREAMING_BENCH_CODE at it; the data and the phases stay the same.
CODE = Path(os.environ.get("STREAMING_BENCH_CODE") or ROOT)
DEFAULT_WORKDIR = Path("/work/bench-data/streaming_memory")
OPS = ("render", "export_sms", "import_sms", "export_calls", "import_calls", "letters")
EXTRA_OPS = ("eml",)  # one .eml file per e-mail person: asked for by name only (a million files)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国浩然子轩欣怡梓涵一诺宇航思远雨桐"
TYPES = ("phone_number", "phone_number;ip_address", "phone_number;device_identifiers;ip_address",
         "device_identifiers")
CITIES = ("上海市浦东新区碧波路", "北京市海淀区中关村大街", "广东省深圳市南山区科技园南路", "浙江省杭州市西湖区文三路")


def peak_mb() -> float:
    """Peak resident memory of this process plus its largest finished child (the PDF or import
    helpers, when one is used)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


# -- data ------------------------------------------------------------------------------------------
def person_row(i: int, pid: int, rnd: random.Random, letter_share: float = 0.03) -> tuple[object, ...]:
    """One stored person in storage.people.ROW_COLUMNS order, as the import would store them;
    ``letter_share`` of the adults (by default 3%) are reached by letter."""
    roll = rnd.random()
    if roll >= 0.04 and rnd.random() < letter_share:
        roll = 0.97  # an adult reached by letter
    name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
    mobile = f"+861{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
    address = f"{rnd.choice(CITIES)}{rnd.randrange(1, 999)}号"
    email = phone = addr = g_name = g_email = g_phone = ""
    band, minor, birth = "adult", 0, f"{rnd.randint(1950, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    if roll < 0.02:  # a child: reached only through the guardian
        band, minor, birth = "child", 1, f"2015-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        g_name = rnd.choice(SURNAMES) + rnd.choice(GIVEN)
        sub = rnd.random()
        if sub < 0.5:
            g_email, channel = f"parent{i}@example.cn", "guardian_email"
        elif sub < 0.85:
            g_phone, channel = f"+86139{rnd.randrange(10**8):08d}", "guardian_sms"
        else:
            addr, channel = address, "guardian_letter"
    elif roll < 0.04:  # a teenager: their own notice and the guardian's
        band, minor, birth = "teen", 1, f"2010-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        phone, channel = mobile, "sms"
        g_name, g_phone = rnd.choice(SURNAMES) + rnd.choice(GIVEN), f"+86139{rnd.randrange(10**8):08d}"
    elif roll < 0.66:
        email, phone, channel = f"user{i}@example.com", mobile if rnd.random() < 0.5 else "", "email"
    elif roll < 0.96:
        phone, channel = mobile, "sms"
    elif roll < 0.99:
        addr, channel = address, "letter"
    else:
        channel = "none"
    language = "en" if rnd.random() < 0.03 else "zh-CN"
    return (1, pid, i + 2, f"U{i:010d}", name, email, phone, addr, birth, "", minor, g_name, g_email, g_phone,
            rnd.choice(TYPES), language, channel, 0, "", band)


def build_database(db: Path, people: int, letter_share: float, seed: int = 20261202) -> dict[str, object]:
    """The demo incident, approved, with ``people`` generated people instead of its demo ones."""
    sys.path.insert(0, str(CODE))
    from incident_app.cli.main import run
    from incident_app.services.container import open_services
    from incident_app.storage.people import LOOKUP_INDEXED, ROW_COLUMNS, lookup_index_sql

    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        assert run(["demo", "--db", str(db)]) == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with conn:
        conn.execute("DELETE FROM people WHERE incident_id = 1")
        conn.execute("DELETE FROM people_ranges WHERE incident_id = 1")
        for column in LOOKUP_INDEXED:
            conn.execute(f"DROP INDEX IF EXISTS people_incident_{column}")
        first = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM people").fetchone()[0])
        rnd = random.Random(seed)
        marks = ", ".join("?" * len(ROW_COLUMNS))
        conn.executemany(f"INSERT INTO people ({', '.join(ROW_COLUMNS)}) VALUES ({marks})",
                         (person_row(i, first + i, rnd, letter_share) for i in range(people)))
        conn.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (1, ?, ?)",
                     [first, first + people - 1])
        for column in LOOKUP_INDEXED:
            conn.execute(lookup_index_sql(column))
    conn.close()
    services = open_services(db)
    try:
        _recount(services)
    finally:
        services.close()
    with contextlib.redirect_stdout(sys.stderr):
        assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    return {"seconds": time.perf_counter() - started, "people": people}


def _recount(services: object) -> None:
    """The people counters from the rows (what the import keeps up to date)."""
    from incident_app.domain.people import PeopleSummary

    store = services.ctx.store  # type: ignore[attr-defined]
    repo = store.people
    total, _, by_channel = repo.recount(1)
    bands = repo.recount_bands(1)
    with store.transaction():
        repo.save_stats(1, PeopleSummary(1, total, by_channel, by_channel.get("none", 0), 0, 0,
                                         bands.get("child", 0), bands.get("teen", 0)), "2026-12-02T00:00:00+00:00")


# -- phases (each in its own child process) ---------------------------------------------------------
def phase_baseline(db: Path, work: Path) -> dict[str, object]:
    """csv.writer of the people's rows, one SELECT, same database."""
    conn = sqlite3.connect(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    rows = 0
    with (work / "baseline.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        cursor = conn.execute("SELECT phone, name, email, user_id, language, channel, data_types FROM people"
                              " WHERE incident_id = 1 ORDER BY id")
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
            rows += len(batch)
    conn.close()
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu0, "rows": rows,
            "peak_mb": peak_mb()}


def _services(db: Path) -> object:
    sys.path.insert(0, str(CODE))
    from incident_app.services.container import open_services

    return open_services(db)


def phase_render(db: Path, work: Path) -> dict[str, object]:
    from incident_app.domain.notices import recipients_from_people

    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    count = size = 0
    people = services.people.iter_people(1)  # type: ignore[attr-defined]
    for email in services.notices.personal_emails(1, recipients_from_people(people)):  # type: ignore[attr-defined]
        count += 1
        size += len(email.html_body)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    return {"seconds": seconds, "cpu": cpu, "rows": count, "chars": size, "peak_mb": peak_mb()}


def phase_export_sms(db: Path, work: Path) -> dict[str, object]:
    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    result = services.handoff.export_sms(1, work / "sms.csv")  # type: ignore[attr-defined]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    return {"seconds": seconds, "cpu": cpu, "rows": result["rows"], "peak_mb": peak_mb()}


def phase_export_calls(db: Path, work: Path) -> dict[str, object]:
    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    result = services.handoff.export_calls(1, work / "calls.csv")  # type: ignore[attr-defined]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    return {"seconds": seconds, "cpu": cpu, "rows": result["rows"], "peak_mb": peak_mb()}


def _report(source: Path, target: Path, out_id_column: int) -> None:
    """A provider report that marks every exported row delivered (written untimed)."""
    with source.open(encoding="utf-8-sig", newline="") as handle, \
            target.open("w", encoding="utf-8", newline="") as out:
        reader = csv.reader(handle)
        next(reader)
        writer = csv.writer(out)
        writer.writerow(["out_id", "status"])
        writer.writerows([row[out_id_column], "delivered"] for row in reader)


def _import(db: Path, work: Path, source: str, channel: str, column: int) -> dict[str, object]:
    report = work / f"{channel}-report.csv"
    _report(work / source, report, column)
    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    result = services.handoff.import_report(1, report, channel=channel)  # type: ignore[attr-defined]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    return {"seconds": seconds, "cpu": cpu, "rows": result["rows"], "changed": result["changed"], "peak_mb": peak_mb()}


def phase_import_sms(db: Path, work: Path) -> dict[str, object]:
    return _import(db, work, "sms.csv", "sms", 7)


def phase_import_calls(db: Path, work: Path) -> dict[str, object]:
    return _import(db, work, "calls.csv", "phone", 6)


def phase_letters(db: Path, work: Path) -> dict[str, object]:
    from incident_app.adapters.qt_pdf import QtPdfWriter

    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    _, result = services.notices.export(1, work / "notices", ["pdf"], pdf_writer=QtPdfWriter())  # type: ignore[attr-defined]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    letters = sum(int(n.split(": ")[1].split(" ")[0]) for n in result.notes if n.startswith("letters."))
    pdf_mb = sum(p.stat().st_size for p in (work / "notices").rglob("letters.*.pdf")) / 1e6
    return {"seconds": seconds, "cpu": cpu, "rows": letters, "pdf_mb": pdf_mb, "peak_mb": peak_mb()}


def phase_eml(db: Path, work: Path) -> dict[str, object]:
    services = _services(db)
    started, cpu0 = time.perf_counter(), time.process_time()
    _, result = services.notices.export(1, work / "notices", ["eml"])  # type: ignore[attr-defined]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    services.close()  # type: ignore[attr-defined]
    emails = sum(int(n.split(": ")[1].split(" ")[0]) for n in result.notes if n.startswith("eml:"))
    return {"seconds": seconds, "cpu": cpu, "rows": emails, "peak_mb": peak_mb()}


PHASES = {"eml": phase_eml, "baseline": phase_baseline, "render": phase_render, "export_sms": phase_export_sms,
          "import_sms": phase_import_sms, "export_calls": phase_export_calls, "import_calls": phase_import_calls,
          "letters": phase_letters}


def child(*args: str) -> dict[str, object]:
    """Run one phase in a fresh interpreter; return the JSON it printed."""
    done = subprocess.run([sys.executable, __file__, *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"phase {args} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the run ---------------------------------------------------------------------------------------
def measure(work: Path, people: int, ops: list[str], letter_share: float,
            cache: Path | None) -> dict[str, dict[str, object]]:
    """Build one database of ``people`` (or copy it from ``cache``, where a same-size database is
    kept between runs, e.g. for before/after figures) and run the baseline and every operation."""
    db = work / f"people{people}.sqlite3"
    kept = cache / f"people{people}-l{letter_share}.sqlite3" if cache else None
    if kept is not None and kept.exists():
        shutil.copyfile(kept, db)
        print(f"  {people:,} people copied from {kept}", flush=True)
    else:
        built = child("--phase", "build", "--db", str(db), "--work", str(work), "--size", str(people),
                      "--letter-share", str(letter_share))
        print(f"  built {people:,} people in {float(built['seconds']):.1f} s (fast SQL into the migrated schema),"  # type: ignore[arg-type]
              f" database {db.stat().st_size / 1e6:,.0f} MB", flush=True)
        if kept is not None:
            shutil.copyfile(db, kept)
    found = {"baseline": child("--phase", "baseline", "--db", str(db), "--work", str(work))}
    show("baseline", people, found["baseline"])
    for op in ops:
        found[op] = child("--phase", op, "--db", str(db), "--work", str(work))
        show(op, people, found[op])
    for leftover in work.iterdir():
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    return found


def show(op: str, people: int, r: dict[str, object]) -> None:
    seconds = float(r["seconds"])  # type: ignore[arg-type]
    print(f"  {op:<13} {people:>11,} people {int(r['rows']):>11,} rows  {seconds:8.1f} s"  # type: ignore[call-overload]
          f"  {seconds * 1e6 / people:8.1f} s per million people  (CPU {float(r.get('cpu', 0)):6.1f} s)"  # type: ignore[arg-type]
          f"  peak {float(r['peak_mb']):6.0f} MB", flush=True)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000, help="the smaller size N")
    parser.add_argument("--factor", type=int, default=5, help="the larger size is N x this")
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--letters-people", type=int, default=0,
                        help="N for the letters PDF (default: --people); about 3.6%% of people get a letter")
    parser.add_argument("--letter-share", type=float, default=0.03,
                        help="adults reached by letter in the letters run's databases (default 3%%)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the generated databases here and reuse them (before/after runs)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = (build_database(args.db, args.size, args.letter_share) if args.phase == "build"
                  else PHASES[args.phase](args.db, args.work))
        print(json.dumps(result))
        return 0
    ops = [o for o in args.ops.split(",") if o]
    unknown = set(ops) - set(OPS) - set(EXTRA_OPS)
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    root = args.workdir or DEFAULT_WORKDIR
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        return report(Path(tmp), args.people, args.factor, ops, args.letters_people or args.people,
                      args.letter_share, args.cache)


def _runs(tmp: Path, sizes: tuple[int, int], ops: list[str], letter_share: float,
          cache: Path | None) -> Iterator[tuple[int, dict[str, dict[str, object]]]]:
    for size in sizes:
        print(f"{size:,} people:", flush=True)
        yield size, measure(tmp, size, ops, letter_share, cache)


def report(tmp: Path, people: int, factor: int, ops: list[str], letter_people: int, letter_share: float,
           cache: Path | None) -> int:
    table_ops = [o for o in ops if o != "letters"]
    results = dict(_runs(tmp, (people, people * factor), table_ops, 0.03, cache)) if table_ops else {}
    if "letters" in ops:
        print(f"letters PDF ({letter_share:.0%} of adults by letter):")
        letters = dict(_runs(tmp, (letter_people, letter_people * factor), ["letters"], letter_share, cache))
    ok = True
    print(f"\n{'operation':<13} {'rows large':>11} {'s/M small':>10} {'s/M large':>10} {'CPU s/M':>8} {'x base':>7}"
          f" {'x base CPU':>10} {'peak MB':>8} {'MB per M':>9} {'at 100M':>8}")
    for op in ["baseline", *table_ops] + (["letters"] if "letters" in ops else []):
        source = letters if op == "letters" or not results else results  # the baseline: of either run
        small, large = sorted(source)
        a, b = source[small][op], source[large][op]
        per_a, per_b = (float(r["seconds"]) * 1e6 / n for r, n in ((a, small), (b, large)))  # type: ignore[arg-type]
        cpu_b = float(b.get("cpu", 0)) * 1e6 / large  # type: ignore[arg-type]
        base = source[large]["baseline"]
        base_wall = float(base["seconds"]) * 1e6 / large  # type: ignore[arg-type]
        base_cpu = float(base.get("cpu", 0)) * 1e6 / large or 1e-9  # type: ignore[arg-type]
        slope = (float(b["peak_mb"]) - float(a["peak_mb"])) / ((large - small) / 1e6)  # type: ignore[arg-type]
        peak = max(float(a["peak_mb"]), float(b["peak_mb"]))  # type: ignore[arg-type]
        projected = float(b["peak_mb"]) + max(slope, 0.0) * (100 - large / 1e6)  # type: ignore[arg-type]
        ok = ok and peak < 300
        print(f"{op:<13} {int(b['rows']):>11,} {per_a:10.1f} {per_b:10.1f} {cpu_b:8.1f} {per_b / base_wall:7.1f}"  # type: ignore[call-overload]
              f" {cpu_b / base_cpu:10.1f} {peak:8.0f} {slope:9.1f} {projected:8.0f}"
              f"  {'peak < 300 MB' if peak < 300 else 'PEAK OVER 300 MB'}")
    print("(s/M: wall seconds per million people, at N and at K x N; CPU s/M: the operation's CPU seconds per"
          " million at K x N (the other engineers' load does not count); x base: against csv.writer of the same"
          " people's rows at K x N, wall and CPU; MB per M: peak RSS slope between the two sizes; at 100M: the peak"
          " projected along that slope)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
