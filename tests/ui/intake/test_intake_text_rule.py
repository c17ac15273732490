"""The wizard uses the same domain rule as the CLI: a pasted text-direction override or control
character and a year before 1990 are shown beside their fields, in the officer's language, and
the wizard does not move on."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from tests.ui.helpers import make_window


def test_wizard_shows_text_and_year_problems_beside_the_fields(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    wizard = window.open_wizard()
    form = wizard.what.form
    form.title.setText("客服导出文件\u202etxt.exe")  # pasted from a malicious file name
    form.location.setText("机房\x07B")
    form.discovered_at.set_value(parse_time("1985-01-10T09:00:00+08:00"))
    wizard.next()
    assert wizard.currentPage() is wizard.what
    assert wizard.what.errors.text("title") == "含有文字方向控制符（可用来伪装内容），请删除后重新输入。"
    assert wizard.what.errors.text("location") == "含有不可见的控制字符或无效字符，请删除后重新输入。"
    assert wizard.what.errors.text("discovered_at") == "年份早于 1990 年，请检查日期。"

    form.title.setText("客服导出文件误发")
    form.location.setText("机房B")
    form.discovered_at.set_value(parse_time("2026-01-10T09:00:00+08:00"))
    wizard.next()
    assert wizard.currentPage() is wizard.data
