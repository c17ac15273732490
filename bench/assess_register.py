"""How long the incident register takes to show, with the grade and next deadline per row.

Baseline, measured in the same run: reading every incident (``incidents.list()``, the facts parsed).
Then: the old way, every incident assessed up front (``assessed_register_rows``); the new way, the
bare rows (``register_rows``) plus the first batch of 200 assessed (``register_details``) — what the
main window does before the first screen is complete — and the cost of each further batch.
Usage: .venv/bin/python bench/assess_register.py [N]   (default 10,000 incidents)"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incident_app.services.container import open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.register.view import assessed_register_rows, register_details, register_rows

BATCH = 200  # ui/register/model.py fetches and assesses this many rows at a time


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        services = open_services(Path(folder) / "bench.sqlite3")
        facts = services.incidents.validate_intake(demo_intake(services))
        with services.ctx.store.transaction():
            for _ in range(count):
                services.ctx.store.incidents.add(facts, now=services.ctx.now())
        baseline, _ = timed(services.incidents.list)
        up_front, rows = timed(lambda: assessed_register_rows(services))
        bare, ids = timed(lambda: [r.id for r in register_rows(services)])
        first, _ = timed(lambda: register_details(services, ids[:BATCH]))
        further, _ = timed(lambda: register_details(services, ids[BATCH:2 * BATCH]))
        services.close()
    print(f"incidents: {len(rows):,}")
    print(f"baseline (read every incident): {baseline:.2f} s")
    print(f"before: every incident assessed up front: {up_front:.2f} s ({up_front / baseline:.1f}x the baseline)")
    shown = bare + first
    print(f"after: bare rows {bare:.2f} s + first {BATCH} assessed {first:.2f} s = {shown:.2f} s "
          f"({shown / baseline:.2f}x the baseline, {up_front / shown:.0f}x faster to the first screen)")
    print(f"each further batch of {BATCH} rows scrolled to: {further * 1000:.0f} ms on the worker")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
