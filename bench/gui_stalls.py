"""Benchmark: does the home screen freeze with a big register? Drives the REAL main window
offscreen through the officer's actions with a stall detector — a 10 ms QTimer on the UI thread
that records the gap between its ticks — and prints per action the wall time, the longest gap and
how many gaps were over 100 ms (the target is none).

    .venv/bin/python bench/gui_stalls.py [--incidents N] [--people M] [--workdir DIR] [--keep] [--cold]

N incidents (default 10,000; seeded mix of sizes, data types, minors, statuses, drills and
discovery times, so grades and deadlines vary) are written through the real storage layer into a
migrated database; one more incident gets M affected people (default 2,000) through the real
importer, and every incident's assessment summary is stored as the app stores it when it commits
an incident (``--cold`` drops them, and the kept figures, before the GUI phase: a start after new
rules). Each phase runs in a fresh child process (clean QApplication, its own peak RSS):
``generate`` builds the database, ``baseline`` reads every incident row with one SQL query and
runs the idle event loop with the stall detector, ``gui`` drives the window. Databases go under
/work/bench-data/gui_stalls/ and are deleted at the end unless --keep.

    .venv/bin/python bench/gui_stalls.py --people-db FILE

drives the People tab instead, on an existing database (e.g. the one bench/import_people.py
--keep-db made with ten million people: the register of FILE beside its biggest incident):
start-up, the workspace, the People tab, scroll to the middle and the end, search by name
(typed), by a whole phone number and e-mail address (pasted), clear, a channel filter, the
language switch — per action the wall time, the longest stall and the stalls over 100 ms, and
for a search when its first rows and its count were shown. The window writes to FILE as the
app does (its language, the register's kept figures): give it a copy. Its desktop settings go
to a temporary folder."""

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
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/work/bench-data/gui_stalls")
STALL_MS = 100
TICK_MS = 10
STATUSES = ("reported", "contained", "assessed", "notifying", "closed")
WORDS = ("接口", "数据库", "日志", "备份", "供应商", "勒索", "钓鱼", "误发", "爬虫", "内鬼", "SDK", "云存储")


def peak_mb() -> float:
    """Peak RSS of this process and its waited-for children, in MB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


# -- phase: generate --------------------------------------------------------------------------
def generate(db_path: Path, incidents: int, people: int, seed: int) -> dict[str, Any]:
    """N incidents through the storage layer (one transaction), then one with M people imported."""
    from incident_app.services.container import open_services
    from incident_app.services.demo.incident import demo_intake

    sys.path.insert(0, str(ROOT / "bench"))
    from import_people import generate as generate_people  # the people bench's realistic CSV

    rnd = random.Random(seed)
    services = open_services(db_path)
    base = demo_intake(services)
    catalog = list(services.ctx.catalog.ids())
    now = services.ctx.now()
    templates = []
    for n in range(24):  # a few validated shapes; the rows below vary them
        intake = dict(base)
        intake["data_types"] = rnd.sample(catalog, k=rnd.randint(1, 4))
        minors = rnd.choice((0, 0, 0, 12, 400))
        intake.update(affected_minors=minors, affected_minors_under_14=minors // 2,
                      affected_minors_14_17=minors - minors // 2, drill=n % 12 == 0,
                      affected_people=20_000_000, affected_records=20_000_000)
        templates.append(services.incidents.validate_intake(intake))
    started = time.perf_counter()
    store = services.ctx.store
    with store.transaction():
        for i in range(incidents):
            facts = rnd.choice(templates)
            size = int(10 ** rnd.uniform(0.5, 7.2))  # 3 .. 16M, log-uniform: every grade occurs
            found = now - timedelta(minutes=rnd.randint(5, 60 * 24 * 700))
            facts = replace(facts, title=f"事件 {i + 1} {rnd.choice(WORDS)}{rnd.choice(WORDS)}",
                            discovered_at=found, aware_at=found + timedelta(minutes=20),
                            occurred_at=found - timedelta(days=2), occurred_until=found - timedelta(hours=1),
                            affected_people=size, affected_records=size)
            if facts.affected_minors > size:  # minors are counted within the people
                facts = replace(facts, affected_minors=0, affected_minors_under_14=0, affected_minors_14_17=0)
            store.incidents.add(facts, now=now)
        store.db.execute("UPDATE incidents SET status = CASE abs(random()) % 5 " +
                         " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(STATUSES)) + " END")
    big = services.incidents.create(dict(base, title={"zh-CN": "大规模泄露（基准）", "en": "Big breach (bench)"},
                                         affected_people=max(people, 1)))
    csv_path = db_path.with_suffix(".people.csv")
    generate_people(csv_path, people, seed)
    services.people.import_file(big.id, csv_path)
    csv_path.unlink()
    # The app stores each incident's assessment summary as it commits the incident (write-through,
    # services/register/summary.py); the storage layer wrote these 10,000 at once: stored here.
    from incident_app.services.register.summary import summaries

    summaries(services, services.ctx.store.incidents.list())
    services.close()
    return {"incidents": incidents + 1, "big_id": big.id, "people": people,
            "generate_s": round(time.perf_counter() - started, 1)}


# -- the stall detector -----------------------------------------------------------------------
class StallDetector:
    """A 10 ms timer on the UI thread; a gap between two ticks is how long the UI was blocked."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()

    def summary(self) -> tuple[float, int]:
        # A blocked event loop also shows as the time from the last tick to now.
        gaps = [*self.gaps, (time.perf_counter() - self.last) * 1000]
        return max(gaps), sum(1 for g in gaps if g > STALL_MS)


