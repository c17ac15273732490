from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.people.person import Channel, Person
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.services.retention import purge_due, set_retention_days
from incident_app.ui.people.import_dialog import ImportDialog
from incident_app.ui.people.model import PAGE_SIZE, PeopleModel, PersonRole
from incident_app.ui.people.tab import PeopleTab

INTAKE = {"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-18T08:00:00+08:00"}


def make_db(tmp_path: Path, rows: int = 0) -> tuple[Path, int]:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident_id = services.incidents.create(INTAKE).id
    if rows:
        path = tmp_path / "people.csv"
        lines = [f"U{i},张{i},user{i}@example.com,138{i:08d}" for i in range(rows)]
        path.write_text("用户ID,姓名,邮箱,手机号\n" + "\n".join(lines) + "\n", encoding="utf-8")
        services.people.import_file(incident_id, path)
    services.close()
    return db, incident_id


def services_events_of(db: Path, incident_id: int) -> list[str]:
    services = open_services(db)
    try:
        return [e.type for e in services.audit.timeline(incident_id)]
    finally:
        services.close()


def translator(lang: str = "zh-CN") -> Translator:
    return Translator(load_messages(), lang)


def make_tab(qtbot: QtBot, db: Path, incident_id: int) -> PeopleTab:
    tab = PeopleTab(SyncJobRunner(services_factory(db)), translator(), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1100, 600)
    return tab


def test_empty_tab_says_how_to_import(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    assert tab.stack.currentWidget() is tab.empty
    assert "导入名单" in tab.empty.text()


def test_table_is_masked_and_unmasking_is_logged(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path, rows=450)
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    model = tab.model
    assert model.rowCount() == 450 and "共 450 人" in tab.summary.text()
    cell = model.index(0, PeopleModel.COL_NAME)
    assert (cell.data(), model.index(0, PeopleModel.COL_PHONE).data()) == ("张*", "138****0000")
    assert model.index(0, PeopleModel.COL_EMAIL).data() == "u***@example.com"
    tab.unmask_row(0, "the person asked us to confirm the data")
    assert (cell.data(), model.index(0, PeopleModel.COL_PHONE).data()) == ("张0", "+8613800000000")
    assert model.index(1, PeopleModel.COL_NAME).data() == "张*"  # only that person
    assert tab.status.text() == "已显示第 1 行人员的完整信息，并已记录到事件日志。"
    services = open_services(db)
    event = services.audit.timeline(incident_id)[0]
    services.close()
    assert (event.type, event.payload["what"], event.payload["reason"]) == (
        "personal_data.unmasked", "person", "the person asked us to confirm the data")
    assert services_events_of(db, incident_id).count("personal_data.unmasked") == 1  # one event, not two


def test_search_filters_through_the_worker(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path, rows=300)
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    with qtbot.waitSignal(tab.people_refreshed, timeout=5000):
        tab.search.setText("张12")  # 张12 and 张120..张129
    assert tab.model.rowCount() == 11
    person = tab.model.data(tab.model.index(0, 0), PersonRole)
    assert isinstance(person, Person) and person.user_id == "U12"
    assert "找到 11 人" in tab.summary.text()


def test_a_million_rows_scroll_without_loading_them(qtbot: QtBot) -> None:
    requested: list[int] = []

    def fake_page(generation: int, page: int, offset: int, limit: int) -> None:
        requested.append(page)
        people = [Person(id=offset + i + 1, incident_id=1, user_id=f"U{offset + i}", name="李四",
                         channel=Channel.SMS, phone="+8613800138000") for i in range(limit)]
        model.page_loaded(generation, page, people)

    model = PeopleModel(translator(), fake_page)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.verticalHeader().setDefaultSectionSize(20)
    view.resize(800, 400)
    model.reset(1_000_000)
    view.show()
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(999_999, PeopleModel.COL_USER_ID).data() == "U999999")
    view.scrollTo(model.index(500_000, 0))
    assert model.index(500_000, PeopleModel.COL_NAME).data() == "李*"
    assert model.rowCount() == 1_000_000
    assert len(requested) < 20 and model.cached_pages() <= 60
    assert max(requested) == 999_999 // PAGE_SIZE


def test_late_pages_from_an_old_search_are_ignored(qtbot: QtBot) -> None:
    model = PeopleModel(translator(), lambda *args: None)
    old = model.reset(10)
    model.reset(5)
    model.page_loaded(old, 0, [Person(id=1, incident_id=1, user_id="OLD")])
    assert model.index(0, 0).data() == "…"


