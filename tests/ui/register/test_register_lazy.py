"""The register shows rows before their assessment: grade and next deadline arrive per batch of
fetched rows, from a worker, and only for the rows the view has fetched."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.register.view import RegisterRow
from incident_app.services.resources import load_messages
from incident_app.ui.register.filters import accepts
from incident_app.ui.register.model import BATCH, PENDING_TEXT, RecordRole, RegisterModel
from tests.ui.helpers import make_window

NOW = parse_time("2026-11-20T12:00:00+08:00")


def bare(n: int) -> RegisterRow:
    return RegisterRow(n, f"事件 {n}", IncidentStatus.REPORTED, NOW, 10, None, None, "", False, assessed=False)


def test_model_asks_for_each_fetched_batch_and_fills_rows_in(qtbot: QtBot) -> None:
    asked: list[tuple[int, list[int]]] = []
    model = RegisterModel(Translator(load_messages(), "zh-CN"), request_details=lambda g, ids: asked.append((g, ids)))
    model.set_rows([bare(n) for n in range(450, 0, -1)])
    assert [(g, len(ids), ids[0]) for g, ids in asked] == [(1, BATCH, 450)]
    assert model.index(0, RegisterModel.COL_GRADE).data() == PENDING_TEXT
    with qtbot.waitSignal(model.dataChanged):
        model.details_loaded(1, {450: replace(bare(450), grade="较大", assessed=True)})
    assert model.index(0, RegisterModel.COL_GRADE).data() == "较大"
    model.details_loaded(0, {449: replace(bare(449), grade="重大", assessed=True)})  # a reload made it stale
    assert model.index(1, RegisterModel.COL_GRADE).data() == PENDING_TEXT
    model.fetchMore(QModelIndex())
    assert [(g, len(ids), ids[0]) for g, ids in asked[1:]] == [(1, BATCH, 250)]
    assert model.rowCount() == 2 * BATCH and len(asked) == 2  # rows beyond what is fetched are never assessed


def test_grade_filter_waits_for_the_grade() -> None:
    row = bare(1)
    assert not accepts(row, "", "较大", "all", "")
    assert accepts(replace(row, grade="较大", assessed=True), "", "较大", "all", "")
    assert accepts(row, "", "", "all", "")  # no grade filter: shown at once


def test_main_window_assesses_only_the_fetched_rows(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    facts = services.incidents.validate_intake(demo_intake(services))
    with services.ctx.store.transaction():
        for _ in range(BATCH + 30):
            services.ctx.store.incidents.add(facts, now=services.ctx.now())
    services.close()
    window = make_window(qtbot, db)
    window.refresh()
    rows = [window.model.record(n) for n in range(window.model.total_rows())]
    assert window.model.index(0, 0).data(RecordRole) == rows[0]
    assert [r.assessed for r in rows].count(True) == BATCH  # synchronous jobs: the first batch is in
    assert rows[0].grade and rows[0].next_deadline is not None and not rows[-1].assessed
    window.model.fetchMore(QModelIndex())
    assert window.model.record(BATCH + 29).assessed
