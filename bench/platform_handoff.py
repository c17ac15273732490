"""Benchmark: the mass-messaging platform hand-off at N recipients (default 20,000): the demo
incident with N generated people (bench/import_people.py's generator), its notices approved, then

- ``export-recipients`` (services.platform.export_recipients: render each recipient's approved
  text, write the JSONL, queue the ledger rows) against a baseline of the same size in the same run:
  reading the incident's raw people rows with sqlite3 and ``json.dumps``-ing each into a file;
- ``import-delivery`` of a report of every reference (delivered) against ``csv.reader`` reading
  that report.

    .venv/bin/python bench/platform_handoff.py [--people N] [--merge-fields] [--workdir DIR] [--keep]

Every phase runs in its own child process, so its peak memory (ru_maxrss) is its own. Data goes
under /work/bench-data/platform_handoff/ (or --workdir) and is deleted at the end unless --keep.
Memory must stay flat in N: the peak of the export and of the import is printed with the ratio."""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/work/bench-data/platform_handoff")


def peak_mb() -> float:
    """Peak resident memory of this process plus its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def _services(db: Path):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    from incident_app.services.container import open_services

    return open_services(db)


def run_setup(work: Path, people: int) -> dict[str, object]:
    """The demo incident, its people replaced by N generated ones, every notice approved."""
    sys.path.insert(0, str(ROOT / "bench"))
    from import_people import generate

    from incident_app.services.demo.incident import load_demo

    csv_path = work / "people.csv"
    generate(csv_path, people)
    services = _services(work / "bench.sqlite3")
    incident = load_demo(services)
    started = time.perf_counter()
    services.people.import_file(incident.id, csv_path, replace=True)
    imported = time.perf_counter() - started
    services.notices.approve(incident.id, "bench")
    services.close()
    csv_path.unlink()
    return {"incident": incident.id, "import_s": imported, "peak_mb": peak_mb()}


def run_export(work: Path, incident: int, merge_fields: bool) -> dict[str, object]:
    services = _services(work / "bench.sqlite3")
    started = time.perf_counter()
    result = services.platform.export_recipients(incident, work / "recipients.jsonl", merge_fields=merge_fields)
    seconds = time.perf_counter() - started
    services.close()
    return {"seconds": seconds, "rows": result["rows"], "new": result["new_ledger_rows"], "peak_mb": peak_mb(),
            "bytes": (work / "recipients.jsonl").stat().st_size}


def run_export_baseline(work: Path, incident: int) -> dict[str, object]:
    """The raw people rows, one json.dumps line each: the floor of any per-person export."""
    conn = sqlite3.connect(work / "bench.sqlite3")
    started = time.perf_counter()
    cursor = conn.execute("SELECT * FROM people WHERE incident_id = ? ORDER BY id", [incident])
    names = [c[0] for c in cursor.description]
    rows = 0
    with (work / "baseline.jsonl").open("w", encoding="utf-8") as out:
        for row in cursor:
            out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
            rows += 1
    seconds = time.perf_counter() - started
    conn.close()
    (work / "baseline.jsonl").unlink()
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb()}


def make_report(work: Path) -> int:
    """What a platform sends back: every reference delivered, a minute ago (streamed)."""
    when = datetime.now(UTC).replace(microsecond=0).isoformat()
    rows = 0
    with (work / "recipients.jsonl").open(encoding="utf-8") as lines, \
            (work / "report.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["reference", "status", "time", "reason"])
        for line in lines:
            # The reference is the first key of every line: no need to parse a 6 KB line for it.
            reference = line[len('{"reference":"'):line.index('"', len('{"reference":"'))]
            writer.writerow([reference, "delivered", when, ""])
            rows += 1
    return rows


def run_import(work: Path, incident: int) -> dict[str, object]:
    services = _services(work / "bench.sqlite3")
    started = time.perf_counter()
    result = services.platform.import_delivery(incident, work / "report.csv")
    seconds = time.perf_counter() - started
    assessed = services.assessment.assess(incident)
    met = sorted(o.id for o in assessed.obligations if o.status.value == "met")
    services.close()
    return {"seconds": seconds, "changed": result["changed"], "peak_mb": peak_mb(), "met": met}


def run_import_baseline(work: Path) -> dict[str, object]:
    started = time.perf_counter()
    with (work / "report.csv").open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": peak_mb()}


def child(phase: str, work: Path, *extra: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--workdir", str(work), *extra],
                         check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {phase}: {json.dumps(result)}", flush=True)  # each phase as it ends (a long run may stop later)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--merge-fields", action="store_true", help="export merge fields instead of the texts")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--incident", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phases = {"setup": lambda: run_setup(args.workdir, args.people),
                  "export": lambda: run_export(args.workdir, args.incident, args.merge_fields),
                  "export_baseline": lambda: run_export_baseline(args.workdir, args.incident),
                  "import": lambda: run_import(args.workdir, args.incident),
                  "import_baseline": lambda: run_import_baseline(args.workdir)}
        print(json.dumps(phases[args.phase]()))
        return 0
    work = args.workdir / f"run-{args.people}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        return report(work, args.people, args.merge_fields)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(work: Path, people: int, merge_fields: bool) -> int:
    started = time.perf_counter()
    setup = child("setup", work, "--people", str(people))
    incident = ["--incident", str(setup["incident"])]
    print(f"setup: {people:,} people imported in {float(setup['import_s']):.1f} s (setup total "  # type: ignore[arg-type]
          f"{time.perf_counter() - started:.1f} s), database {(work / 'bench.sqlite3').stat().st_size / 1e6:.0f} MB")
    base = child("export_baseline", work, *incident)
    export = child("export", work, *incident, *(["--merge-fields"] if merge_fields else []))
    rows = make_report(work)
    base_in = child("import_baseline", work)
    imported = child("import", work, *incident)
    again = child("import", work, *incident)
    size = float(export["bytes"]) / 1e6  # type: ignore[arg-type]
    ex_s, base_s = float(export["seconds"]), float(base["seconds"])  # type: ignore[arg-type]
    in_s, base_in_s = float(imported["seconds"]), float(base_in["seconds"])  # type: ignore[arg-type]
    print(f"baseline  json.dumps of {base['rows']:,} raw people rows: {base_s:.2f} s, peak {base['peak_mb']:.0f} MB")
    print(f"export    export-recipients{' --merge-fields' if merge_fields else ''}: {export['rows']:,} lines "
          f"({size:,.0f} MB), {ex_s:.2f} s, {int(export['rows']) / ex_s:,.0f} lines/s, "  # type: ignore[call-overload]
          f"peak {export['peak_mb']:.0f} MB; ratio {ex_s / base_s:.1f}x baseline")
    print(f"baseline  csv.reader of the {rows:,}-row report: {base_in_s:.2f} s, peak {base_in['peak_mb']:.0f} MB")
    print(f"import    import-delivery: {in_s:.2f} s, {rows / in_s:,.0f} rows/s, {imported['changed']:,} rows marked, "
          f"peak {imported['peak_mb']:.0f} MB; ratio {in_s / base_in_s:.1f}x baseline; again: "
          f"{float(again['seconds']):.2f} s, {again['changed']} changed")  # type: ignore[arg-type]
    print(f"obligations met after the import: {', '.join(imported['met']) or 'none'}")  # type: ignore[arg-type]
    ok = export["rows"] == rows == imported["changed"] and again["changed"] == 0
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
