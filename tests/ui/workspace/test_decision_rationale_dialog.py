"""The decisions dialog takes the rationale in both languages: the English box is what English
notices print; only the Chinese box gives the plain form older decisions have; both empty is
refused beside the Chinese box."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.decisions import DecisionKind
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.common import ErrorReporter
from incident_app.ui.workspace.decision_dialog import DecisionDialog


def dialog_for(qtbot: QtBot, db: Path, lang: str = "zh-CN") -> DecisionDialog:
    tr = Translator(load_messages(), lang)
    errors = ErrorReporter(None, tr)
    errors.interactive = False
    dialog = DecisionDialog(SyncJobRunner(lambda: open_services(db)), tr, errors, 1, "王安全")
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("exempt_individual_notice"))
    return dialog


def test_both_rationale_boxes_are_saved_and_reach_the_english_notice(
        qtbot: QtBot, db_path: Path, intake: dict[str, object]) -> None:
    services = open_services(db_path)
    services.incidents.create(intake)
    services.close()
    dialog = dialog_for(qtbot, db_path)
    dialog.rationale.setPlainText("数据已加密。")
    assert dialog.values()["rationale"] == "数据已加密。"  # Chinese only: the plain form
    dialog.rationale_en.setPlainText("The data was encrypted.")
    assert dialog.values()["rationale"] == {"zh-CN": "数据已加密。", "en": "The data was encrypted."}
    dialog.submit()
    services = open_services(db_path)
    try:
        decision = services.decisions.latest(1, DecisionKind.EXEMPT_INDIVIDUAL_NOTICE)
        assert decision is not None and (decision.rationale, decision.rationale_en) == (
            "数据已加密。", "The data was encrypted.")
    finally:
        services.close()


def test_both_boxes_empty_is_refused_beside_the_rationale(
        qtbot: QtBot, db_path: Path, intake: dict[str, object]) -> None:
    services = open_services(db_path)
    services.incidents.create(intake)
    services.close()
    dialog = dialog_for(qtbot, db_path, "en")
    dialog.show()
    dialog.rationale_en.setPlainText("   ")
    dialog.submit()
    assert dialog.isVisible() and dialog.errors.text("rationale")
    services = open_services(db_path)
    try:
        assert services.decisions.list(1) == []
    finally:
        services.close()