def run_until(app: Any, done: Callable[[], bool], timeout_s: float) -> bool:
    """Process events until ``done()`` (checked between events) or the timeout."""
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if done():
            return True
        time.sleep(0.001)
    return False


class Typist:
    """Types into a line edit one character every 80 ms (an officer typing), through the event loop."""

    def __init__(self, edit: Any, text: str) -> None:
        self.edit, self.left = edit, list(text)

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        if self.left:
            self.edit.insert(self.left.pop(0))
            QTimer.singleShot(80, self.start)

    def done(self) -> bool:
        return not self.left


class Driver:
    """Runs one action at a time and keeps its measurements."""

    def __init__(self, app: Any, settle_s: float = 0.3) -> None:
        self.app = app
        self.detector = StallDetector()
        self.settle_s = settle_s
        self.results: list[dict[str, Any]] = []
        self.ready: Callable[[], bool] = lambda: True  # the window's jobs are done (set after start-up)

    def measure(self, name: str, start: Callable[[], Any], done: Callable[[], bool], timeout_s: float = 60.0,
                note: Callable[[], str] | None = None) -> None:
        # What the previous action left running (a metrics run, a refresh) is not this action's.
        run_until(self.app, self.ready, 240)
        self.detector.start()
        began = time.perf_counter()
        start()
        finished = run_until(self.app, done, timeout_s)
        wall = time.perf_counter() - began
        run_until(self.app, lambda: False, self.settle_s)  # what the action leaves behind counts too
        longest, over = self.detector.summary()
        self.results.append({"action": name, "wall_s": round(wall, 3), "longest_ms": round(longest),
                             "over_100ms": over, "done": finished, "note": note() if note else ""})
        print(f"  {name}: {wall:.2f} s, longest {longest:.0f} ms, {over} over {STALL_MS} ms", file=sys.stderr,
              flush=True)  # progress while a long run goes on


# -- phase: baseline ----------------------------------------------------------------------------
def baseline(db_path: Path, idle_s: float) -> dict[str, Any]:
    """Reading every incident row with one query, and the idle event loop's own gaps."""
    started = time.perf_counter()
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id, title, status, discovered_at, affected_people, drill FROM incidents").fetchall()
    read_s = time.perf_counter() - started
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    driver = Driver(app, settle_s=0)
    driver.measure(f"idle event loop, {idle_s:g} s (no action)", lambda: None, lambda: False, timeout_s=idle_s)
    driver.results[0]["done"] = True  # it runs for its fixed time
    return {"rows": len(rows), "read_s": read_s, "idle": driver.results[0]}


