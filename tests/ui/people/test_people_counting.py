"""A search whose count scans (part of a name) shows its first rows before the count: the summary
says "counting…", the table grows page by page as the officer scrolls, and the count, once in,
gives the table every match. Everyone and a channel alone are counted from the kept counters
(no scan). The jobs run on a runner that holds them until the test lets each go, in order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobHandle, SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.progress import Progress
from incident_app.services.resources import load_messages
from incident_app.ui.common.style import apply_look
from incident_app.ui.people.model import PAGE_SIZE, PeopleModel, PersonRole
from incident_app.ui.people.tab import PeopleTab

INTAKE = {"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-18T08:00:00+08:00"}
ROWS = 1_000  # 张 is every second person: 500 matches, three pages


class HeldRunner(SyncJobRunner):
    """SyncJobRunner whose jobs wait in a queue until :meth:`run_next` (the order stays theirs)."""

    def __init__(self, factory: Any) -> None:
        super().__init__(factory)
        self.held: list[Callable[[], None]] = []

    def run(self, fn: Any, **callbacks: Any) -> JobHandle:
        handle = JobHandle(Progress(), threading.Event())
        self.held.append(lambda: SyncJobRunner.run(self, fn, **callbacks))
        return handle

    def run_next(self) -> None:
        self.held.pop(0)()

    def run_all(self) -> None:
        while self.held:
            self.run_next()


def make(qtbot: QtBot, tmp_path: Path, rows: int = ROWS) -> tuple[PeopleTab, HeldRunner]:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident_id = services.incidents.create(INTAKE).id
    path = tmp_path / "people.csv"
    lines = [f"U{i:04d},{'张王'[i % 2]}{i},{f'user{i}@example.com' if i % 5 else ''},138{i:08d}" for i in range(rows)]
    path.write_text("用户ID,姓名,邮箱,手机号\n" + "\n".join(lines) + "\n", encoding="utf-8")
    services.people.import_file(incident_id, path)
    services.close()
    runner = HeldRunner(services_factory(db))
    tab = PeopleTab(runner, Translator(load_messages(), "zh-CN"), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1100, 600)
    tab.refresh()
    runner.run_all()
    return tab, runner


def test_a_name_search_shows_rows_while_it_counts(qtbot: QtBot, tmp_path: Path) -> None:
    tab, runner = make(qtbot, tmp_path)
    model = tab.model
    assert model.rowCount() == ROWS and not model.counting
    tab.search.setText("张")
    tab.refresh()  # what the search timer does when the keys pause
    runner.run_next()  # the counters and the purge state: this search has no quick count
    assert "正在计数…" in tab.summary.text() and model.counting and model.rowCount() == 0
    assert len(runner.held) == 2  # the first page, and the count beside it
    runner.run_next()  # the first page arrives before the count
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore(model.index(-1, -1).parent())
    assert model.data(model.index(0, PeopleModel.COL_NAME)) == "张*"
    assert model.data(model.index(0, 0), PersonRole).user_id == "U0000"
    model.fetchMore(model.index(-1, -1).parent())  # the view reached the end: the next page (keyset)
    assert len(runner.held) == 2
    runner.held.pop(1)()  # the page after the first, before the count
    assert model.rowCount() == 2 * PAGE_SIZE and "正在计数…" in tab.summary.text()
    assert model.data(model.index(PAGE_SIZE, 0), PersonRole).user_id == f"U{2 * PAGE_SIZE:04d}"
    with qtbot.waitSignal(tab.people_refreshed, timeout=1000):
        runner.run_next()  # the count: every match, the rows not fetched yet added
    assert model.rowCount() == ROWS // 2 and not model.counting
    assert "找到 500 人" in tab.summary.text()
    assert model.index(ROWS // 2 - 1, 0).data() == "…"  # the last page: asked for now
    runner.run_all()
    assert model.index(ROWS // 2 - 1, PeopleModel.COL_USER_ID).data() == "U0998"
    assert runner.held == []


def test_a_newer_search_drops_the_older_count(qtbot: QtBot, tmp_path: Path) -> None:
    tab, runner = make(qtbot, tmp_path)
    tab.search.setText("张")
    tab.refresh()
    runner.run_next()
    runner.run_next()  # its first page
    tab.search.setText("王1")
    tab.refresh()
    runner.run_all()  # the older count runs last of its own, but is not shown
    # 王 is every odd number: 王1, 王11…王19, 王101…王199
    assert not tab.model.counting and "找到 56 人" in tab.summary.text()
    assert tab.model.rowCount() == 56


def test_everyone_and_a_channel_are_counted_without_counting(qtbot: QtBot, tmp_path: Path) -> None:
    tab, runner = make(qtbot, tmp_path)
    tab.channel.setCurrentIndex(tab.channel.findData("sms"))
    runner.run_next()
    assert not tab.model.counting and "找到 200 人" in tab.summary.text()  # the e-mail-less fifth
    assert tab.model.rowCount() == 200 and runner.held == []


def test_a_cell_is_painted_from_one_multidata_call(qtbot: QtBot, tmp_path: Path) -> None:
    """multiData answers every role the delegate asks for at once: the prepared (masked) text,
    the person for PersonRole, nothing for the others; a row not loaded yet shows the placeholder."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    tab, runner = make(qtbot, tmp_path)
    model = tab.model
    placeholder = QModelRoleData(int(Qt.ItemDataRole.DisplayRole))
    model.multiData(model.index(2, PeopleModel.COL_PHONE), QModelRoleDataSpan(placeholder))
    assert placeholder.data() == "…"  # and its page is asked for
    runner.run_all()
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole, PersonRole]
    items = [QModelRoleData(int(r)) for r in roles]
    for item in items:
        item.setData("stale")  # whatever a caller's span held before
    for item in items:
        model.multiData(model.index(2, PeopleModel.COL_PHONE), QModelRoleDataSpan(item))
    shown, font, colour, person = (item.data() for item in items)
    assert shown == "138****0002" and font is None and colour is None and person.user_id == "U0002"
    assert shown == model.index(2, PeopleModel.COL_PHONE).data()


