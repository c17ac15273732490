"""The Edit-facts dialog sends only the languages the officer changed, so rewriting the Chinese
text of a fact marks its English text untranslated (its English notices are held until it is
translated again), and a fact nobody touched is not sent at all."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from tests.ui.helpers import demo_window


def test_rewriting_one_language_in_the_dialog_marks_the_other_untranslated(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = demo_window(qtbot, db)
    window.table.selectRow(0)
    window.open_selected()
    qtbot.waitUntil(lambda: 1 in window.workspaces)  # after the import warm-up, if still running
    overview = window.workspaces[1].tab_widgets["overview"]
    dialog = overview.open_facts_dialog()
    assert dialog is not None
    english_title = dialog.what.title.text("en")
    assert english_title and "title" not in dialog.values() and "summary" not in dialog.values()
    dialog.what.title.setText("SDK 日志接口泄露（已更正）")
    assert dialog.values()["title"] == {"zh-CN": "SDK 日志接口泄露（已更正）"}
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        facts = services.incidents.get(1).facts
        assert facts.text_in("title", "en") == english_title and facts.is_untranslated("title", "en")
        assert not facts.is_untranslated("summary", "en")
    finally:
        services.close()
    # translating it again in the dialog clears the mark
    dialog = overview.open_facts_dialog()
    assert dialog is not None and dialog.what.title.badges["en"].isVisibleTo(dialog.what.title)
    dialog.what.title.setText("SDK log API leak (corrected)", "en")
    assert dialog.values()["title"] == {"en": "SDK log API leak (corrected)"}
    dialog.submit()
    services = open_services(db)
    try:
        assert not services.incidents.get(1).facts.is_untranslated("title", "en")
    finally:
        services.close()
