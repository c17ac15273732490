"""How much the assessment adds to loading the incident register (grade + next deadline per row).

Baseline, measured in the same run: reading every incident (the register without assessment).
Usage: .venv/bin/python bench/assess_register.py [N]   (default 10,000 incidents)"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from incident_app.services.container import open_services
from incident_app.services.demo import demo_intake
from incident_app.services.register_view import register_rows


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        services = open_services(Path(folder) / "bench.sqlite3")
        facts = services.incidents.validate_intake(demo_intake(services))
        with services.ctx.store.transaction():
            for _ in range(count):
                services.ctx.store.incidents.add(facts, now=services.ctx.now())
        start = time.perf_counter()
        services.incidents.list()
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        rows = register_rows(services)
        assessed = time.perf_counter() - start
        services.close()
    print(f"incidents: {len(rows):,}")
    print(f"baseline (read incidents): {baseline:.2f} s")
    print(f"register with assessment: {assessed:.2f} s ({assessed / count * 1000:.2f} ms per incident)")
    print(f"ratio: {assessed / baseline:.1f}x the baseline")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