# -- phase: gui -------------------------------------------------------------------------------
def drive(db_path: Path, big_id: int, settle_s: float, quick: bool = False) -> list[dict[str, Any]]:
    """The officer's actions on the real main window, each measured (``quick``: start-up, the
    metrics, the live refreshes, the search and the language switch only)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from incident_app.app import build_main_window
    from incident_app.ui.register.model import RegisterModel

    d = Driver(app, settle_s)
    marks: dict[str, float] = {}
    holder: dict[str, Any] = {}

    def start_up() -> None:
        began = time.perf_counter()
        window = build_main_window(db_path, "zh-CN")
        window.errors.interactive = False
        holder["w"] = window
        window.metrics.metrics_loaded.connect(lambda _m: marks.setdefault("metrics", time.perf_counter() - began))
        window.metrics.kept_shown.connect(lambda _m: marks.setdefault("kept", time.perf_counter() - began))
        # Until show() nothing is on screen, so nothing can look frozen: the build (mostly imports)
        # is reported as its own time, and the stall detector counts from the window shown on.
        marks["build"] = time.perf_counter() - began
        d.detector.start()
        window.show()
        window.refresh()
        marks["began"] = began

    def started() -> bool:
        window = holder.get("w")
        if window is None:
            return False
        shown = window.model.rowCount() > 0 and window.stack.currentWidget() is window.register_page
        if "first" not in marks and shown:
            marks["first"] = time.perf_counter() - marks["began"]
        return "first" in marks and "metrics" in marks and idle()

    def idle() -> bool:
        return bool(holder["w"].runner.active_count() == 0)

    d.measure("start-up (window shown, first screen, metrics panel)", start_up, started, timeout_s=120,
              note=lambda: f"window built {marks.get('build', float('nan')):.2f} s before it was shown; "
                           f"first screen {marks.get('first', float('nan')):.2f} s, "
                           f"metrics panel {marks.get('metrics', float('nan')):.2f} s"
                           f" (the last run's figures shown at {marks.get('kept', float('nan')):.2f} s)")
    w = holder["w"]
    model, table = w.model, w.table
    d.ready = idle
    loaded = {"n": 0}

    def refresh_metrics() -> None:
        loaded["n"] = 0
        w.metrics.metrics_loaded.connect(lambda _m: loaded.__setitem__("n", 1))
        w.metrics.refresh()

    d.measure("metrics refresh (explicit)", refresh_metrics, lambda: loaded["n"] == 1 and idle(), timeout_s=120)
    d.measure("live refresh (data changed elsewhere)", w.on_data_changed, idle, timeout_s=60)
    from incident_app.services.container import open_services

    other = open_services(db_path)  # another program changes one incident (its own connection)
    other.incidents.update_facts(big_id - 1, {"affected_people": 123_456, "affected_records": 123_456})
    other.close()
    d.measure("live refresh (one incident changed elsewhere)", w.on_data_changed, idle, timeout_s=60)
    if not quick:
        names = ("id", "title", "status", "discovered", "people", "grade", "deadline")
        for column, name in enumerate(names):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                label = "asc" if order == Qt.SortOrder.AscendingOrder else "desc"
                d.measure(f"sort by {name} {label}", lambda c=column, o=order: table.sortByColumn(c, o), idle,
                          timeout_s=120, note=lambda: f"{table.model().rowCount():,} rows shown")
        # Right after the sorts, before anything has scrolled: only the first rows are fetched.
        table.sortByColumn(RegisterModel.COL_PEOPLE, Qt.SortOrder.DescendingOrder)
        run_until(app, idle, 120)
        table.scrollToTop()
        table.setCurrentIndex(table.model().index(0, 0))
        table.setFocus()
        total = model.total_rows()

        def at_end() -> bool:
            return table.currentIndex().row() == total - 1 and idle()

        d.measure("Ctrl+End, sorted by People", lambda: QTest.keyClick(table, Qt.Key.Key_End,
                                                                       Qt.KeyboardModifier.ControlModifier),
                  at_end, timeout_s=60,
                  note=lambda: f"reached row {table.currentIndex().row() + 1:,} of {total:,}")
    table.sortByColumn(RegisterModel.COL_ID, Qt.SortOrder.DescendingOrder)
    run_until(app, idle, 60)
    search = w.filters.search
    typist = Typist(search, "事件 12")
    d.measure("type a search (5 keys, 80 ms apart)", typist.start,
              lambda: typist.done() and idle() and not w.filters.search_pending(),
              note=lambda: f"{table.model().rowCount():,} rows shown")
    d.measure("clear the search", search.clear, lambda: idle() and not w.filters.search_pending(),
              note=lambda: f"{table.model().rowCount():,} rows shown")
    d.measure("countdown tick (30-s timer fired)", w.ticker.timeout.emit, idle)
    d.measure("language zh-CN → en", lambda: w.set_language("en"), idle, timeout_s=180)
    d.measure("language en → zh-CN", lambda: w.set_language("zh-CN"), idle, timeout_s=180)
    if quick:
        w.runner.wait_all()
        w.close()
        return d.results
    measure_export(d, w, db_path, idle)
    bar = table.verticalScrollBar()
    # Start again from the first rows fetched (nothing selected far down, rows reloaded, newest first).
    table.selectionModel().clear()
    w.refresh()
    run_until(app, idle, 240)
    table.sortByColumn(RegisterModel.COL_ID, Qt.SortOrder.DescendingOrder)
    run_until(app, idle, 60)

    def scroll_step() -> bool:  # an officer dragging the scroll bar to the bottom, again and again
        if bar.value() < bar.maximum():
            bar.setValue(bar.maximum())
        return not table.model().canFetchMore(table.rootIndex()) and bar.value() == bar.maximum() and idle()

    d.measure("scroll to the bottom (ID order)", lambda: bar.setValue(bar.maximum()), scroll_step, timeout_s=180,
              note=lambda: f"{table.model().rowCount():,} rows reached")
    measure_workspace(d, w, big_id, idle)
    w.runner.wait_all()
    w.close()
    return d.results


def measure_export(d: Driver, w: Any, db_path: Path, idle: Callable[[], bool]) -> None:
    """The register export to CSV (the file dialog answered by the bench)."""
    import incident_app.ui.register.export as export_ui

    out = db_path.with_suffix(".register.csv")
    try:
        export_ui.ask_save_file = lambda *_a, **_k: (out, "CSV (*.csv)")  # type: ignore[assignment]
        d.measure("register export (CSV)", w.export_register, lambda: out.exists() and idle(), timeout_s=180)
    except Exception as exc:  # noqa: BLE001 - the export UI may have moved: say so, keep measuring
        d.results.append({"action": "register export (CSV)", "wall_s": 0, "longest_ms": 0, "over_100ms": 0,
                          "done": False, "note": f"not measured: {exc}"})
    out.unlink(missing_ok=True)


def measure_workspace(d: Driver, w: Any, big_id: int, idle: Callable[[], bool]) -> None:
    """Open the big incident, its People tab, scroll it and search it."""
    # As the officer opens it (a double-click emits incident_activated): the window may wait for
    # its import warm-up to finish, in ticks, before it builds the workspace.
    d.measure("open the big incident's workspace", lambda: w.incident_activated.emit(big_id),
              lambda: big_id in w.workspaces and idle(), timeout_s=120)
    ws = w.workspaces[big_id]
    tab = ws.tab_widgets.get("people")
    if tab is None:
        return
    d.measure("People tab", lambda: ws.tabs.setCurrentWidget(tab), lambda: idle() and tab.model.rowCount() > 0,
              timeout_s=120, note=lambda: f"{tab.model.rowCount():,} rows")
    bar = tab.table.verticalScrollBar()
    d.measure("People tab: scroll to the bottom", lambda: bar.setValue(bar.maximum()),
              lambda: bar.value() == bar.maximum() and idle(), timeout_s=120)
    typist = Typist(tab.search, "138")
    d.measure("People tab: search", typist.start,
              lambda: typist.done() and idle() and not tab._search_timer.isActive(), timeout_s=120,
              note=lambda: f"{tab.model.rowCount():,} rows")
    d.measure("People tab: clear the search", tab.search.clear,
              lambda: idle() and not tab._search_timer.isActive(), timeout_s=120)
    ws.close()


# -- phase: people (--people-db) ------------------------------------------------------------
def biggest_incident(db_path: Path) -> tuple[int, int]:
    """(incident id, people) of the incident with the most people, read without writing."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT incident_id, total FROM people_stats ORDER BY total DESC LIMIT 1").fetchone()
    if row is None:
        raise SystemExit(f"{db_path} has no affected people")
    return int(row[0]), int(row[1])


