"""The intake wizard end to end: fill, see validation messages beside the fields, finish, and find
the incident in the register with its containment actions; cancelling saves nothing."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.services.container import open_services
from incident_app.ui.register.model import RegisterModel
from tests.ui.helpers import make_window


def test_wizard_end_to_end(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.refresh()
    wizard = window.open_wizard()
    form = wizard.what.form

    wizard.next()  # no title yet
    assert wizard.currentPage() is wizard.what
    assert wizard.what.errors.text("title") == "必填。"

    form.title.setText("客服导出文件误发外部邮箱")
    form.discovered_at.set_value(parse_time("2026-01-10T09:00:00+08:00"))
    form.occurred_at.set_value(parse_time("2026-01-11T09:00:00+08:00"))  # after discovery: impossible
    wizard.next()
    assert wizard.currentPage() is wizard.what
    assert wizard.what.errors.text("occurred_at").startswith("发生时间晚于发现时间")
    assert wizard.what.errors.text("title") == ""

    form.occurred_at.unknown.setChecked(True)
    form.cause.setCurrentIndex(form.cause.findData("misdelivery"))
    wizard.next()
    assert wizard.currentPage() is wizard.data

    wizard.data.picker.set_selected(["phone_number"])
    wizard.data.counts.affected_people.setValue(10)
    wizard.data.counts.affected_minors.setValue(20)
    wizard.next()
    assert wizard.currentPage() is wizard.data
    assert "未成年人数超过" in wizard.data.errors.text("affected_minors")
    wizard.data.counts.affected_minors.setValue(2)
    wizard.data.counts.affected_minors_under_14.setValue(2)
    wizard.data.counts.affected_minors_14_17.setValue(1)  # the bands add up to more than the total
    wizard.next()
    assert wizard.currentPage() is wizard.data
    assert "总数包含所有未满十八周岁者" in wizard.data.errors.text("affected_minors")
    wizard.data.counts.affected_minors.setValue(3)
    wizard.next()
    assert wizard.currentPage() is wizard.containment

    assert not wizard.containment.add_current()  # nothing typed: the message says what to do
    assert wizard.containment.errors.text("actions.description")
    wizard.containment.description.setEditText("要求接收方删除邮件")
    wizard.containment.owner.setText("法务 赵敏")
    wizard.next()  # typed but not added: Next keeps it
    assert wizard.currentPage() is wizard.review
    assert len(wizard.containment.drafts()) == 1
    assert "客服导出文件误发外部邮箱" in wizard.review.summary.text()
    assert "手机号码" in wizard.review.summary.text()
    assert "PIPL-57" in wizard.review.obligations.text()
    assert "事件处置总结报告" not in wizard.review.obligations.text()  # its clock starts when handling closes

    with qtbot.waitSignal(wizard.incident_created) as created:
        wizard.accept()
    incident_id = created.args[0]
    assert window.model.rowCount() == 1
    assert window.model.index(0, RegisterModel.COL_TITLE).data() == "客服导出文件误发外部邮箱"
    assert incident_id in window.workspaces  # the new incident's workspace opens

    services = open_services(db)
    try:
        actions = services.remediation.actions(incident_id)
        assert [a.description for a in actions] == ["要求接收方删除邮件"]
        assert actions[0].owner == "法务 赵敏"
        facts = services.incidents.get(incident_id).facts
        assert (facts.affected_minors, facts.affected_minors_under_14, facts.affected_minors_14_17) == (3, 2, 1)
        assert facts.discovered_at == parse_time("2026-01-10T09:00:00+08:00")
        assert facts.occurred_at is None
        types = [e.type for e in services.audit.timeline(incident_id)]
        assert types == ["remediation.added", "incident.created"]
    finally:
        services.close()


def test_cancel_saves_nothing_and_asks_first(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    wizard = window.open_wizard()
    wizard.what.form.title.setText("未保存的草稿")
    asked: list[bool] = []
    wizard.confirm_discard = lambda: asked.append(True) or False
    wizard.reject()
    assert asked and wizard.isVisible()  # the officer said "keep typing"
    wizard.confirm_discard = lambda: True
    wizard.reject()
    assert not wizard.isVisible()
    services = open_services(db)
    try:
        assert services.incidents.list() == []
    finally:
        services.close()


def test_untouched_wizard_closes_without_asking(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    wizard = window.open_wizard()
    wizard.confirm_discard = lambda: False
    wizard.reject()
    assert not wizard.isVisible()


def test_wizard_speaks_english_after_switch(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    window.set_language("en")
    wizard = window.open_wizard()
    assert wizard.windowTitle() == "New incident"
    wizard.next()
    assert wizard.what.errors.text("title") == "Required."


def test_containment_page_clears_the_time_and_records_a_start_for_work_in_progress(
        qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    page = window.open_wizard().containment
    page.description.setEditText("隔离受影响服务器")
    page.status.setCurrentIndex(page.status.findData("in_progress"))
    page.when.set_value(parse_time("2026-01-10T09:30:00+08:00"))
    assert page.add_current()
    assert page.when.value_iso() is None  # cleared: the next action's time is its own
    action = page.drafts()[0]
    assert action["started_at"] == "2026-01-10T09:30:00+08:00" and "due_at" not in action