def test_import_dialog_preview_correction_and_import(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    path = tmp_path / "list.csv"
    path.write_text("编号,姓名,联系方式\nA1,王小明,13800138000\nA2,李雷,bad\n", encoding="gb18030")
    tab = make_tab(qtbot, db, incident_id)
    dialog = tab.open_import_dialog()
    qtbot.addWidget(dialog)
    dialog.load_preview(path)
    assert "GB18030" in dialog.detected.text().upper()
    assert dialog.mapping() == {"编号": None, "姓名": "name", "联系方式": None}
    dialog.combos["编号"].setCurrentIndex(dialog.combos["编号"].findData("user_id"))
    dialog.combos["联系方式"].setCurrentIndex(dialog.combos["联系方式"].findData("phone"))
    with qtbot.waitSignal(tab.people_refreshed, timeout=5000):
        dialog.start_import()
    assert dialog.result.imported == 2 and dialog.result.fields_dropped == 1
    assert "新增 2 人" in dialog.status.text() and str(dialog.result.report_path) in dialog.status.text()
    assert tab.model.rowCount() == 2


def test_import_dialog_reports_a_rejected_file(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    path = tmp_path / "empty.csv"
    path.write_text("user_id,name\n", encoding="utf-8")
    dialog = ImportDialog(SyncJobRunner(services_factory(db)), translator("en"), incident_id)
    qtbot.addWidget(dialog)
    dialog.load_preview(path)
    with qtbot.waitSignal(dialog.import_ended, timeout=5000) as ended:
        dialog.start_import()
    assert ended.args == ["rejected"]
    assert "header row but no rows of people" in dialog.status.text()


def test_cancel_mid_import_through_the_job_runner(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    path = tmp_path / "big.csv"
    path.write_text("user_id,email\n" + "".join(f"U{i},u{i}@example.com\n" for i in range(40_000)), encoding="utf-8")
    runner = JobRunner(services_factory(db))
    dialog = ImportDialog(runner, translator("en"), incident_id)
    qtbot.addWidget(dialog)
    dialog.errors.interactive = False
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10_000):
        dialog.load_preview(path)
    with qtbot.waitSignal(dialog.import_ended, timeout=30_000) as ended:
        dialog.start_import()
        assert dialog.cancel_button.isEnabled()
        dialog.cancel_button.click()
    assert ended.args == ["cancelled"]
    assert "database is as it was before" in dialog.status.text()
    assert runner.wait_all()
    services = open_services(db)
    assert services.people.count(incident_id) == 0
    assert services.audit.timeline(incident_id)[0].type == "people.import_cancelled"
    services.close()


def test_headers_translate(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    assert tab.model.headerData(PeopleModel.COL_MINOR, Qt.Orientation.Horizontal) == "年龄段"
    tab.set_translator(translator("en"))
    assert tab.model.headerData(PeopleModel.COL_MINOR, Qt.Orientation.Horizontal) == "Age band"
    assert tab.import_button.text() == "Import list…"


def test_an_unfinished_purge_says_so_and_offers_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    """A purge killed after its first committed chunk: neither shown as purged nor as a whole list."""
    from incident_app.storage.retention import PurgeProgress

    db, incident_id = make_db(tmp_path, rows=3)
    services = open_services(db)
    store = services.ctx.store
    first = store.people.ranges(incident_id)[0][0]
    with store.transaction():  # what a kill after the first chunk (of one person) leaves
        changed, last = store.people.anonymise_chunk(incident_id, first - 1, 1)
        assert (changed, last) == (1, first)
        store.retention.save_progress(incident_id, "people.contacts",
                                      PurgeProgress(services.ctx.now(), first, 1))
    services.close()
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.purged.isVisibleTo(tab))
    assert "未完成" in tab.purged.text() and "联系人信息已于" not in tab.purged.text()
    assert not tab.unmask_button.isEnabled() and not tab.import_button.isEnabled()
    assert not tab.edit_button.isEnabled()
    tab.set_translator(translator("en"))
    tab.refresh()
    qtbot.waitUntil(lambda: "did not finish" in tab.purged.text())

def test_purged_list_says_so_and_offers_nothing_to_unmask(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path, rows=3)
    services = open_services(db)
    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "done", force=True)
    set_retention_days(services, 0)
    assert purge_due(services)[0].records_by_target["people.contacts"] == 3
    services.close()
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    assert tab.purged.isVisibleTo(tab) and "联系人信息已于" in tab.purged.text()
    assert "共 3 人" in tab.summary.text()  # the counts stay
    assert not tab.unmask_button.isEnabled() and not tab.import_button.isEnabled()
    assert [tab.model.index(0, c).data() for c in (PeopleModel.COL_NAME, PeopleModel.COL_EMAIL)] == ["—", "—"]
    (tmp_path / "other").mkdir()
    fresh, other = make_db(tmp_path / "other", rows=1)
    tab2 = make_tab(qtbot, fresh, other)
    tab2.refresh()
    assert not tab2.purged.isVisibleTo(tab2) and tab2.unmask_button.isEnabled()


def test_age_bands_are_shown_and_counted(qtbot: QtBot, tmp_path: Path) -> None:
    """A 16-year-old is a minor (14-17), a 13-year-old a child; the summary gives both bands."""
    db, incident_id = make_db(tmp_path)
    services = open_services(db)
    path = tmp_path / "bands.csv"
    path.write_text("用户ID,出生日期,监护人手机号\nT1,2010-05-01,13900139000\nC1,2013-06-01,13900139001\n"
                    "A1,1990-01-01,\n", encoding="utf-8")
    services.people.import_file(incident_id, path)
    services.close()
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.index(2, PeopleModel.COL_MINOR).data() not in (None, "…"))
    bands = [tab.model.index(r, PeopleModel.COL_MINOR).data() for r in range(3)]
    assert bands == ["14至17周岁", "不满14周岁", "成年"]  # the same words as the summary line below
    assert "未成年人 2 人（不满14周岁 1 人，14至17周岁 1 人）" in tab.summary.text()


