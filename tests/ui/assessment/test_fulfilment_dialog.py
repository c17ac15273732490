"""The Assessment tab's 'Record fulfilment…' and 'Correct…' actions on the selected obligation row:
the dialog never asks for the obligation id, a late filing shows 'met late by X', a correction
brings the overdue state back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.assessment.fulfilment_dialog import CorrectionDialog, FulfilmentDialog
from incident_app.ui.assessment.models import ObligationsModel
from incident_app.ui.assessment.tab import AssessmentTab
from incident_app.ui.common import ErrorReporter
from incident_app.ui.workspace.decision_dialog import DecisionDialog

INITIAL = "cac-initial-report"


@pytest.fixture
def factory(db_path: Path, clock, intake):  # type: ignore[no-untyped-def]
    def make():  # type: ignore[no-untyped-def]
        return open_services(db_path, clock=clock)

    services = make()
    services.incidents.create(intake)
    services.close()
    return make


def make_tab(qtbot: QtBot, factory, clock, lang: str = "en") -> AssessmentTab:  # type: ignore[no-untyped-def]
    tab = AssessmentTab(SyncJobRunner(factory), Translator(load_messages(), lang), 1)
    tab.obligations_model._now = clock
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.refresh()
    return tab


def status_text(tab: AssessmentTab, obligation_id: str) -> str:
    model = tab.obligations_model
    row = next(r for r in range(model.rowCount()) if model.record(r).id == obligation_id)
    return str(model.index(row, ObligationsModel.COL_STATUS).data())


def open_dialog(tab: AssessmentTab, obligation_id: str = INITIAL) -> FulfilmentDialog:
    tab.select_obligation(obligation_id)
    assert tab.fulfil_button.isEnabled()
    dialog = tab.open_fulfilment_dialog()
    assert isinstance(dialog, FulfilmentDialog)
    return dialog


def test_dialog_defaults_to_now_and_the_rows_obligation(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    assert not tab.fulfil_button.isEnabled()  # nothing selected yet
    dialog = open_dialog(tab)
    assert "initial incident report" in dialog.obligation_label.text() and "13:00" in dialog.obligation_label.text()
    assert dialog.channel.currentData() == "website_12387"
    assert dialog.values()["obligation_id"] == INITIAL
    assert dialog.done_by.text() == tab.actor
    # The obligation is the row's, never typed: the only text fields are reference, who and note.
    assert set(dialog.findChildren(QLineEdit)) - {dialog.done_at.edit.lineEdit()} == {
        dialog.reference, dialog.done_by, dialog.note}
    dialog.reject()


def test_late_fulfilment_shows_met_late_then_correction_restores_overdue(
        qtbot: QtBot, factory, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock.now = parse_time("2026-11-20T16:00:00+08:00")  # due 13:00: overdue now
    tab = make_tab(qtbot, factory, clock)
    assert status_text(tab, INITIAL) == "Overdue"
    dialog = open_dialog(tab)
    dialog.done_at.set_value(parse_time("2026-11-20T14:30:00+08:00"))
    dialog.reference.setText("12387-0099")
    shot = tmp_path / "receipt.png"
    shot.write_bytes(b"\x89PNG receipt")
    dialog.set_file(str(shot))
    assert dialog.file_label.text() == "receipt.png"
    with qtbot.waitSignal(tab.fulfilment_recorded):
        dialog.submit()
    assert status_text(tab, INITIAL) == "Met late by 1h 30m"
    services = factory()
    try:
        recorded = services.fulfilments.list(1)
        assert [(f.reference, f.file_name) for f in recorded] == [("12387-0099", "receipt.png")]
    finally:
        services.close()
    tab.select_obligation(INITIAL)
    assert not tab.fulfil_button.isEnabled() and tab.correct_button.isEnabled()
    correction = tab.open_correction_dialog()
    assert isinstance(correction, CorrectionDialog)
    assert "12387-0099" in correction.target_label.text()
    correction.submit()  # no reason: stays open, the field says why
    assert correction.isVisible() and correction.errors.text("reason")
    correction.reason.setPlainText("filed for another incident")
    with qtbot.waitSignal(tab.fulfilment_recorded):
        correction.submit()
    assert status_text(tab, INITIAL) == "Overdue"


def test_on_time_fulfilment_shows_met_on_time_in_chinese(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock, "zh-CN")
    dialog = open_dialog(tab)
    dialog.done_at.set_value(parse_time("2026-11-20T11:00:00+08:00"))
    with qtbot.waitSignal(tab.fulfilment_recorded):
        dialog.submit()
    assert status_text(tab, INITIAL) == "按时完成"


def test_bad_values_stay_in_the_dialog_beside_their_field(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    dialog = open_dialog(tab)
    dialog.done_by.clear()
    dialog.done_at.set_value(parse_time("2026-11-22T10:00:00+08:00"))  # in the future
    dialog.submit()
    assert dialog.isVisible()
    assert "future" in dialog.errors.text("done_at") and dialog.errors.text("done_by") == "Required."
    services = factory()
    try:
        assert services.fulfilments.list(1) == []
    finally:
        services.close()


def test_context_menu_offers_the_actions(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    assert tab.obligations_table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_decision_dialog_picks_the_obligation_and_no_longer_offers_met_outside_tool(
        qtbot: QtBot, factory) -> None:  # type: ignore[no-untyped-def]
    tr = Translator(load_messages(), "en")
    dialog = DecisionDialog(SyncJobRunner(factory), tr, ErrorReporter(None, tr), 1, "Wang",
                            obligations=[(INITIAL, "CAC initial incident report"), ("police-report", "Police")])
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("obligation_status"))
    picker = dialog.details["obligation_status.obligation_id"]
    status = dialog.details["obligation_status.status"]
    assert isinstance(picker, QComboBox) and isinstance(status, QComboBox)
    assert [picker.itemData(i) for i in range(picker.count())] == [INITIAL, "police-report"]
    assert [status.itemData(i) for i in range(status.count())] == ["not_applicable"]
    dialog.rationale.setPlainText("no police involvement")
    assert dialog.values()["details"] == {"obligation_id": INITIAL, "status": "not_applicable"}


def test_legacy_met_outside_tool_decision_counts_as_met(factory) -> None:  # type: ignore[no-untyped-def]
    services = factory()
    try:
        services.decisions.record(1, {"kind": "obligation_status", "rationale": "phoned", "decided_by": "Wang",
                                      "details": {"obligation_id": INITIAL, "status": "met_outside_tool"}})
        o = services.assessment.assess(1).obligation(INITIAL)
        assert o.status.value == "met" and not o.needs_judgement
    finally:
        services.close()


def test_other_channel_needs_a_reference_said_in_chinese(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock, "zh-CN")
    dialog = open_dialog(tab)
    dialog.channel.setCurrentIndex(dialog.channel.findData("other"))
    dialog.submit()
    assert dialog.isVisible() and dialog.errors.text("reference").startswith("选择“其他”渠道时")


def test_dialog_refuses_a_time_before_discovery_and_a_bidi_reference(  # type: ignore[no-untyped-def]
        qtbot: QtBot, factory, clock) -> None:
    tab = make_tab(qtbot, factory, clock, lang="zh-CN")
    dialog = open_dialog(tab)
    dialog.done_at.set_value(parse_time("2026-11-20T08:00:00+08:00"))  # discovered at 09:00
    dialog.reference.setText("12387\u202e-7")
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.errors.text("done_at").startswith("时间早于事件被发现")
    assert dialog.errors.text("reference")
    services = factory()
    assert services.fulfilments.list(1) == []
    services.close()


def test_fulfilment_refused_beside_a_met_decision_names_it_in_chinese(  # type: ignore[no-untyped-def]
        qtbot: QtBot, factory, clock) -> None:
    services = factory()
    try:  # a decide file may still say met (the form does not offer it)
        decision = services.decisions.record(1, {
            "kind": "obligation_status", "rationale": "phoned", "decided_by": "Wang",
            "details": {"obligation_id": INITIAL, "status": "met", "met_at": "2026-11-20T11:00"}})
    finally:
        services.close()
    tab = make_tab(qtbot, factory, clock, "zh-CN")
    dialog = open_dialog(tab)
    dialog.submit()
    message = dialog.general_error.text() + dialog.errors.text("obligation_id")
    assert dialog.isVisible() and f"决定 #{decision.id}" in message and "更正" in message
    services = factory()
    try:
        assert services.fulfilments.list(1) == []
    finally:
        services.close()


def test_decision_dialog_preselects_no_kind(qtbot: QtBot, factory) -> None:  # type: ignore[no-untyped-def]
    """The PIPL 57 ¶2 exemption (or any kind) is never chosen for the officer: Save without a
    kind is refused beside the field and records nothing."""
    tr = Translator(load_messages(), "en")
    dialog = DecisionDialog(SyncJobRunner(factory), tr, ErrorReporter(None, tr), 1, "Wang")
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() is None and dialog.kind.currentIndex() == 0
    assert dialog.kind.findData("exempt_individual_notice") > 0
    dialog.rationale.setPlainText("r")
    dialog.show()
    dialog.submit()
    assert dialog.isVisible() and dialog.errors.text("kind")
    services = factory()
    try:
        assert services.decisions.list(1) == []
    finally:
        services.close()


def test_a_list_smaller_than_the_estimate_is_flagged_in_the_tab(qtbot: QtBot, factory, clock,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("用户ID,姓名,手机号\nU1,张三,13800138000\nU2,李四,13900139000\n", encoding="utf-8")
    services = factory()
    try:
        services.people.import_file(1, path)
    finally:
        services.close()
    tab = make_tab(qtbot, factory, clock, "zh-CN")
    assert not tab.people_gap.isHidden()
    assert "名单共 2 人" in tab.people_gap.text() and "1,200" in tab.people_gap.text()
    assert "1,198" in tab.people_gap.text()
