"""Sorting the register by grade or deadline reads the cached assessment summaries and gets the
rest from the helper process in ONE request (real SQLite file, real helper process); a cached
summary made stale by a change from another connection is never shown; and the model's data()
fast path gives the same texts and brushes as the formatting it replaced."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import SHANGHAI, humanize_delta, utc_now
from incident_app.domain.decisions import CAC_LEVELS
from incident_app.domain.i18n import Translator
from incident_app.services.container import open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.register.view import register_details
from incident_app.services.resources import load_messages
from incident_app.ui.register.model import BATCH, PENDING_TEXT, RegisterModel, grade_rank
from tests.register_helpers import count_helper_jobs
from tests.ui.helpers import make_window
from tests.ui.register.test_register_at_scale import rows

COUNT = BATCH + 60


def _register(db: Path) -> list[int]:
    services = open_services(db)
    facts = services.incidents.validate_intake(demo_intake(services))
    with services.ctx.store.transaction():
        ids = [services.ctx.store.incidents.add(facts, now=services.ctx.now()).id for _ in range(COUNT)]
    register_details(services, ids)  # every summary cached (what a metrics run leaves behind)
    services.close()
    return ids


def _tamper(db: Path, incident_id: int, grade: str) -> None:
    """Overwrite a cached summary's grade, its input key kept: shown only if the cache is read."""
    with sqlite3.connect(db) as conn:
        text = conn.execute("SELECT summary FROM assessment_cache WHERE incident_id = ?", (incident_id,)).fetchone()[0]
        summary = json.loads(text) | {"grade": grade, "needs_judgement": False}
        conn.execute("UPDATE assessment_cache SET summary = ? WHERE incident_id = ?",
                     (json.dumps(summary, ensure_ascii=False), incident_id))


def test_grade_sort_reads_the_cache_in_one_helper_request_and_never_a_stale_row(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.sqlite3"
    ids = _register(db)
    kept, changed = ids[0], ids[1]  # the oldest: beyond the first screen, so the sort asks for them
    marker = CAC_LEVELS[-1]  # 特别重大: neither the demo incident's grade nor the changed one's
    _tamper(db, kept, marker)
    _tamper(db, changed, marker)
    with closing(open_services(db)) as other:  # another connection changes one incident: its key moves on
        other.incidents.update_facts(changed, {"affected_people": 30_000_000, "affected_records": 30_000_000})
    jobs = count_helper_jobs(monkeypatch)
    window = make_window(qtbot, db)
    asked: list[list[int]] = []
    request = window.model._request_details
    window.model._request_details = lambda g, batch: (asked.append(batch), request(g, batch))
    window.refresh()
    # The first screen's rows come with their fresh cached grades (no helper request for them);
    # every other row comes from the helper, bare.
    assert asked == [] and jobs.count("detail_wires") == 0 and jobs.count("row_wires") == 1
    assert all(window.model.record(n).assessed for n in range(BATCH))
    asked.clear()
    jobs.clear()
    window.table.sortByColumn(RegisterModel.COL_GRADE, Qt.SortOrder.DescendingOrder)
    assert [len(b) for b in asked] == [COUNT - BATCH]  # every missing row in one job …
    assert jobs == ["detail_wires"]  # … and one helper request (not a batch per 200 rows)
    order = [window.model.record(n) for n in range(window.model.shown_rows())]
    assert all(r.assessed for r in order)
    assert [grade_rank(r.grade) for r in order] == sorted((grade_rank(r.grade) for r in order), reverse=True)
    by_id = {r.id: r for r in order}
    assert by_id[kept].grade == marker  # read from the cache, not assessed again
    with closing(open_services(db)) as other:
        fresh = register_details(other, [changed])[changed].grade
    assert by_id[changed].grade == fresh != marker  # its stale cached row was not used
    assert window.model.index(0, RegisterModel.COL_GRADE).data() != PENDING_TEXT
    jobs.clear()
    asked.clear()
    window.on_data_changed()  # a live refresh with nothing changed: nothing read again
    assert jobs == [] and asked == []
    with closing(open_services(db)) as other:
        other.incidents.update_facts(kept, {"affected_people": 40_000_000, "affected_records": 40_000_000})
    window.on_data_changed()  # still sorted by grade: only the changed incident is asked for, in one request
    assert jobs.count("detail_wires") == 1 and asked == [[kept]] and "row_wires" not in jobs
    assert all(window.model.record(n).assessed for n in range(window.model.shown_rows()))


def _expected(tr: Translator, row: Any, column: int) -> Any:
    """The cell texts as the model formatted them per call before its fast path."""
    if column == RegisterModel.COL_DEADLINE:
        if row.next_deadline is None:
            return tr.t("common.none")
        delta = row.next_deadline - utc_now()
        left = (tr.t("overview.clock.overdue", delta=humanize_delta(-delta)) if delta.total_seconds() < 0
                else humanize_delta(delta))
        return f"{row.next_deadline_label} {left}".strip()
    grade = tr.word("grade.name", row.grade) if row.grade else tr.t("common.none")
    return (str(row.id), row.title, tr.t(f"status.{row.status.value}"),
            row.discovered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), f"{row.affected_people:,}",
            grade)[column]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_data_fast_path_gives_the_texts_and_brushes_of_before(qtbot: QtBot, lang: str) -> None:
    tr = Translator(load_messages(), lang)
    data = rows(300)
    now = utc_now()
    data[0] = data[0].__class__(**{**data[0].__dict__, "next_deadline": now + timedelta(minutes=20)})  # urgent
    data[1] = data[1].__class__(**{**data[1].__dict__, "next_deadline": now - timedelta(hours=3)})  # overdue
    model = RegisterModel(Translator(load_messages(), "zh-CN"))
    model.set_rows(data)
    model.set_translator(tr)  # the cached texts follow the language
    for n in range(BATCH):
        row = model.record(n)
        for column in range(model.columnCount()):
            index = model.index(n, column)
            assert index.data() == _expected(tr, row, column), (n, column)
            brush = index.data(Qt.ItemDataRole.ForegroundRole)
            urgent = (column == RegisterModel.COL_DEADLINE and row.next_deadline is not None
                      and (row.next_deadline - utc_now()).total_seconds() < 3600)
            assert (isinstance(brush, QBrush) and brush.color().name() == "#b3261e") if urgent else brush is None
    assert model.index(0, RegisterModel.COL_GRADE).data(Qt.ItemDataRole.ToolTipRole) is None


def test_the_countdown_text_moves_on_at_each_tick() -> None:
    data = rows(10)
    data[0] = data[0].__class__(**{**data[0].__dict__, "next_deadline": utc_now() + timedelta(hours=5)})
    model = RegisterModel(Translator(load_messages(), "en"))
    model.set_rows(data)
    index = model.index(0, RegisterModel.COL_DEADLINE)
    first = index.data()
    model._all[model._order[0]] = data[0].__class__(
        **{**data[0].__dict__, "next_deadline": utc_now() + timedelta(hours=2)})  # as if 3 h had passed
    assert index.data() == first  # cached between ticks: no formatting per paint
    model.refresh_countdowns(0, 5)
    assert first.startswith("CAC 4h") and index.data().startswith("CAC 1h")