def probe_person(db_path: Path, incident_id: int) -> tuple[str, str, str]:
    """(a surname, a whole phone number, a whole e-mail address) of people in the middle of the list."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        first, last = conn.execute("SELECT min(first_id), max(last_id) FROM people_ranges WHERE incident_id = ?",
                                   [incident_id]).fetchone()
        middle = (int(first) + int(last)) // 2
        phone = conn.execute("SELECT phone FROM people WHERE id >= ? AND incident_id = ? AND phone != '' LIMIT 1",
                             [middle, incident_id]).fetchone()
        email = conn.execute("SELECT email FROM people WHERE id >= ? AND incident_id = ? AND email != '' LIMIT 1",
                             [middle, incident_id]).fetchone()
        name = conn.execute("SELECT name FROM people WHERE id >= ? AND incident_id = ? AND name != '' LIMIT 1",
                            [middle, incident_id]).fetchone()
    return (str(name[0])[:1] if name else "张"), (str(phone[0]) if phone else ""), (str(email[0]) if email else "")


class FullCollections:
    """How long Python's full (generation 2) garbage collections took, whichever thread ran
    them (one holds the GIL: the UI thread waits too)."""

    def __init__(self) -> None:
        import gc

        self._gc = gc
        self.spans: list[float] = []
        self._began: float | None = None
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._began = time.perf_counter()
        elif self._began is not None:
            self.spans.append((time.perf_counter() - self._began) * 1000)
            self._began = None

    def take(self) -> str:
        spans, self.spans = self.spans, []
        return f"full gc {len(spans)}x, longest {max(spans):.0f} ms" if spans else ""

    def close(self) -> None:
        self._gc.callbacks.remove(self._seen)


class UiCpu:
    """The UI thread's own CPU time (time.thread_time) between two ticks of a 10 ms timer: a
    long gap with little CPU is the machine not scheduling the process (load), a long gap with
    as much CPU is work done on the UI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.take()
        self.timer.start()

    def _tick(self) -> None:
        cpu = time.thread_time()
        self.longest = max(self.longest, (cpu - self.last) * 1000)
        self.last = cpu

    def take(self) -> str:
        cpu = time.thread_time()
        text = "" if not hasattr(self, "began") else (
            f"UI thread CPU {(cpu - self.began) * 1000:.0f} ms, at most {self.longest:.0f} ms between ticks")
        self.began = self.last = cpu
        self.longest = 0.0
        return text


