"""The People tab's age-band and channel filters and its "Correct contacts…" dialog (offscreen):
the work runs through the job runner, the row and the counts reload, problems stay beside their
fields with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.people.edit_dialog import TEXT_FIELDS, PersonEditDialog
from incident_app.ui.people.model import PeopleModel, PersonRole
from incident_app.ui.people.tab import BAND_FILTERS, CHANNEL_FILTERS, PeopleTab

INTAKE = {"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-18T08:00:00+08:00"}
# Row order = import order: 0 letter adult, 1 sms adult, 2 child without guardian, 3 teen by SMS.
PEOPLE = ("用户ID,姓名,邮箱,手机号,地址,出生日期\n"
          "U1000,张三,,,上海市浦东新区碧波路690号,1990-01-01\n"
          "U10001,李四,,13800138000,,1985-05-05\n"
          "C1,小明,,,,2015-06-01\n"
          "T1,少年,,13900139000,,2010-03-01\n")


def make_db(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident_id = services.incidents.create(INTAKE).id
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, path)
    services.close()
    return db, incident_id


def make_tab(qtbot: QtBot, db: Path, incident_id: int, lang: str = "zh-CN") -> PeopleTab:
    tab = PeopleTab(SyncJobRunner(services_factory(db)), Translator(load_messages(), lang), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1300, 600)
    tab.refresh()
    return tab


def user_ids(tab: PeopleTab) -> list[str]:
    model = tab.model
    return [model.data(model.index(r, 0), PersonRole).user_id for r in range(model.rowCount())]


def choose(combo: object, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))  # type: ignore[attr-defined]


def open_dialog(qtbot: QtBot, tab: PeopleTab, row: int) -> PersonEditDialog:
    tab.table.selectRow(row)
    tab.edit_button.click()
    dialog = tab.findChild(PersonEditDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def events(db: Path, incident_id: int) -> list[tuple[str, dict[str, object]]]:
    services = open_services(db)
    try:
        return [(e.type, e.payload) for e in services.audit.timeline(incident_id)]
    finally:
        services.close()


def test_band_and_channel_filters_narrow_the_table(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    assert [tab.band.itemData(i) for i in range(tab.band.count())] == list(BAND_FILTERS)
    assert [tab.channel.itemData(i) for i in range(tab.channel.count())] == list(CHANNEL_FILTERS)
    assert tab.band.currentText() == "全部年龄" and user_ids(tab) == ["U1000", "U10001", "C1", "T1"]
    with qtbot.waitSignal(tab.people_refreshed, timeout=5000):
        choose(tab.band, "child")
    assert user_ids(tab) == ["C1"] and "找到 1 人" in tab.summary.text()
    choose(tab.band, "teen")
    assert user_ids(tab) == ["T1"]
    choose(tab.band, "")
    choose(tab.channel, "sms")
    assert user_ids(tab) == ["U10001", "T1"]
    choose(tab.band, "adult")
    assert user_ids(tab) == ["U10001"]
    # The search box combines with the filters: a user id by its beginning.
    choose(tab.band, "")
    choose(tab.channel, "")
    tab.search.setText("U1000")
    tab.refresh()
    assert user_ids(tab) == ["U1000", "U10001"]
    # A new language relabels the filters without changing them.
    choose(tab.channel, "none")
    tab.set_translator(Translator(load_messages(), "en"))
    assert (tab.channel.currentData(), tab.channel.currentText()) == ("none", "None (announcement)")
    assert tab.band_label.text() == "Age:"


def test_correcting_contacts_reloads_the_row_and_the_counts(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    assert "无法单独通知 1 人" in tab.summary.text()  # the child without a guardian
    dialog = open_dialog(qtbot, tab, 2)
    assert dialog.current_text("name") == "当前：小*" and dialog.current_text("guardian_email") == "当前：—"
    dialog.inputs["guardian_email"].setText("Mama@Example.CN")
    dialog.reason.setText("school records")
    with qtbot.waitSignal(tab.person_corrected, timeout=5000):
        dialog.submit()
    model = tab.model
    assert model.index(2, PeopleModel.COL_CHANNEL).data() == "监护人邮件"
    assert model.index(2, PeopleModel.COL_GUARDIAN).data() == "m***@example.cn"  # masked
    assert "无法单独通知 0 人" in tab.summary.text()
    assert tab.last_status.startswith("已更正第 3 行：监护人邮箱；通知渠道 无（公告） → 监护人邮件")
    assert tab.selected_row() == 2
    (kind, payload), *_ = events(db, incident_id)
    assert kind == "people.corrected" and payload["fields"] == ["guardian_email"]
    assert "mama" not in json.dumps(payload).lower()


def test_a_bad_value_stays_beside_its_field_and_nothing_changes(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    dialog = open_dialog(qtbot, tab, 0)
    dialog.inputs["email"].setText("zhang@")
    dialog.inputs["address"].setText("北京市海淀区中关村大街1号")
    dialog.submit()
    assert dialog.isVisible() and dialog.errors.text("email") == "这不是有效的邮箱地址。"
    assert dialog.errors.text("reason") == "请说明更正原因（将记入事件日志）。"  # checked first, also shown
    dialog.reason.setText("typo")
    dialog.submit()
    assert dialog.isVisible() and dialog.errors.text("email") == "这不是有效的邮箱地址。"
    assert dialog.inputs["address"].text() == "北京市海淀区中关村大街1号"  # everything typed stays
    assert tab.model.index(0, PeopleModel.COL_CHANNEL).data() == "信函"
    assert "people.corrected" not in [kind for kind, _ in events(db, incident_id)]
    dialog.inputs["email"].clear()
    dialog.inputs["address"].clear()
    dialog.submit()  # nothing typed
    assert dialog.isVisible() and dialog.general_error.text() == "changes: 请至少填写一项新值。"


def test_the_edit_action_needs_a_selection_and_is_off_after_the_purge(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    tab.edit_button.click()
    assert tab.findChild(PersonEditDialog) is None and tab.last_status == "请先在表格中选中一个人。"
    services = open_services(db)
    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "done", force=True)
    services.close()
    from incident_app.services.retention import purge_due, set_retention_days

    services = open_services(db)
    set_retention_days(services, 0)
    assert purge_due(services)
    services.close()
    tab.refresh()
    assert not tab.edit_button.isEnabled()


def test_the_dialog_strings_exist_in_both_languages(qtbot: QtBot, tmp_path: Path) -> None:
    catalogs = load_messages()
    keys = {f"people.edit.field.{f}" for f in (*TEXT_FIELDS, "language")}
    keys |= {f"people.band.{b}" for b in BAND_FILTERS if b}
    keys |= {f"people.filter.channel.{c}" for c in CHANNEL_FILTERS if c}
    for lang in ("zh-CN", "en"):
        assert not keys - set(catalogs[lang]), lang
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id, "en")
    dialog = open_dialog(qtbot, tab, 0)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Guardian's email" in labels and "now: 上海市浦东新****" in labels
    assert not [text for text in labels if text.startswith("people.")]


def test_remove_clears_a_value_and_the_channel_follows(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path)
    tab = make_tab(qtbot, db, incident_id)
    dialog = open_dialog(qtbot, tab, 1)  # U10001, reached by SMS
    assert "email" not in dialog.clears  # nothing to remove where there is no value
    dialog.inputs["phone"].setText("13700137000")
    dialog.clears["phone"].setChecked(True)
    assert dialog.inputs["phone"].text() == "" and not dialog.inputs["phone"].isEnabled()
    dialog.reason.setText("the number belongs to someone else")
    dialog.submit()
    assert tab.model.index(1, PeopleModel.COL_PHONE).data() == "—"
    assert tab.model.index(1, PeopleModel.COL_CHANNEL).data() == "无（公告）"
    assert events(db, incident_id)[0][1]["channel"] == {"from": "sms", "to": "none"}


def test_a_correction_refreshes_the_other_tabs_of_the_workspace(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.ui.helpers import demo_window

    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.table.selectRow(0)
    window.open_selected()
    qtbot.waitUntil(lambda: 1 in window.workspaces)  # after the import warm-up, if still running
    workspace = window.workspaces[1]
    tab = workspace.tab_widgets["people"]
    assert isinstance(tab, PeopleTab)
    dialog = open_dialog(qtbot, tab, 0)
    dialog.inputs["address"].setText("上海市浦东新区碧波路690号")
    dialog.reason.setText("the person moved")
    dialog.submit()
    assert "timeline" in workspace.stale_tabs  # hidden: reloaded when shown, not at every change
    newest = workspace.show_tab("timeline").model.record(0)  # type: ignore[attr-defined]
    assert newest.type == "people.corrected"
    assert newest.summary == "人员 #1：更正了 地址；通知渠道 邮件 → 邮件；原因：the person moved"


def test_the_correction_runs_on_a_worker_thread(qtbot: QtBot, tmp_path: Path) -> None:
    from incident_app.jobs.runner import JobRunner

    db, incident_id = make_db(tmp_path)
    runner = JobRunner(services_factory(db))
    tab = PeopleTab(runner, Translator(load_messages(), "zh-CN"), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    with qtbot.waitSignal(tab.people_refreshed, timeout=10_000):
        tab.refresh()
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(0, 0), PersonRole) is not None, timeout=10_000)
    dialog = open_dialog(qtbot, tab, 0)
    dialog.inputs["email"].setText("zhang@example.com")
    dialog.reason.setText("the person wrote in")
    with qtbot.waitSignal(tab.person_corrected, timeout=10_000) as corrected:
        dialog.submit()
        assert dialog.busy  # the UI thread did not do the work
    assert corrected.args[0].channel_after.value == "email"
    qtbot.waitUntil(lambda: tab.model.index(0, PeopleModel.COL_CHANNEL).data() == "邮件", timeout=10_000)
    assert runner.wait_all()
