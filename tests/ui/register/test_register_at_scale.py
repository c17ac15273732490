"""The register at 10,000 incidents: sorting and filtering over every row on precomputed keys,
the selection kept, Ctrl+End to the real last row, countdowns repainted only where visible, the
columns sized from a sample, and assessment requests one batch at a time for what is in view."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.services.register.view import RegisterRow
from incident_app.services.resources import load_messages
from incident_app.ui.register.model import BATCH, PENDING_TEXT, RegisterModel, grade_rank
from incident_app.ui.register.table import SAMPLE_ROWS
from tests.ui.helpers import make_window

NOW = parse_time("2026-11-20T12:00:00+08:00")
N = 10_000
GRADES = (None, "一般", "较大", "重大", "特别重大", "较大 ⚠")


def rows(count: int = N, *, assessed: bool = True, seed: int = 7) -> list[RegisterRow]:
    """Newest first, as register_rows gives them; people and deadlines with many ties."""
    rnd = random.Random(seed)
    out = []
    for n in range(count, 0, -1):
        deadline = None if rnd.random() < 0.2 else NOW + timedelta(hours=rnd.randint(-50, 50))
        out.append(RegisterRow(n, f"事件 {n}", rnd.choice(list(IncidentStatus)), NOW - timedelta(minutes=n),
                               rnd.choice((10, 200, 5_000, 1_000_000)), rnd.choice(GRADES) if assessed else None,
                               deadline if assessed else None, "CAC", n % 17 == 0, assessed=assessed))
    return out


def shown(window: Any) -> list[RegisterRow]:
    return [window.model.record(n) for n in range(window.model.shown_rows())]


def window_with(qtbot: QtBot, tmp_path: Path, data: list[RegisterRow]) -> Any:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window._on_rows_loaded(data)
    return window


@pytest.mark.parametrize(("column", "key"), [
    (RegisterModel.COL_PEOPLE, lambda r: r.affected_people),
    (RegisterModel.COL_DEADLINE, lambda r: r.next_deadline.timestamp() if r.next_deadline else float("inf")),
    (RegisterModel.COL_GRADE, lambda r: grade_rank(r.grade)),
    (RegisterModel.COL_ID, lambda r: r.id),
])
def test_sorting_every_row_follows_the_key_with_ties_in_register_order(
        qtbot: QtBot, tmp_path: Path, column: int, key: Any) -> None:
    data = rows()
    window = window_with(qtbot, tmp_path, data)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        window.table.sortByColumn(column, order)
        expected = sorted(data, key=key, reverse=order == Qt.SortOrder.DescendingOrder)  # stable
        assert [r.id for r in shown(window)] == [r.id for r in expected]
        assert window.model.rowCount() == BATCH  # still fetched lazily, in the new order


def test_sorting_does_not_call_data_per_comparison(qtbot: QtBot, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    window = window_with(qtbot, tmp_path, rows())
    calls = count_data_calls(monkeypatch)
    window.table.sortByColumn(RegisterModel.COL_PEOPLE, Qt.SortOrder.DescendingOrder)
    window.filters.search.setText("事件 1")
    qtbot.waitUntil(lambda: not window.filters.search_pending())
    window.filters.search.clear()
    assert calls["n"] < 2_000  # the proxy's way: 250,000+


def test_search_and_clear_restore_the_rows_and_the_selection(qtbot: QtBot, tmp_path: Path) -> None:
    window = window_with(qtbot, tmp_path, rows())
    window.table.selectRow(5)
    chosen = window.selected_row()
    assert chosen is not None and chosen.id == N - 5
    window.filters.search.setText("事件 77")
    qtbot.waitUntil(lambda: not window.filters.search_pending())
    assert all("事件 77" in r.title for r in shown(window))
    assert window.model.shown_rows() == 111  # 77, 770-779, 7700-7799 — over every row, not the fetched 200
    window.filters.search.clear()
    assert window.model.shown_rows() == N and [r.id for r in shown(window)] == list(range(N, 0, -1))
    assert window.selected_row() == chosen
    assert window.filters.count.text() == f"显示 {N} / 共 {N} 起"
    bar = window.filters
    bar.status.setCurrentIndex(bar.status.findData("closed"))
    assert {r.status for r in shown(window)} == {IncidentStatus.CLOSED}
    bar.status.setCurrentIndex(0)
    assert window.selected_row() == chosen


def test_selection_follows_its_row_through_a_sort(qtbot: QtBot, tmp_path: Path) -> None:
    window = window_with(qtbot, tmp_path, rows())
    window.table.selectRow(3)
    chosen = window.selected_row()
    window.table.sortByColumn(RegisterModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert window.selected_row() == chosen  # fetched as far as its new place


def test_ctrl_end_sorted_by_people_reaches_the_last_row(qtbot: QtBot, tmp_path: Path) -> None:
    data = rows()
    window = window_with(qtbot, tmp_path, data)
    window.show()
    window.table.sortByColumn(RegisterModel.COL_PEOPLE, Qt.SortOrder.DescendingOrder)
    table = window.table
    table.setCurrentIndex(table.model().index(0, 0))
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == N - 1
    last = window.proxy.data(table.currentIndex(), Qt.ItemDataRole.UserRole + 1)
    smallest = sorted(data, key=lambda r: r.affected_people, reverse=True)[-1]
    assert last == window.model.record(N - 1) == smallest


def test_countdown_tick_repaints_only_the_visible_rows(qtbot: QtBot, tmp_path: Path) -> None:
    window = window_with(qtbot, tmp_path, rows())
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    window.model.fetchMore(QModelIndex())  # 400 rows fetched, about 20 in view
    ranges: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(lambda a, b, _r=None: ranges.append((a.row(), b.row(), a.column(), b.column())))
    window.ticker.timeout.emit()
    first, last = window.table.visible_rows()
    assert 0 <= first < last < 60
    assert ranges == [(first, last, RegisterModel.COL_DEADLINE, RegisterModel.COL_DEADLINE)]
    window.table.verticalScrollBar().setValue(200)
    ranges.clear()
    window.ticker.timeout.emit()
    first, last = window.table.visible_rows()
    assert first > 100 and ranges == [(first, last, RegisterModel.COL_DEADLINE, RegisterModel.COL_DEADLINE)]


def count_data_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"n": 0}
    original = RegisterModel.data

    def counted(self: RegisterModel, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        calls["n"] += 1
        return original(self, index, role)

    monkeypatch.setattr(RegisterModel, "data", counted)
    return calls


def test_columns_are_sized_from_a_sample_not_every_row(qtbot: QtBot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    calls = count_data_calls(monkeypatch)
    window._on_rows_loaded(rows())
    window.model.fetch_all()  # every row in the view: ResizeToContents would now read 1,000 per column
    assert calls["n"] <= SAMPLE_ROWS * 7 * 2
    header = window.table.horizontalHeader()
    assert header.sectionSize(RegisterModel.COL_DEADLINE) > 40
    assert header.sectionResizeMode(RegisterModel.COL_PEOPLE) != header.ResizeMode.ResizeToContents


def test_assessment_one_batch_at_a_time_and_only_for_rows_in_view() -> None:
    asked: list[list[int]] = []
    model = RegisterModel(Translator(load_messages(), "zh-CN"), request_details=lambda _g, ids: asked.append(ids))
    model.sort(RegisterModel.COL_ID, Qt.SortOrder.DescendingOrder)
    model.set_rows(rows(2_000, assessed=False))
    assert len(asked) == 1 and asked[0][0] == 2_000
    model.set_visible(0, 20)
    for _ in range(9):
        model.fetchMore(QModelIndex())  # dragged to the bottom while the first batch is assessed
    assert len(asked) == 1  # one in flight; the others wait
    model.set_visible(1_980, 1_999)
    model.details_loaded(1, {})
    assert len(asked) == 2 and asked[1][0] == 200  # the batch in view, not the ones scrolled past
    model.details_loaded(1, {})
    assert len(asked) == 2  # the batches scrolled past are not assessed …
    model.set_visible(1_000, 1_020)
    assert len(asked) == 3 and asked[2][0] == 1_000  # … until they come back into view


def test_sort_by_grade_assesses_every_row_then_sorts_them(qtbot: QtBot) -> None:
    data = rows(600, assessed=False)
    assessed = {r.id: replace(r, grade=GRADES[r.id % len(GRADES)], assessed=True) for r in data}
    model = RegisterModel(Translator(load_messages(), "zh-CN"))
    model.set_rows(data)
    model._request_details = lambda g, ids: model.details_loaded(g, {i: assessed[i] for i in ids})  # a sync runner
    model.sort(RegisterModel.COL_GRADE, Qt.SortOrder.DescendingOrder)
    order = [model.record(n) for n in range(model.shown_rows())]
    assert all(r.assessed for r in order)
    assert [r.id for r in order] == [r.id for r in sorted(assessed.values(), key=lambda r: grade_rank(r.grade),
                                                           reverse=True)]
    assert model.index(0, RegisterModel.COL_GRADE).data() != PENDING_TEXT


def test_grade_filter_over_every_row_shows_them_once_assessed() -> None:
    data = rows(900, assessed=False)
    assessed = {r.id: replace(r, grade=GRADES[r.id % len(GRADES)], assessed=True) for r in data}
    model = RegisterModel(Translator(load_messages(), "zh-CN"))
    model.set_rows(data)
    model._request_details = lambda g, ids: model.details_loaded(g, {i: assessed[i] for i in ids})
    model.set_filters(grade="重大")
    expected = [r.id for r in assessed.values() if r.grade == "重大"]
    assert len(expected) == 150 and [model.record(n).id for n in range(model.shown_rows())] == expected


def test_rows_scrolled_to_are_assessed_once_scrolling_settles(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    asked: list[list[int]] = []
    window.model._request_details = lambda g, ids: (asked.append(ids), window.model.details_failed(g))
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    window._on_rows_loaded(rows(3_000, assessed=False))
    window.model.fetch_all()
    qtbot.waitUntil(lambda: window.table.verticalScrollBar().maximum() > 2_000)  # laid out
    qtbot.wait(200)
    asked.clear()
    window.table.scrollTo(window.proxy.index(1_500, 0), window.table.ScrollHint.PositionAtTop)
    assert window._visible_timer.interval() < 200
    qtbot.waitUntil(lambda: bool(asked), timeout=2_000)
    first, last = window.table.visible_rows()
    in_view = {window.model.record(n).id for n in range(first, last + 1)}
    assert first == 1_500 and in_view <= set(asked[0]) and len(asked[0]) == BATCH
    assert len(asked) == 1  # the rows scrolled past are not assessed


def test_a_cleared_selection_is_not_brought_back(qtbot: QtBot, tmp_path: Path) -> None:
    window = window_with(qtbot, tmp_path, rows(1_000))
    window.table.selectRow(2)
    window.table.selectionModel().clear()
    window.table.sortByColumn(RegisterModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert window.selected_row() is None
    assert window.model.rowCount() == BATCH  # nothing fetched far down to reach an old selection
