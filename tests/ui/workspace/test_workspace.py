"""The incident workspace over the demo incident: every tab opens with its data, the status moves
only with a comment, facts, actions, notes and decisions are edited through their dialogs, and the
timeline shows it all newest first with a working 'verify chain'."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.incident import IncidentStatus
from incident_app.ui.main_window import MainWindow
from incident_app.ui.register.model import RegisterModel
from incident_app.ui.workspace.tabs import TAB_SPECS
from incident_app.ui.workspace.window import WorkspaceWindow
from tests.ui.helpers import demo_window, make_window


def open_demo(qtbot: QtBot, tmp_path: Path) -> tuple[MainWindow, WorkspaceWindow]:
    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.table.selectRow(0)
    window.open_selected()
    qtbot.waitUntil(lambda: 1 in window.workspaces)  # after the import warm-up, if still running
    return window, window.workspaces[1]


def test_every_tab_of_the_demo_incident_opens(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    assert [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())] == [
        "概览", "评估", "受影响人员", "处置措施", "决定", "通知", "询问", "时间线"]
    for index in range(workspace.tabs.count()):
        workspace.tabs.setCurrentIndex(index)
        assert workspace.tabs.currentWidget().isVisibleTo(workspace)
    tabs = workspace.tab_widgets
    assert "一键登录 SDK" in workspace.title.text()
    assert workspace.status.text() == "已登记"
    assert tabs["overview"].fact_text("受影响人数（估计）") == "200"
    assert tabs["overview"].fact_text("涉及的个人信息").startswith("手机号码")
    assert not tabs["overview"].clocks.empty.isVisibleTo(tabs["overview"])
    assert any("MINORS-2024" in row[0] for row in tabs["overview"].clocks.shown_rows())
    assert tabs["remediation"].actions_model.rowCount() == 4
    assert tabs["remediation"].advice_model.rowCount() == 3
    assert tabs["remediation"].remedy_model.rowCount() == 2
    assert tabs["decisions"].model.rowCount() == 1
    # created, people imported, import report written, remediation, decision (the facts carry their
    # English values, so no separate English situation text is written)
    assert tabs["timeline"].model.rowCount() == 5
    assert tabs["assessment"].__class__.__name__ == "AssessmentTab"
    assert tabs["notices"].__class__.__name__ == "NoticesTab"
    assert tabs["people"].model.rowCount() > 0


def test_reactivating_an_incident_focuses_its_window(qtbot: QtBot, tmp_path: Path) -> None:
    window, workspace = open_demo(qtbot, tmp_path)
    window.incident_activated.emit(1)
    assert window.workspaces == {1: workspace}
    workspace.close()
    assert window.workspaces == {}
    reopened = window.open_incident(1)
    assert reopened is not workspace and reopened.isVisible()


def test_status_change_needs_a_comment_and_is_logged(qtbot: QtBot, tmp_path: Path) -> None:
    window, workspace = open_demo(qtbot, tmp_path)
    overview = workspace.tab_widgets["overview"]
    assert overview.next_button.text() == "标记为“已控制”…"
    overview.open_next_status()
    dialog = overview.dialog
    dialog.submit()  # no comment
    assert dialog.isVisible()
    assert dialog.errors.text("comment").startswith("请说明状态变更的原因")
    dialog.comment.setPlainText("接口已下线，确认不再有新的数据外泄")
    dialog.submit()
    assert not dialog.isVisible()
    assert overview.data.incident.status == IncidentStatus.CONTAINED
    assert workspace.status.text() == "已控制"
    assert window.model.index(0, RegisterModel.COL_STATUS).data() == "已控制"
    first = workspace.show_tab("timeline").model.record(0)
    assert first.type == "incident.status_changed"
    assert first.summary == "已登记 → 已控制：接口已下线，确认不再有新的数据外泄"


def test_status_change_from_the_register(qtbot: QtBot, tmp_path: Path) -> None:
    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.table.selectRow(0)
    window.open_status_for_selected()
    window.dialog.status.setCurrentIndex(window.dialog.status.findData("closed"))
    window.dialog.comment.setPlainText("处置完毕")
    window.dialog.submit()
    assert window.model.index(0, RegisterModel.COL_STATUS).data() == "已结案"


def test_edit_facts_is_validated_and_logged(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    overview = workspace.tab_widgets["overview"]
    dialog = overview.open_facts_dialog()
    dialog.counts.affected_minors.setValue(10_000_000)
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.tabs.currentIndex() == 1  # the tab with the message comes to the front
    assert dialog.errors.text("affected_minors")
    dialog.counts.affected_minors.setValue(40)
    dialog.what.title.setText("SDK 日志接口泄露（已更正）")
    dialog.submit()
    assert not dialog.isVisible()
    assert "已更正" in workspace.title.text()
    assert overview.fact_text("其中未成年人（未满十八周岁）") == "40"
    summary = workspace.show_tab("timeline").model.record(0).summary
    assert summary.startswith("修改了：") and "事件标题" in summary


def test_remediation_actions_notes_and_suggestions(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    tab = workspace.tab_widgets["remediation"]
    dialog = tab.open_add_action()
    dialog.submit()
    assert dialog.errors.text("actions.description") == "请描述采取了什么措施。"
    dialog.description.setText("全量轮换 SDK 密钥")
    dialog.owner.setText("安全运营 王磊")
    dialog.submit()
    assert tab.actions_model.rowCount() == 5
    tab.actions_table.selectRow(4)
    done_dialog = tab.mark_selected_done()
    assert done_dialog is not None and done_dialog.done_field.value_iso()  # asks, defaulting to now
    # A time after the demo incident's discovery (it is dated relative to today), not in the future.
    when = parse_time(workspace.tab_widgets["overview"].data.incident.facts.discovered_at.isoformat(
        timespec="seconds")) + timedelta(hours=1)
    done_dialog.done_field.set_value(when)
    done_dialog.submit()
    done = tab.actions_model.record(4)
    assert done.status.value == "done" and done.done_at == when
    tab.actions_table.selectRow(4)
    edit = tab.edit_selected_action()
    assert edit.description.text() == "全量轮换 SDK 密钥"
    edit.owner.setText("安全运营 李强")
    edit.submit()
    assert tab.actions_model.record(4).owner == "安全运营 李强"

    note = tab.open_add_note(tab.remedy_model.record(0).kind)
    note.submit()
    assert note.errors.text("remedies").startswith("请填写内容")
    note.text_zh.setPlainText("提供一年免费的账号安全险")
    note.submit()
    assert tab.remedy_model.rowCount() == 3
    tab.remedy_table.selectRow(2)
    tab.delete_selected_note(tab.remedy_model.record(2).kind)
    assert tab.remedy_model.rowCount() == 2

    tab.suggest_advice()  # the demo already holds every suggestion
    assert tab.message.text() == "已按涉及的信息类型添加 0 条建议。"
    assert tab.advice_model.rowCount() == 3


def test_decision_is_recorded_with_rationale_and_decider(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    tab = workspace.tab_widgets["decisions"]
    dialog = tab.open_record_dialog()
    assert dialog.decided_by.text()  # defaults to the acting officer
    dialog.kind.setCurrentIndex(dialog.kind.findData("cac_grade_judgement"))
    dialog.decided_by.clear()
    dialog.submit()
    assert dialog.errors.text("rationale").startswith("请写明理由")
    assert dialog.errors.text("decided_by") == "请写明作出决定的人。"
    dialog.details["cac_grade_judgement.level"].setCurrentIndex(1)
    dialog.rationale.setPlainText("涉及未成年人信息，按较大事件处理")
    dialog.decided_by.setText("个人信息保护负责人 张敏")
    dialog.submit()
    assert not dialog.isVisible()
    assert tab.model.rowCount() == 2
    recorded = tab.model.index(1, 4).data()
    assert recorded == "认定级别: 较大"
    assert workspace.show_tab("timeline").model.record(0).type == "decision.recorded"
    tab.table.selectRow(1)
    correction = tab.open_correction_dialog()
    assert correction is not None
    correction.reason.setPlainText("级别判断有误")
    correction.submit()
    assert tab.model.rowCount() == 2  # the decision stays, withdrawn
    assert tab.model.index(1, 5).data() == "已撤回（更正 #1：级别判断有误）"
    tab.table.selectRow(1)
    assert tab.open_correction_dialog() is None  # already withdrawn
    assert workspace.show_tab("timeline").model.record(0).type == "record.corrected"


def test_timeline_newest_first_and_chain_verifies(qtbot: QtBot, tmp_path: Path) -> None:
    _window, workspace = open_demo(qtbot, tmp_path)
    tab = workspace.tab_widgets["timeline"]
    seqs = [tab.model.record(i).seq for i in range(tab.model.rowCount())]
    assert seqs == sorted(seqs, reverse=True)
    with qtbot.waitSignal(tab.verified) as verified:
        tab.verify_chain()
    assert verified.args[0].ok
    assert "哈希链无断裂" in tab.result.text()


def test_workspace_loads_through_worker_threads(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3", synchronous=False)
    with qtbot.waitSignal(window.register_refreshed, timeout=10_000):
        window.load_demo()
    workspace = window.open_incident(1)
    timeline = workspace.tab_widgets["timeline"]
    qtbot.waitUntil(lambda: timeline.model.rowCount() == 5, timeout=10_000)
    qtbot.waitUntil(lambda: workspace.incident is not None, timeout=10_000)
    assert window.runner.wait_all()
    assert [s.key for s in TAB_SPECS] == list(workspace.tab_widgets)


def test_enter_on_a_register_row_opens_its_workspace(qtbot: QtBot, tmp_path: Path) -> None:
    window = demo_window(qtbot, tmp_path / "db.sqlite3")
    window.show()
    window.table.setFocus()
    window.table.setCurrentIndex(window.proxy.index(0, 1))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert 1 in window.workspaces


def test_a_refresh_keeps_the_selected_rows_of_remediation_and_decisions(qtbot: QtBot, tmp_path: Path) -> None:
    """A change elsewhere refreshes every tab; the selected action, advice or decision used to be
    dropped, so the officer's next 'Mark done' or 'Withdraw' was aimed at nothing."""
    _window, workspace = open_demo(qtbot, tmp_path)
    remediation = workspace.tab_widgets["remediation"]
    remediation.actions_table.selectRow(2)
    action = remediation._selected(remediation.actions_table, remediation.actions_model)
    decisions = workspace.tab_widgets["decisions"]
    assert decisions.model.rowCount() >= 1
    decisions.table.selectRow(0)
    decision = decisions.model.record(0).decision.id
    workspace.refresh()
    assert remediation._selected(remediation.actions_table, remediation.actions_model) == action
    rows = decisions.table.selectionModel().selectedRows()
    assert [decisions.model.record(i.row()).decision.id for i in rows] == [decision]
