"""The register's start-up and live refresh on a real SQLite file: the first screen is shown (with
the cached grades) before the helper process has sent a single row; a live refresh replaces only
the changed incident's row and reads no other; typed search text is applied once the keys pause;
the metrics panel shows the last run's figures while the current ones are computed."""

from __future__ import annotations

import json
import os
import pickle
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.register import helper, view
from incident_app.services.register.export import register_metrics
from incident_app.services.register.view import register_details
from incident_app.ui.common.times import beijing_time
from incident_app.ui.register.model import BATCH, RegisterModel
from tests.register_helpers import count_helper_jobs
from tests.ui.helpers import make_window
from tests.ui.register.test_register_at_scale import rows

COUNT = BATCH + 30


def _register(db: Path, cached: int = 3) -> list[int]:
    """COUNT incidents; the ``cached`` newest have their summary cached."""
    services = open_services(db)
    facts = services.incidents.validate_intake(demo_intake(services))
    with services.ctx.store.transaction():
        ids = [services.ctx.store.incidents.add(facts, now=services.ctx.now()).id for _ in range(COUNT)]
    register_details(services, ids[-cached:])
    services.close()
    return ids


def test_the_first_screen_is_shown_before_the_helper_is_asked_anything(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.sqlite3"
    ids = _register(db)
    seen: list[dict[str, Any]] = []
    jobs: list[str] = []
    run = helper.POOL.run

    def first_ask(command: Any, request: bytes) -> Any:  # the window as it is when the helper is first asked
        if not seen:
            model = window.model
            seen.append({"rows": model.rowCount(), "page": window.stack.currentWidget() is window.register_page,
                         "assessed": [model.record(n).assessed for n in range(4)]})
        jobs.append(pickle.loads(request)["job"])
        return run(command, request)

    monkeypatch.setattr(helper.POOL, "run", first_ask)
    window = make_window(qtbot, db)
    window.refresh()
    # Painted from one short query, the newest rows' grades from the cache, before any helper request …
    assert seen == [{"rows": BATCH, "page": True, "assessed": [True, True, True, False]}]
    # … which then fills the others in view, computes the metrics and sends every row (one request each).
    assert sorted(jobs) == ["detail_wires", "metrics", "row_wires"]
    assert window.model.total_rows() == COUNT and [window.model.record(n).id for n in range(3)] == ids[:-4:-1]
    assert all(window.model.record(n).assessed for n in range(BATCH))  # every row's load kept the grades


def test_a_live_refresh_replaces_only_the_changed_row(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.sqlite3"
    ids = _register(db)
    window = make_window(qtbot, db)
    window.refresh()
    before = {window.model.record(n).id: window.model.record(n) for n in range(window.model.shown_rows())}
    built: list[int] = []
    bare = view._bare_row
    monkeypatch.setattr(view, "_bare_row", lambda s, imported: (built.append(s.id), bare(s, imported))[1])
    jobs = count_helper_jobs(monkeypatch)
    changed = ids[-2]  # on the first screen, assessed
    with closing(open_services(db)) as other:
        other.incidents.update_facts(changed, {"affected_people": 5_432_100, "affected_records": 5_432_100})
    window.on_data_changed()
    assert built == [changed]  # one row read, not COUNT
    assert "row_wires" not in jobs
    after = {window.model.record(n).id: window.model.record(n) for n in range(window.model.shown_rows())}
    assert set(after) == set(before)
    assert all(after[i] is before[i] for i in after if i != changed)  # untouched rows: the same objects
    assert after[changed].affected_people == 5_432_100 and after[changed].assessed  # asked again, answered
    assert window.model.index(1, RegisterModel.COL_PEOPLE).data() == "5,432,100"

    built.clear()
    jobs.clear()
    with closing(open_services(db)) as other:
        new = other.incidents.create(demo_intake(other)).id
    window.on_data_changed()
    assert built == [new] and window.model.record(0).id == new and window.model.total_rows() == COUNT + 1


def test_typed_search_is_applied_once_the_keys_pause(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window._on_rows_loaded(rows(2_000))
    passes: list[int] = []
    rearrange = window.model._rearrange
    window.model._rearrange = lambda *a: (passes.append(1), rearrange(*a))[1]  # type: ignore[method-assign]
    for key in "事件 12":  # five keys in a row (QTest.keyClicks types no Chinese)
        window.filters.search.insert(key)
    assert passes == [] and window.filters.search_pending()
    qtbot.waitUntil(lambda: not window.filters.search_pending())
    assert passes == [1]  # one pass over every row for the five keys
    assert window.model.shown_rows() == 111 and all("事件 12" in window.model.record(n).title for n in range(111))
    window.filters.search.clear()  # clearing is one action: at once
    assert passes == [1, 1] and window.model.shown_rows() == 2_000


def test_the_metrics_panel_shows_the_kept_figures_first(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    _register(db)
    with closing(open_services(db)) as services:
        register_metrics(services)  # the last run's figures, kept
    window = make_window(qtbot, db)
    shown: list[Any] = []
    window.metrics.kept_shown.connect(shown.append)
    noted: list[str] = []  # the kept figures' note, read while they are on screen
    window.metrics.kept_shown.connect(lambda _m: noted.append(window.metrics.status.text()))
    statuses: list[str] = []
    window.metrics.metrics_loaded.connect(lambda _m: statuses.append(window.metrics.status.text()))
    window.refresh()
    assert len(shown) == 1 and shown[0].incidents == COUNT  # shown before the current ones
    assert window.metrics.metrics is not None and window.metrics.metrics.incidents == COUNT
    assert statuses == [""]  # the "from <time>, updating" note is gone once they are in
    kept_at = beijing_time(shown[0].as_of)
    assert noted == [f"以下是 {kept_at}（北京时间）计算的数字，正在按当前记录更新…"]


def test_the_main_window_module_imports_no_screen_the_first_screen_does_not_show() -> None:
    # Every module imported before the first rows is start-up time: the workspace's tabs, the
    # wizard, the dialogs are imported when first opened.
    import subprocess
    import sys

    code = ("import json, sys, incident_app.ui.main_window as m; "
            "print(json.dumps(sorted({n.split('.')[2] for n in sys.modules if n.startswith('incident_app.ui.')})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout
    loaded = set(json.loads(out))
    assert not loaded & {"workspace", "intake", "settings", "help", "evidence", "retention", "notices", "people"}
