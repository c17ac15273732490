"""The Notices tab lists the police case report when a crime is suspected, shows the report's
items still to be supplemented, and clears one once the officer types its text."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import Services, open_services
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab
from tests.services.notices.test_notices import REMEDIATION


def element_status(tab: NoticesTab, element: str) -> str:
    model = tab.elements_model
    for row in range(model.rowCount()):
        if model.element_at(row) == element:
            return str(model.index(row, model.COL_STATUS).data())
    raise AssertionError(element)


def test_police_report_and_items_to_follow(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    services: Services = open_services(db)
    incident = services.incidents.create({**intake, "cause": "attack", "malicious": True})
    services.remediation.add(incident.id, REMEDIATION)
    services.close()
    tab = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "zh-CN"), incident.id)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    tab.show()
    assert "公安机关（报案材料）" in tab.plan_label.text()
    tab.select(NoticeKind.POLICE_REPORT, "document", "zh-CN")
    assert "报案材料" in tab.preview.toPlainText()
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "zh-CN")
    assert element_status(tab, "tracing_leads") == "待补报"
    assert "网络安全事件现场保护情况" in tab.preview.toPlainText()
    tab.set_element_text("tracing_leads", "zh-CN", "攻击路径：弱口令登录运维后台。")
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "zh-CN")
    assert element_status(tab, "tracing_leads") == "已包含"
    assert "攻击路径：弱口令登录运维后台。" in tab.preview.toPlainText()
