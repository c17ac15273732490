"""The People tab runs no SQL on the UI thread: every statement of its actions (open, scroll,
page change, search by name / phone / e-mail, clear, a filter, a language switch) is traced to the
thread that ran it (sqlite3's trace callback on every connection the services open), and the
test fails when the UI thread ran one. A real JobRunner (worker threads), offscreen."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.people.model import PAGE_SIZE
from incident_app.ui.people.tab import PeopleTab

INTAKE = {"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-18T08:00:00+08:00"}
ROWS = 1_500


class SqlTrace:
    """(thread id, statement) of every statement run on the connections ``hook`` opened (the
    ident, not threading.current_thread(): that would leave a dummy Thread per pool thread)."""

    def __init__(self) -> None:
        self.statements: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    def hook(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), check_same_thread=True, timeout=10)
        conn.set_trace_callback(self._traced)
        return conn

    def _traced(self, statement: str) -> None:
        with self._lock:
            self.statements.append((threading.get_ident(), statement))

    def on_ui_thread(self) -> list[str]:
        main = threading.main_thread().ident
        with self._lock:
            return [s for ident, s in self.statements if ident == main]

    def count(self) -> int:
        with self._lock:
            return len(self.statements)


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    incident_id = services.incidents.create(INTAKE).id
    csv = tmp_path / "people.csv"
    lines = [f"U{i:05d},{'王李张'[i % 3]}{i},user{i}@example.com,138{i:08d}" for i in range(ROWS)]
    csv.write_text("用户ID,姓名,邮箱,手机号\n" + "\n".join(lines) + "\n", encoding="utf-8")
    services.people.import_file(incident_id, csv)
    services.close()
    return path, incident_id


def test_the_people_tab_runs_no_sql_on_the_ui_thread(qtbot: QtBot, db: tuple[Path, int]) -> None:
    path, incident_id = db
    trace = SqlTrace()
    runner = JobRunner(services_factory(path, connect_hook=trace.hook))
    tab = PeopleTab(runner, Translator(load_messages(), "zh-CN"), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1100, 600)
    tab.show()
    model, bar = tab.model, tab.table.verticalScrollBar()

    def settle() -> None:
        qtbot.waitUntil(lambda: runner.active_count() == 0 and not tab._search_timer.isActive(), timeout=20_000)
        qtbot.wait(30)
        qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=20_000)

    def first_row_loaded() -> bool:
        top = tab.table.rowAt(0)
        return top >= 0 and model.cached_row(top) is not None

    tab.refresh()  # open
    settle()
    qtbot.waitUntil(lambda: model.rowCount() == ROWS and first_row_loaded(), timeout=20_000)
    bar.setValue(bar.maximum() // 2)  # scroll: another page
    settle()
    tab.table.scrollTo(model.index(PAGE_SIZE + 5, 0))  # the page after the first (keyset)
    settle()
    bar.setValue(bar.maximum())  # to the end
    settle()
    for text in ("张", "+86 138 0000 0042", "USER7@example.com", "U0001", ""):  # name, phone, e-mail, id, clear
        tab.search.setText(text)
        settle()
        qtbot.waitUntil(lambda: tab.model.rowCount() == 0 or first_row_loaded(), timeout=20_000)
    tab.channel.setCurrentIndex(tab.channel.findData("email"))  # a filter
    settle()
    tab.set_translator(Translator(load_messages(), "en"))  # a language switch
    settle()
    runner.wait_all()
    assert trace.count() > 20, "the trace saw the workers' statements"
    assert trace.on_ui_thread() == []
    tab.close()


def test_the_trace_sees_sql_on_the_ui_thread(db: tuple[Path, int]) -> None:
    """The check above can fail: a read made on the UI thread is caught."""
    path, incident_id = db
    trace = SqlTrace()
    services = services_factory(path, connect_hook=trace.hook)()
    try:
        services.people.summary(incident_id)
    finally:
        services.close()
    assert any("people_stats" in s for s in trace.on_ui_thread())
