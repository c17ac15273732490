"""The register's metrics panel at N incidents: how long the figures take, and how long the window
freezes while they are computed.

Generated data (seeded): N incidents (drills, causes and sizes varied), each with its creation
event. Phases, each in its own child process (peak RSS is the process tree's ru_maxrss):

- baseline: read every incident row once (``incidents.list()``, the facts parsed);
- before: the old computation, every incident assessed in this process (``register_metrics`` with
  ``records_from_assessment``, what the panel ran in a worker thread of the GUI process);
- cold: the cache emptied, the metrics from a new helper process (start-up included): every
  incident assessed there and its summary stored;
- warm: the metrics from a new helper process with the cache filled (what start-up shows), and
  again from the same helper (an explicit refresh);
- stalls: the real MetricsPanel offscreen with the real JobRunner and a 10 ms QTimer on the UI
  thread: the longest gap between ticks and the gaps over 100 ms while one refresh runs, the old
  way (the computation in a worker thread) and the new way (helper process), cold and warm; first
  the noise floor: the timer alone for 3 s with nothing running (the machine is shared).

Usage: .venv/bin/python bench/register_metrics.py [--incidents N]  (default 2,000; 10,000 for the
target). Data goes under /work/bench-data/register_metrics/ (or --workdir) and is deleted after."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

STALL_TICK_MS = 10
STALL_LIMIT_MS = 100


def generate(db: Path, count: int, seed: int = 20261120) -> None:
    from incident_app.domain.incident import Cause
    from incident_app.services.container import open_services
    from incident_app.services.demo.incident import demo_intake

    rnd = random.Random(seed)
    services = open_services(db)
    facts = services.incidents.validate_intake(demo_intake(services))
    causes = list(Cause)
    with services.ctx.store.transaction():
        for n in range(count):
            varied = replace(facts, drill=n % 10 == 0, cause=rnd.choice(causes),
                             affected_people=rnd.choice([800, 1200, 150_000, 2_000_000]))
            incident = services.ctx.store.incidents.add(varied, now=services.ctx.now())
            services.ctx.record("incident.created", "incident", incident.id, {"bench": True}, incident.id)
    services.close()


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def cpu_s() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_phase(phase: str, db: Path) -> dict[str, Any]:
    from incident_app.services.container import open_services
    from incident_app.services.register.export import register_metrics
    from incident_app.services.register.helper import POOL, run_in_helper
    from incident_app.services.register.sources import RegisterSources, records_from_assessment

    services = open_services(db)
    out: dict[str, Any] = {}
    if phase == "cold":
        services.ctx.store.assessment_cache.clear()
    start, cpu = time.perf_counter(), cpu_s()
    if phase == "warm":
        POOL.prestart()  # what the app does at start-up, while the window is built
    if phase == "baseline":
        out["rows"] = len(services.incidents.list())
    elif phase == "before":
        out["incidents"] = register_metrics(services, RegisterSources(records_from_assessment)).incidents
    else:
        out["incidents"] = run_in_helper(services, "metrics").incidents
        if phase == "warm":
            out["first_s"] = time.perf_counter() - start
            again = time.perf_counter()
            run_in_helper(services, "metrics")
            out["again_s"] = time.perf_counter() - again
    out["seconds"] = time.perf_counter() - start
    POOL.close()
    services.close()
    out["cpu_s"] = cpu_s() - cpu
    out["peak_mb"] = peak_mb()
    return out


def stall_phase(phase: str, db: Path) -> dict[str, Any]:
    """One metrics refresh of the real panel, with a 10 ms timer measuring the UI thread's gaps."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from incident_app.domain.i18n import Translator
    from incident_app.jobs.runner import JobRunner
    from incident_app.services.container import open_services
    from incident_app.services.register.export import register_metrics
    from incident_app.services.register.helper import POOL
    from incident_app.services.register.sources import RegisterSources, records_from_assessment
    from incident_app.services.resources import load_messages
    from incident_app.ui.register.metrics_panel import MetricsPanel

    if phase == "stalls_cold":
        services = open_services(db)
        services.ctx.store.assessment_cache.clear()
        services.close()
    app = QApplication.instance() or QApplication([])
    runner = JobRunner(lambda: open_services(db))
    panel = MetricsPanel(runner, Translator(load_messages(), "zh-CN"))
    panel.errors.interactive = False
    panel.show()
    if phase == "stalls_idle":  # the noise floor: the same timer with nothing running (a shared machine)
        panel.refresh = lambda: QTimer.singleShot(  # type: ignore[method-assign]
            3000, lambda: panel.metrics_loaded.emit(None))
    if phase == "stalls_before":  # the old job: every incident assessed in a worker thread of this process
        old = RegisterSources(records_from_assessment)
        panel.refresh = lambda: panel.runner.run(  # type: ignore[method-assign]
            lambda s, _p: (register_metrics(s, old), None), on_success=panel._on_metrics_loaded)
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(STALL_TICK_MS)
    timer.timeout.connect(tick)
    done: list[float] = []
    panel.metrics_loaded.connect(lambda _m: done.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    panel.refresh()
    while not done and time.perf_counter() - start < 600:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    runner.wait_all()
    POOL.close()
    longest = max(gaps, default=0.0) - STALL_TICK_MS
    return {"seconds": (done[0] if done else time.perf_counter()) - start, "longest_stall_ms": max(0.0, longest),
            "stalls_over_100ms": sum(1 for g in gaps if g - STALL_TICK_MS > STALL_LIMIT_MS),
            "incidents": panel.metrics.incidents if panel.metrics else None, "peak_mb": peak_mb()}


PHASES = ("baseline", "before", "cold", "warm", "stalls_idle", "stalls_before", "stalls_cold", "stalls_warm")


def run_child(phase: str, db: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, __file__, "--phase", phase, "--db", str(db)], capture_output=True,
                          text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=Path("/work/bench-data/register_metrics"))
    parser.add_argument("--phase", choices=[*PHASES, "generate"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        generate(args.db, args.incidents)
        print(json.dumps({"peak_mb": peak_mb()}))
        return 0
    if args.phase:
        run = stall_phase if args.phase.startswith("stalls") else timed_phase
        print(json.dumps(run(args.phase, args.db)))
        return 0
    work = args.workdir / f"run-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "register.sqlite3"
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--phase", "generate", "--db", str(db), "--incidents",
                        str(args.incidents)], check=True, env={**os.environ, "PYTHONPATH": str(
                            Path(__file__).resolve().parents[1])})
        print(f"incidents: {args.incidents:,} (generated in {time.perf_counter() - start:.1f} s)")
        results = {phase: run_child(phase, db) for phase in PHASES}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results)
    return 0


