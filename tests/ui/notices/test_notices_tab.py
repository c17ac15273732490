from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from smtp_sink import Sink, smtp_settings
from smtp_sink import sink as sink

from incident_app.domain.i18n import Translator
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import Services, open_services
from incident_app.services.mail.sources import SyntheticMessageSource
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab
from incident_app.ui.notices.template_editor import TemplateEditorDialog
from tests.services.notices.test_notices import REMEDIATION


@pytest.fixture
def tab(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> NoticesTab:
    db = tmp_path / "db.sqlite3"
    services: Services = open_services(db)
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, {"actions": REMEDIATION["actions"]})  # no remedies yet
    services.close()
    widget = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "zh-CN"), incident.id)
    widget.errors.interactive = False
    qtbot.addWidget(widget)
    widget.show()  # rendering waits until the tab is visible
    return widget


def element_status(tab: NoticesTab, element: str) -> str:
    model = tab.elements_model
    for row in range(model.rowCount()):
        if model.element_at(row) == element:
            return str(model.index(row, model.COL_STATUS).data())
    raise AssertionError(element)


def test_lists_required_notices_with_preview_and_check(tab: NoticesTab) -> None:
    assert tab.notices_model.rowCount() == 36  # with the teenager's notice and the internal brief (4 each)
    assert "受影响个人" in tab.plan_label.text() and "暂定" not in tab.plan_label.text()
    tab.select(NoticeKind.INDIVIDUAL, "email_html", "zh-CN")
    assert "事件基本情况" in tab.preview.toPlainText()
    assert element_status(tab, "remedies") == "内容为空" and element_status(tab, "situation") == "已包含"
    status = tab.notices_model.index(tab.list_view.currentIndex().row(), tab.notices_model.COL_STATUS).data()
    assert status == "不完整"


def test_approve_is_refused_then_waive_then_approve(tab: NoticesTab) -> None:
    tab.approve("王安全", NoticeKind.INDIVIDUAL)
    assert tab.errors.shown and "remedies" in tab.errors.shown[-1]
    tab.select(NoticeKind.INDIVIDUAL, "email_html", "zh-CN")
    tab.waive("remedies", "本次无额外补救措施", "王安全")
    tab.select(NoticeKind.INDIVIDUAL, "email_html", "zh-CN")
    assert element_status(tab, "remedies") == "已豁免"
    tab.approve("王安全", NoticeKind.INDIVIDUAL)
    assert tab.status_label.text() == "已批准 12 份通知。"
    tab.select(NoticeKind.INDIVIDUAL, "letter", "en")
    assert tab.selected() is not None and tab.selected().status == "approved"  # type: ignore[union-attr]


def test_element_text_fills_an_empty_element(tab: NoticesTab) -> None:
    tab.set_element_text("remedies", "zh-CN", "开通专线电话")
    tab.select(NoticeKind.GUARDIAN, "letter", "zh-CN")
    assert element_status(tab, "remedies") == "已包含" and "开通专线电话" in tab.preview.toPlainText()


def test_export_without_pdf(tab: NoticesTab, tmp_path: Path) -> None:
    tab.export_to(tmp_path / "out", ["html", "txt"])
    assert (tmp_path / "out" / "regulator_initial" / "document.zh-CN.html").exists()
    assert "已导出" in tab.status_label.text()


def test_language_switch(tab: NoticesTab) -> None:
    tab.set_language(Translator(load_messages(), "en"))
    assert tab.btn_approve.text() == "Approve" and "Affected people" in tab.plan_label.text()


def test_template_editor_refuses_a_broken_template_and_saves_a_good_one(qtbot: QtBot, tab: NoticesTab) -> None:
    dialog = TemplateEditorDialog(tab.runner, tab.tr_, "individual/sms.zh-CN.txt", tab)
    dialog.errors.interactive = False
    qtbot.addWidget(dialog)
    original = dialog.editor.toPlainText()
    assert "【联系我们】" in original and dialog.version_label.text() == "当前：内置模板"
    dialog.editor.setPlainText(original.replace("{{ contact.phone }}", "{{ contact.fax }}"))
    dialog.save()
    assert "unknown field contact.fax" in dialog.message.text()
    dialog.editor.setPlainText(original.replace("勿透露验证码", "切勿透露验证码"))
    with qtbot.waitSignal(dialog.template_saved, timeout=5000):
        dialog.save()
    assert dialog.version_label.text() == "当前：第 1 版（自定义）"


def test_hidden_tab_renders_nothing_until_shown(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident = services.incidents.create(intake)
    services.close()
    widget = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "zh-CN"), incident.id)
    qtbot.addWidget(widget)
    widget.refresh()
    assert widget.notice_set is None
    widget.show()
    assert widget.notice_set is not None


def test_send_button_opens_the_send_dialog_and_delivery_counts_show(
    qtbot: QtBot, tmp_path: Path, intake: dict[str, object], sink: Sink
) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident = services.incidents.create(intake)
    services.close()
    widget = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "zh-CN"), incident.id)
    widget.errors.interactive = False
    qtbot.addWidget(widget)
    widget.show()
    assert widget.delivery_label.text() == "个人通知尚未通过邮件发送。"
    widget.btn_send.click()
    assert widget.send_dialog.isVisible()
    assert "导入" in widget.send_dialog.approval.text()  # no people yet: the dialog says what to do
    widget.send_dialog.close()
    services = open_services(db)
    services.mail.send(incident.id, SyntheticMessageSource(6), smtp_settings(sink.port))
    services.close()
    widget.refresh()
    assert "已发送 6" in widget.delivery_label.text()


def test_audience_text_starts_from_the_plain_wording_and_stays_with_its_audience(qtbot: QtBot,
                                                                                 tab: NoticesTab) -> None:
    tab.select(NoticeKind.INDIVIDUAL, "email_html", "zh-CN")
    row = next(r for r in range(tab.elements_model.rowCount()) if tab.elements_model.element_at(r) == "situation")
    tab.elements_view.setCurrentIndex(tab.elements_model.index(row, 0))
    tab._on_text_clicked()
    dialog = tab.text_dialog
    assert dialog.audience == "individual" and "我们发现" in dialog.editor.toPlainText()
    assert "受影响个人" in dialog.findChildren(QLabel)[0].text()
    dialog.editor.setPlainText("我们的一个文件被他人看到了。")
    dialog._on_accepted()
    tab.select(NoticeKind.INDIVIDUAL, "email_html", "zh-CN")
    assert "我们的一个文件被他人看到了。" in tab.preview.toPlainText()
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "zh-CN")
    assert "我们的一个文件被他人看到了。" not in tab.preview.toPlainText()
