"""The register's cheap paths at scale, on a real SQLite file: the first screen reads only its rows,
a live refresh reads only the incidents changed since the last load (bounded work, counted in
SQLite VM instructions, never timed), and the metrics kept from the last run are served while
every incident's input key and the clock say they hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from incident_app.services.container import Services, open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.register import metrics as register_metrics_module
from incident_app.services.register.export import kept_metrics, register_metrics
from incident_app.services.register.view import (
    register_changes,
    register_first_rows,
    register_load,
    register_rows,
)

COUNT = 1_000


def _fill(services: Services, count: int = COUNT) -> list[int]:
    facts = services.incidents.validate_intake(demo_intake(services))
    with services.ctx.store.transaction():
        return [services.ctx.store.incidents.add(facts, now=services.ctx.now()).id for _ in range(count)]


@contextmanager
def _counted(services: Services) -> Iterator[list[int]]:
    """SQLite VM instructions (in thousands) run inside the block."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    services.ctx.store.db.conn.set_progress_handler(count, 1000)
    try:
        yield steps
    finally:
        services.ctx.store.db.conn.set_progress_handler(None, 0)


def _steps(services: Services, call: Callable[[], Any]) -> int:
    with _counted(services) as steps:
        call()
    return steps[0]


def test_first_screen_reads_only_its_rows(tmp_path: Path) -> None:
    services = open_services(tmp_path / "db.sqlite3")
    ids = _fill(services)
    first = register_first_rows(services, 200)
    assert [r.id for r in first.rows] == sorted(ids, reverse=True)[:200]  # newest first, as every row
    assert first.rows == register_rows(services)[:200]
    every = _steps(services, lambda: register_rows(services))
    assert _steps(services, lambda: services.ctx.store.incidents.register_summaries(limit=200)) < every / 3
    first_at_1000 = _steps(services, lambda: register_first_rows(services, 200))
    _fill(services)  # twice the incidents: the first screen's work stays the same (it stops after its rows)
    assert _steps(services, lambda: register_first_rows(services, 200)) <= first_at_1000 + 2
    assert _steps(services, lambda: register_rows(services)) > 1.8 * every
    services.close()


def test_first_screen_rows_come_with_their_fresh_cached_grades(tmp_path: Path) -> None:
    services = open_services(tmp_path / "db.sqlite3")
    ids = _fill(services, 5)  # written by the storage layer: no summary stored with them
    from incident_app.services.register.view import register_details

    assessed = register_details(services, ids[-2:])  # the two newest assessed (their summaries cached)
    rows = {r.id: r for r in register_first_rows(services, 200).rows}
    assert rows[ids[-1]] == assessed[ids[-1]] and rows[ids[-2]] == assessed[ids[-2]]
    assert not rows[ids[0]].assessed  # never assessed: "…" until the helper answers
    services.incidents.update_facts(ids[-1], {"affected_people": 7_000_000, "affected_records": 7_000_000})
    changed = {r.id: r for r in register_first_rows(services, 200).rows}[ids[-1]]
    # The change kept its summary current (written through): the new grade, never the old one.
    assert changed == register_details(services, [ids[-1]])[ids[-1]] and changed.affected_people == 7_000_000
    services.close()


def test_a_live_refresh_reads_only_the_changed_incidents(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    ids = _fill(services)
    load = register_load(services)
    nothing = register_changes(services, load.seq)
    assert (nothing.rows, nothing.gone, nothing.reassess_all) == ([], [], False)

    other = open_services(db)  # another program changes one incident
    other.incidents.update_facts(ids[10], {"affected_people": 4_321_000, "affected_records": 4_321_000})
    other.close()
    every = _steps(services, lambda: register_load(services))
    with _counted(services) as steps:
        changes = register_changes(services, load.seq)
    assert [r.id for r in changes.rows] == [ids[10]] and changes.rows[0].affected_people == 4_321_000
    assert not changes.reassess_all and changes.gone == []
    assert steps[0] < every / 20  # the new events and one row, not 1,000 rows
    assert register_changes(services, changes.seq).rows == []  # seen once

    services.ctx.record("export.written", "register", "x", {})  # read by no assessment
    quiet = register_changes(services, changes.seq)
    assert quiet.rows == [] and not quiet.reassess_all
    services.ctx.record("profile.changed", "profile", "default", {})  # every assessment reads the profile
    assert register_changes(services, quiet.seq).reassess_all
    services.close()


def test_kept_metrics_are_served_while_nothing_changed_and_recomputed_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.sqlite3"
    clock = {"now": None}
    services = open_services(db)
    ids = _fill(services, 4)
    now = services.ctx.now()
    services.close()
    clock["now"] = now
    services = open_services(db, clock=lambda: clock["now"])
    assert kept_metrics(services) is None  # nothing kept before the first run
    first = register_metrics(services)
    kept = kept_metrics(services)
    assert kept is not None and kept.incidents == first.incidents and kept.as_of == now

    computed: list[int] = []
    real = register_metrics_module.metrics_from_parts
    monkeypatch.setattr(register_metrics_module, "metrics_from_parts",
                        lambda *a, **k: (computed.append(1), real(*a, **k))[1])
    assert register_metrics(services) == first and computed == []  # served as kept: nothing recomputed
    services.incidents.update_facts(ids[0], {"affected_people": 3_000_000, "affected_records": 3_000_000})
    register_metrics(services)
    assert computed == [1]  # one incident changed: the figures are computed again …
    register_metrics(services)
    assert computed == [1]  # … and kept again
    if first.changes_at is not None:  # a due time passing changes the figures without any record
        clock["now"] = first.changes_at + timedelta(seconds=1)
        register_metrics(services)
        assert computed == [1, 1]
    services.close()