def rejected_text(qtbot: QtBot, dialog: ImportDialog, action: object) -> str:
    with qtbot.waitSignal(dialog.import_ended, timeout=10000) as ended:
        action()  # type: ignore[operator]
    assert ended.args == ["rejected"]
    return dialog.status.text()


def test_import_dialog_shows_the_two_columns_refusal_and_imports_once_remapped(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    path = tmp_path / "list.csv"
    path.write_text("用户ID,姓名,出生日期,手机号,联系电话\nU1,小明,2016-01-01,13800138000,13900139000\n",
                    encoding="utf-8")
    dialog = ImportDialog(SyncJobRunner(services_factory(db)), translator("en"), incident_id)
    qtbot.addWidget(dialog)
    dialog.load_preview(path)
    assert dialog.mapping()["联系电话"] == "phone"  # shown on both columns, not silently dropped
    text = rejected_text(qtbot, dialog, dialog.start_import)
    assert "columns '手机号' (column 4) and '联系电话' (column 5) both hold phone" in text
    dialog.combos["联系电话"].setCurrentIndex(dialog.combos["联系电话"].findData("guardian_phone"))
    with qtbot.waitSignal(dialog.import_ended, timeout=10000) as ended:
        dialog.start_import()
    assert ended.args == ["done"] and dialog.result.imported == 1


def test_import_dialog_shows_the_mixed_encoding_row(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    path = tmp_path / "mixed.csv"
    rows = "".join(f"U{i},王小明\n" for i in range(10))
    path.write_bytes(("用户ID,姓名\n" + rows).encode("gbk") + "U-x,欧阳修\n".encode())
    dialog = ImportDialog(SyncJobRunner(services_factory(db)), translator("en"), incident_id)
    qtbot.addWidget(dialog)
    dialog.load_preview(path)
    text = rejected_text(qtbot, dialog, dialog.start_import)
    assert "row 12, (file): this row is not gb18030 text like the rows before it (it reads as utf-8)" in text


def test_import_dialog_refuses_a_fifo_promptly(qtbot: QtBot, tmp_path: Path) -> None:
    import os

    db, incident_id = make_db(tmp_path)
    fifo = tmp_path / "people.csv"
    os.mkfifo(fifo)
    dialog = ImportDialog(SyncJobRunner(services_factory(db)), translator("en"), incident_id)
    qtbot.addWidget(dialog)
    dialog.load_preview(fifo)  # the synchronous runner: a hang would never return
    assert "is not a regular file" in dialog.status.text() and not dialog.start_button.isEnabled()


def test_the_counts_line_follows_a_language_switch(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path, rows=3)
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    assert tab.summary.text().startswith("共 3 人")
    tab.search.setText("user1")
    tab.refresh()
    tab.set_translator(translator("en"))
    assert tab.summary.text().startswith("3 people · ") and "共" not in tab.summary.text()
    assert " — " in tab.summary.text()  # the search count, in English too