def test_the_row_numbers_are_as_wide_as_the_largest(qtbot: QtBot, tmp_path: Path) -> None:
    tab, _runner = make(qtbot, tmp_path)
    header = tab.table.verticalHeader()
    narrow = header.sizeHint().width()
    tab.model.reset(10_000_000)
    wide = header.sizeHint().width()
    assert wide > narrow and wide >= header.fontMetrics().horizontalAdvance("10000000")


def test_a_shorter_list_after_scrolling_to_the_end_measures_no_row_numbers(qtbot: QtBot, tmp_path: Path,
                                                                         request: pytest.FixtureRequest) -> None:
    """Qt's own header measures row numbers when the list is replaced while scrolled to the end
    (with the app's style sheet Qt painted every row number while the header's offset was past
    the new end: here 7,000 questions; on main, after a name search at ten million people, 1.4
    million — 197,582 numbers, seven roles each, 13 s of the UI thread). Now the table goes to
    its top first and the row-number header paints only what is in view."""
    tab, runner = make(qtbot, tmp_path, rows=5_000)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    apply_look(app)  # the app's style sheet: with it Qt's header painted every row number
    request.addfinalizer(lambda: app.setStyleSheet(before))
    model = tab.model
    calls = [0]
    plain = model.headerData

    def counted(section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        calls[0] += orientation == Qt.Orientation.Vertical
        return plain(section, orientation, role)

    model.headerData = counted  # type: ignore[method-assign]
    tab.show()
    bar = tab.table.verticalScrollBar()
    bar.setValue(bar.maximum())
    runner.run_all()
    qtbot.wait(20)
    calls[0] = 0
    tab.channel.setCurrentIndex(tab.channel.findData("sms"))  # counted at once: reset to 1,000 rows
    runner.run_all()
    qtbot.wait(50)
    runner.run_all()
    assert tab.model.rowCount() == 1_000
    assert 0 < calls[0] < 500
