"""The Notices tab shows an English notice whose profile facts have no English yet as incomplete,
and names the gap in the officer's language, with the Settings field that fills it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from incident_app.domain.i18n import Translator
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab
from tests.ui.helpers import notices_tab


def problem_rows(tab: NoticesTab) -> list[str]:
    model = tab.elements_model
    return [str(model.index(row, model.COL_DETAIL).data()) for row in range(model.rowCount())
            if model.element_at(row) is None]


def test_an_english_notice_without_the_english_contact_name_is_incomplete_in_words(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["profile", "set", "contact_name", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.show()
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "en")
    status = tab.notices_model.index(tab.list_view.currentIndex().row(), tab.notices_model.COL_STATUS).data()
    assert status == "不完整"
    assert "王安全" not in tab.preview.toPlainText()
    problems = problem_rows(tab)
    gap = "缺少英文文本：报告联系人姓名（英文）（contact_name_en；设置 → 组织信息）——请填写英文内容"
    assert gap in problems, problems
    assert not [p for p in problems if "text missing" in p], problems
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "zh-CN")
    assert not problem_rows(tab) and "王安全" in tab.preview.toPlainText()
    tab.tr_ = Translator(load_messages(), "en")
    tab.retranslate()
    tab.select(NoticeKind.REGULATOR_INITIAL, "document", "en")
    assert ("English text missing: Contact person for reports (name, English) (contact_name_en; "
            "Settings → Organisation) — write it in English") in problem_rows(tab)
    tab.approve("王安全", NoticeKind.REGULATOR_INITIAL)
    assert tab.errors.shown and "profile set contact_name_en" in tab.errors.shown[-1]
