"""Register filters (status, grade, drill, text) and the export button's hook."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.incident import IncidentStatus
from incident_app.services.register.view import RegisterRow
from incident_app.ui.register.export import format_for
from incident_app.ui.register.filters import UNGRADED
from tests.ui.helpers import demo_window, make_window

NOW = parse_time("2026-11-20T12:00:00+08:00")


def row(n: int, status: IncidentStatus, grade: str | None, drill: bool) -> RegisterRow:
    return RegisterRow(n, f"事件 {n}", status, NOW, n * 10, grade, NOW + timedelta(hours=n), "", drill)


ROWS = [row(1, IncidentStatus.REPORTED, None, False), row(2, IncidentStatus.CLOSED, "较大", False),
        row(3, IncidentStatus.REPORTED, "一般", True)]


def shown_ids(window) -> list[int]:  # type: ignore[no-untyped-def]
    proxy = window.proxy
    return sorted(proxy.index(r, 0).data() and int(proxy.index(r, 0).data()) for r in range(proxy.rowCount()))


def test_filters_combine(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window._on_rows_loaded(ROWS)
    bar = window.filters
    assert shown_ids(window) == [1, 2, 3]
    bar.status.setCurrentIndex(bar.status.findData("reported"))
    assert shown_ids(window) == [1, 3]
    bar.drill.setCurrentIndex(bar.drill.findData("real"))
    assert shown_ids(window) == [1]
    bar.status.setCurrentIndex(0)
    bar.grade.setCurrentIndex(bar.grade.findData("较大"))
    assert shown_ids(window) == [2]
    bar.grade.setCurrentIndex(bar.grade.findData(UNGRADED))
    assert shown_ids(window) == [1]
    bar.grade.setCurrentIndex(0)
    bar.drill.setCurrentIndex(bar.drill.findData("drill"))
    assert shown_ids(window) == [3]
    bar.drill.setCurrentIndex(0)
    bar.search.setText("事件 2")
    qtbot.waitUntil(lambda: not bar.search_pending())
    assert shown_ids(window) == [2]
    assert bar.count.text() == "显示 1 / 共 3 起"


def test_export_format_follows_suffix_then_filter(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    assert window.act_export.isEnabled()
    assert format_for("/tmp/r.xlsx", "CSV (*.csv)") == "xlsx"
    assert format_for("/tmp/r", "JSON (*.json)") == "json"


def test_metrics_panel_sits_beside_the_register(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.load_demo()
    assert window.metrics.isVisibleTo(window.register_page)
    assert window.metrics.metrics is not None
    assert window.metrics.metrics.incidents == 1


def test_a_grade_waiting_for_judgement_is_in_the_readers_words_and_passes_its_grade_filter(
        qtbot: QtBot, tmp_path: Path) -> None:
    # The demo incident involves minors: its grade 一般 waits for the officer's judgement (⚠).
    window = demo_window(qtbot, tmp_path / "db.sqlite3", "en")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and window.model.record(0).assessed)
    grade = window.model.index(0, window.model.COL_GRADE).data()
    assert grade == "General (一般) ⚠"  # not the stored code '一般 ⚠' in the English window
    # The next deadline's regime in words (the brief's internal target, *), not the code POLICY*.
    assert window.model.index(0, window.model.COL_DEADLINE).data().startswith("Company privacy policy* ")
    window.set_language("zh-CN")
    assert window.model.index(0, window.model.COL_DEADLINE).data().startswith("本公司隐私政策* ")
    window.set_language("en")
    bar = window.filters
    bar.grade.setCurrentIndex(bar.grade.findData("一般"))
    assert shown_ids(window) == [1]  # a grade still to be judged is still that grade
    bar.grade.setCurrentIndex(bar.grade.findData(UNGRADED))
    assert shown_ids(window) == []