def drive_people(db_path: Path, big_id: int, settle_s: float) -> list[dict[str, Any]]:
    """The People tab of the biggest incident in the real main window, each action measured."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from incident_app.app import build_main_window

    surname, phone, email = probe_person(db_path, big_id)
    d = Driver(app, settle_s)
    holder: dict[str, Any] = {}

    def start_up() -> None:
        began = time.perf_counter()
        window = build_main_window(db_path, "zh-CN")
        window.errors.interactive = False
        holder["w"] = window
        holder["build_s"] = time.perf_counter() - began
        d.detector.start()  # counted from the window shown on (see drive())
        window.show()
        window.refresh()

    def idle() -> bool:
        window = holder.get("w")
        return window is not None and bool(window.runner.active_count() == 0)

    d.measure("start-up (register)", start_up, lambda: idle() and holder["w"].model.rowCount() > 0, timeout_s=300,
              note=lambda: f"window built {holder.get('build_s', float('nan')):.2f} s before it was shown")
    w = holder["w"]
    d.ready = idle
    # Right after the start, as the officer would (see measure_workspace): the warm-up may not be done.
    d.measure("open the big incident's workspace", lambda: w.incident_activated.emit(big_id),
              lambda: big_id in w.workspaces and idle(), timeout_s=300)
    ws = w.workspaces[big_id]
    tab = ws.tab_widgets["people"]
    table, model = tab.table, tab.model
    bar = table.verticalScrollBar()

    def shown() -> bool:  # the rows in view have arrived (or there are none)
        top = table.rowAt(0)
        if model.rowCount() == 0:
            return True
        return top >= 0 and model.cached_row(top) is not None

    marks: dict[str, float] = {}
    tab.people_refreshed.connect(lambda: marks.setdefault("counted", time.perf_counter()))
    full_gc = FullCollections()
    ui_cpu = UiCpu()

    def timed(start: Callable[[], None]) -> Callable[[], None]:
        def begin() -> None:
            marks.clear()
            full_gc.take()
            ui_cpu.take()
            marks["began"] = time.perf_counter()
            start()
        return begin

    def rows_and_count() -> bool:
        if "rows" not in marks and model.rowCount() > 0 and shown() and not tab._search_timer.isActive():
            marks["rows"] = time.perf_counter()
        return "counted" in marks and not tab._search_timer.isActive() and shown() and idle()

    def when() -> str:
        began = marks.get("began", 0.0)
        rows = f"{marks['rows'] - began:.2f} s" if "rows" in marks else "-"
        counted = f"{marks['counted'] - began:.2f} s" if "counted" in marks else "-"
        return f"first rows {rows}, count {counted}; {model.rowCount():,} rows; {tab.summary.text()[-16:]!r}"

    def note(extra: Callable[[], str] | None = None) -> Callable[[], str]:
        return lambda: "; ".join(p for p in ((extra() if extra else ""), ui_cpu.take(), full_gc.take()) if p)

    d.measure("People tab", timed(lambda: ws.tabs.setCurrentWidget(tab)),
              lambda: model.rowCount() > 0 and shown() and idle(), timeout_s=300,
              note=note(lambda: f"{model.rowCount():,} rows"))
    d.measure("scroll to the middle", timed(lambda: bar.setValue(bar.maximum() // 2)), lambda: shown() and idle(),
              timeout_s=120, note=note())
    d.measure("scroll one page down", timed(lambda: bar.setValue(bar.value() + 200)), lambda: shown() and idle(),
              timeout_s=120, note=note())
    d.measure("scroll to the end", timed(lambda: bar.setValue(bar.maximum())), lambda: shown() and idle(),
              timeout_s=120, note=note())
    typist = Typist(tab.search, surname)
    d.measure(f"search by name (typed {surname!r})", timed(typist.start), lambda: typist.done() and rows_and_count(),
              timeout_s=600, note=note(when))
    d.measure("search by name: scroll to the end", timed(lambda: bar.setValue(bar.maximum())),
              lambda: shown() and idle(), timeout_s=600, note=note())
    for label, text in (("search by phone (pasted)", phone), ("search by e-mail (pasted)", email),
                        ("clear the search", "")):
        d.measure(label, timed(lambda t=text: tab.search.setText(t)), rows_and_count, timeout_s=600, note=note(when))
    channel = tab.channel
    d.measure("channel filter: SMS", timed(lambda: channel.setCurrentIndex(channel.findData("sms"))),
              rows_and_count, timeout_s=600, note=note(when))
    d.measure("channel filter: all", timed(lambda: channel.setCurrentIndex(channel.findData(""))),
              rows_and_count, timeout_s=600, note=note(when))
    d.measure("language zh-CN → en", timed(lambda: w.set_language("en")), lambda: shown() and idle(),
              timeout_s=300, note=note())
    d.measure("language en → zh-CN", timed(lambda: w.set_language("zh-CN")), lambda: shown() and idle(),
              timeout_s=300, note=note())
    full_gc.close()
    ui_cpu.timer.stop()
    w.runner.wait_all()
    ws.close()
    w.close()
    return d.results


def people_child(phase: str, db_path: Path, big_id: int, args: argparse.Namespace) -> dict[str, Any]:
    """A --people-db phase in a fresh process; its desktop settings go to a temporary folder."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
                   INCIDENT_APP_UI_SETTINGS=str(Path(tmp) / "ui.ini"))
        cmd = [sys.executable, __file__, "--phase", phase, "--db", str(db_path), "--big-id", str(big_id),
               "--settle", str(args.settle), "--idle", str(args.idle)]
        done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main_people(args: argparse.Namespace) -> int:
    db_path = args.people_db.resolve()
    big_id, people = biggest_incident(db_path)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        incidents = int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])
    print(f"register: {incidents:,} incidents in {db_path.name}, incident #{big_id} with {people:,} people"
          f" (machine shared: numbers are noisy)")
    base = people_child("baseline", db_path, big_id, args)
    gui = people_child("people", db_path, big_id, args)
    print_table([base["idle"], *gui["results"]])
    stalls = sum(r["over_100ms"] for r in gui["results"])
    print(f"total stalls over {STALL_MS} ms: {stalls}; peak RSS of the GUI child {gui['peak_mb']:.0f} MB")
    return 0


