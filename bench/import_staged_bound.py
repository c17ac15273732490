"""Benchmark: would moving the import's dedupe into SQL pay? Measures, in the same run and on
the same generated CSV (bench/import_people.py's, reused from ``--data``):

* ``import``: the real import (services.people.import_file, helper process + streaming dedupe),
  with the main process's CPU time split by phase;
* ``staged``: a LOWER BOUND of any "stage every row in a TEMP table, find the duplicate keys with
  GROUP BY, INSERT ... SELECT the kept rows" design: the same helper process, the rows
  executemany()d into a TEMP table in 50,000-row batches, one GROUP BY per key (user id, e-mail,
  phone) to find the rows that share one, one INSERT ... SELECT into people, the same index
  rebuild and commit. It merges nothing (no Python resolves the rows it finds), so a real staged
  import can only be slower.

    flock /work/bench.lock .venv/bin/python bench/import_staged_bound.py [--rows N] [--data DIR]

Each phase runs in a fresh child process; the best of ``--repeat`` runs is kept (other work on
the machine only slows a run down). Main-process CPU is what the main process spent (the
helper's CPU, the same for both, is not in it)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

INTAKE = {"title": "bench", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-14T09:00:00+08:00"}
STAGE_BATCH = 50_000


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def run_import(csv_path: Path, db_path: Path) -> dict[str, Any]:
    """The real import, its main-process CPU split by phase (wrapped methods, CPU spent inside)."""
    from incident_app.services.container import open_services
    from incident_app.services.people import batches, importer
    from incident_app.storage import people as storage

    spent: dict[str, float] = defaultdict(float)

    def timed(owner: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cpu = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - cpu

        setattr(owner, name, wrapper)

    timed(batches.WorkerBatches, "_receive", "receive batches")
    timed(storage.PeopleRepository, "insert_rows", "insert (executemany)")
    timed(storage.PeopleRepository, "restore_lookup_indexes", "index rebuild")
    timed(importer.Importer, "_resolve", "merge (slow path)")
    timed(importer.Importer, "run", "run (all batches)")
    services = open_services(db_path)
    incident = services.incidents.create(INTAKE)
    (wall, cpu) = _clock()
    result = services.people.import_file(incident.id, csv_path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    services.close()
    run_total = spent.pop("run (all batches)")
    spent["dedupe loop (rest of run)"] = run_total - sum(spent[k] for k in ("receive batches", "insert (executemany)",
                                                                             "merge (slow path)"))
    spent["commit and the rest"] = cpu - run_total - spent["index rebuild"]
    return {"seconds": wall, "cpu": cpu, "phases": dict(spent), "imported": result.imported,
            "merged": result.duplicates_merged}


def run_staged(csv_path: Path, db_path: Path) -> dict[str, Any]:
    """The staged lower bound (see the module docstring): phases as (wall, CPU) from the start."""
    from incident_app.domain.clock import shanghai_date
    from incident_app.domain.people import band_cutoffs, suggest_mapping
    from incident_app.services.container import open_services
    from incident_app.services.people.batches import NormaliseSpec, WorkerBatches
    from incident_app.services.people.files import open_table
    from incident_app.storage.people import LOOKUP_INDEXED, ROW_COLUMNS

    services = open_services(db_path)
    incident = services.incidents.create(INTAKE)
    store = services.ctx.store
    conn = store.db.conn
    with open_table(csv_path) as source:
        mapping = suggest_mapping(source.header)
    # As the service builds it (PeopleService._run): the incident's bands, today in Beijing.
    facts = incident.facts
    cutoffs = band_cutoffs(shanghai_date(facts.occurred_at or facts.discovered_at))
    spec = NormaliseSpec(str(csv_path), mapping.headers, mapping.fields, incident.id, cutoffs,
                         shanghai_date(services.ctx.now()).isoformat())
    marks: dict[str, tuple[float, float]] = {}
    start_wall, start_cpu = _clock()

    def mark(label: str) -> None:
        wall, cpu = _clock()
        marks[label] = (wall - start_wall, cpu - start_cpu)

    columns = ", ".join(c for c in ROW_COLUMNS if c != "id")
    involved = 0
    with store.transaction():
        for column in (*LOOKUP_INDEXED, "user_id"):
            store.db.execute(f"DROP INDEX IF EXISTS people_incident_{column}")
        conn.execute(f"CREATE TEMP TABLE stage (seq INTEGER PRIMARY KEY, {', '.join(ROW_COLUMNS)})")
        insert = f"INSERT INTO stage ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' * len(ROW_COLUMNS))})"
        helper = WorkerBatches(spec)
        try:
            pending: list[tuple[Any, ...]] = []
            for batch in helper:
                pending += batch.rows
                if len(pending) >= STAGE_BATCH:
                    conn.executemany(insert, pending)
                    pending = []
            conn.executemany(insert, pending)
        finally:
            helper.close()
        mark("staged (helper + executemany into TEMP)")
        for key in ("user_id", "email", "phone"):
            involved += conn.execute(
                f"SELECT count(*) FROM stage WHERE {key} IN"
                f" (SELECT {key} FROM stage WHERE {key} != '' GROUP BY {key} HAVING count(*) > 1)").fetchone()[0]
        mark("duplicate keys found (GROUP BY x3)")
        conn.execute(f"INSERT INTO people ({columns}) SELECT {columns} FROM stage ORDER BY seq")
        mark("INSERT ... SELECT into people")
        conn.execute("DROP TABLE stage")
        store.people.restore_lookup_indexes()
        mark("index rebuild")
    mark("committed")
    services.close()
    wall, cpu = marks["committed"]
    return {"seconds": wall, "cpu": cpu, "marks": marks, "involved_rows": involved}


def child(phase: str, csv_path: Path, db_path: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--csv", str(csv_path), "--db", str(db_path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--data", type=Path, default=None, help="keep/reuse the generated CSV in this folder")
    parser.add_argument("--phase", choices=["import", "staged"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run = run_import if args.phase == "import" else run_staged
        print(json.dumps(run(args.csv, args.db)))
        return 0
    from import_people import prepared_csv

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = prepared_csv(Path(tmp), args.rows, args.data)
        runs: dict[str, list[dict[str, Any]]] = {"import": [], "staged": []}
        for attempt in range(args.repeat):
            for phase in runs:
                db = Path(tmp) / f"{phase}{attempt}.sqlite3"
                runs[phase].append(child(phase, csv_path, db))
                db.unlink()
    best = {phase: min(found, key=lambda r: float(r["seconds"])) for phase, found in runs.items()}
    for phase, found in runs.items():
        print(f"{phase}: runs, wall (main CPU) s: " + ", ".join(f"{r['seconds']:.2f} ({r['cpu']:.2f})" for r in found))
    imp, staged = best["import"], best["staged"]
    print(f"import (best): {imp['seconds']:.2f} s wall, main-process CPU {imp['cpu']:.2f} s:"
          f" {imp['imported']:,} people, {imp['merged']:,} merged")
    for label, cpu in imp["phases"].items():
        print(f"    {label}: {cpu:.2f} s CPU")
    print(f"staged lower bound (best): {staged['seconds']:.2f} s wall, main-process CPU {staged['cpu']:.2f} s;"
          f" {staged['involved_rows']:,} (row, key) pairs share the key with another row"
          " (a real staged import would still have to resolve these in order)")
    for label, (wall, cpu) in staged["marks"].items():
        print(f"    {label}: at {wall:.2f} s wall, {cpu:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