def report(r: dict[str, dict[str, Any]]) -> None:
    base = r["baseline"]["seconds"]
    print(f"baseline (read every incident row once): {base:.2f} s")
    for phase, label in (("before", "before: every incident assessed in the GUI process"),
                         ("cold", "after, cold: helper process, cache empty (start-up included)"),
                         ("warm", "after, warm: new helper process, cache filled (start-up included)")):
        print(f"{label}: {r[phase]['seconds']:.2f} s ({r[phase]['seconds'] / base:.1f}x the baseline), "
              f"CPU {r[phase]['cpu_s']:.2f} s (baseline {r['baseline']['cpu_s']:.2f} s), "
              f"peak RSS {r[phase]['peak_mb']:.0f} MB")
    print(f"after, warm refresh from the kept helper: {r['warm']['again_s']:.2f} s "
          f"({r['warm']['again_s'] / base:.1f}x the baseline)")
    for phase, label in (("stalls_idle", "idle 3 s (noise floor)"),
                         ("stalls_before", "before (worker thread)"), ("stalls_cold", "after, cold (helper)"),
                         ("stalls_warm", "after, warm (helper)")):
        s = r[phase]
        print(f"UI thread during one metrics refresh, {label}: longest stall {s['longest_stall_ms']:.0f} ms, "
              f"{s['stalls_over_100ms']} over 100 ms, figures shown after {s['seconds']:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