# -- the parent: children per phase, then the table ------------------------------------------
def child(phase: str, args: argparse.Namespace, db_path: Path, extra: dict[str, Any]) -> dict[str, Any]:
    # The window's desktop settings (recent files, geometry) go to a throwaway file, never the user's.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               INCIDENT_APP_UI_SETTINGS=str(db_path.with_suffix(".ui.ini")))
    cmd = [sys.executable, __file__, "--phase", phase, "--db", str(db_path), "--incidents", str(args.incidents),
           "--people", str(args.people), "--seed", str(args.seed), "--big-id", str(extra.get("big_id", 0)),
           "--settle", str(args.settle), "--idle", str(args.idle), *(["--quick"] if args.quick else [])]
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)  # progress on stderr
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'action':<42} {'wall s':>8} {'longest ms':>11} {'>100 ms':>8}  note")
    for r in results:
        flag = "" if r["done"] else "  (NOT DONE before the timeout)"
        print(f"{r['action']:<42} {r['wall_s']:>8.2f} {r['longest_ms']:>11} {r['over_100ms']:>8}  {r['note']}{flag}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--settle", type=float, default=0.3, help="seconds measured after each action is done")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of the idle baseline loop")
    parser.add_argument("--keep", action="store_true", help="keep the generated database (reused next run)")
    parser.add_argument("--quick", action="store_true",
                        help="start-up, metrics, live refreshes, search and language only (no sorts, export, scroll)")
    parser.add_argument("--people-db", type=Path, default=None,
                        help="drive the People tab on this existing database's biggest incident (give a copy)")
    parser.add_argument("--cold", action="store_true",
                        help="drop the cached assessment summaries and kept figures before the GUI phase")
    parser.add_argument("--phase", choices=("generate", "baseline", "gui", "people"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--big-id", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return run_phase(args)
    if args.people_db is not None:
        return main_people(args)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = args.workdir / f"register-{args.incidents}-{args.people}-{args.seed}.sqlite3"
    meta_path = db_path.with_suffix(".json")
    if not (db_path.exists() and meta_path.exists()):
        for stale in args.workdir.glob(db_path.stem + "*"):
            stale.unlink()
        meta = child("generate", args, db_path, {})
        meta_path.write_text(json.dumps(meta))
    meta = json.loads(meta_path.read_text())
    print(f"register: {meta['incidents']:,} incidents, big incident #{meta['big_id']} with {meta['people']:,} people"
          f" (machine shared: numbers are noisy)")
    base = child("baseline", args, db_path, meta)
    if args.cold:  # as after new rules or an upgrade: every summary and the kept figures computed again
        with sqlite3.connect(db_path) as conn:
            conn.executescript("DROP TABLE IF EXISTS assessment_cache; DROP TABLE IF EXISTS register_snapshot;")
    gui = child("gui", args, db_path, meta)
    print(f"baseline: one SQL query reads all {base['rows']:,} incident rows in {base['read_s'] * 1000:.0f} ms")
    print_table([base["idle"], *gui["results"]])
    stalls = sum(r["over_100ms"] for r in gui["results"])
    print(f"total stalls over {STALL_MS} ms: {stalls}; peak RSS of the GUI child {gui['peak_mb']:.0f} MB")
    if not args.keep:
        for path in args.workdir.glob(db_path.stem + "*"):
            path.unlink()
        meta_path.unlink(missing_ok=True)
        if args.workdir == DEFAULT_WORKDIR and not any(args.workdir.iterdir()):
            shutil.rmtree(args.workdir)
    return 0


def run_phase(args: argparse.Namespace) -> int:
    if args.phase == "generate":
        out: dict[str, Any] = generate(args.db, args.incidents, args.people, args.seed)
    elif args.phase == "baseline":
        out = baseline(args.db, args.idle)
    elif args.phase == "people":
        out = {"results": drive_people(args.db, args.big_id, args.settle)}
    else:
        out = {"results": drive(args.db, args.big_id, args.settle, args.quick)}
    out["peak_mb"] = peak_mb()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
