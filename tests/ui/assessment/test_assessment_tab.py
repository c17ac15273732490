from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.assessment.judgement_dialog import JudgementDialog
from incident_app.ui.assessment.models import RED, ObligationsModel
from incident_app.ui.assessment.tab import AssessmentTab


@pytest.fixture
def factory(db_path: Path, clock, intake):  # type: ignore[no-untyped-def]
    def make():  # type: ignore[no-untyped-def]
        return open_services(db_path, clock=clock)

    services = make()
    services.incidents.create(intake | {"affected_people": 1_500_000, "affected_minors": 0})
    # One deletion request arrived: the policy's fifteen-working-day handling clock is the far one.
    services.enquiries.add(1, {"channel": "phone", "contact": "13800138000", "topic": "deletion",
                               "received_at": "2026-11-20T10:00:00+08:00"})
    services.close()
    return make


def make_tab(qtbot: QtBot, factory, clock, lang: str = "zh-CN") -> AssessmentTab:  # type: ignore[no-untyped-def]
    tab = AssessmentTab(SyncJobRunner(factory), Translator(load_messages(), lang), 1)
    tab.obligations_model._now = clock
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.refresh()
    return tab


def row_of(model: ObligationsModel, obligation_id: str) -> int:
    return next(r for r in range(model.rowCount()) if model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).id
                == obligation_id)


def test_tab_shows_severity_grade_and_obligations(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    assert "较大" in tab.grade_level.text()
    assert "须按时限" in tab.grade_status.text()
    assert "SE = DPC × EI + CB = 1 × 1 + 0.5 = 1.5" in tab.severity_headline.text()
    assert tab.factors_model.rowCount() == 6
    model = tab.obligations_model
    assert model.rowCount() >= 17
    row = row_of(model, "cac-initial-report")
    assert model.index(row, ObligationsModel.COL_DUE).data() == "2026-11-20 13:00"
    assert model.index(row, ObligationsModel.COL_COUNTDOWN).data() == "1h 00m"
    assert model.index(row, ObligationsModel.COL_CONFIDENCE).data() == "● 原文已核"
    tooltip = model.index(row, ObligationsModel.COL_WHY).data(Qt.ItemDataRole.ToolTipRole)
    assert "《网络安全事件报告管理办法》第四条" in tooltip and "Art. 4" not in tooltip  # the UI language
    assert model.index(row, ObligationsModel.COL_WHY).data()
    immediate = row_of(model, "pipl57-regulator")
    assert "内部目标" in model.index(immediate, ObligationsModel.COL_DUE).data()
    assert not tab.banner.isHidden()
    assert "ENISA" in tab.banner.text()
    first = tab.obligations_proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert first.id == "policy-responsible-persons"  # sorted most urgent first: the brief's 1 h target
    second = tab.obligations_proxy.index(1, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert second.id == "cac-initial-report"
    tab.obligations_table.selectRow(1)
    detail = tab.obligation_detail.text()
    assert "属地省级网信部门" in detail and "12387" in detail and "发现时间" in detail and "第四条" in detail
    assert "Measures" not in detail and "Art." not in detail


def test_countdown_turns_red_then_overdue_bold(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    model = tab.obligations_model
    row = row_of(model, "cac-initial-report")
    clock.now = parse_time("2026-11-20T12:30:00+08:00")
    assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole).color() == RED
    assert not model.index(row, 0).data(Qt.ItemDataRole.FontRole)
    clock.now = parse_time("2026-11-20T13:20:00+08:00")
    model.tick()
    assert model.index(row, ObligationsModel.COL_STATUS).data() == "已逾期"
    assert model.index(row, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(row, ObligationsModel.COL_COUNTDOWN).data() == "逾期 0h 20m"
    far = row_of(model, "policy-enquiry-handling")
    assert model.index(far, 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_saving_inputs_requires_rationale_then_reassesses(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    tab.dpc_adjustment.setValue(2)
    tab.save_inputs()
    assert "dpc_rationale" in tab.input_error.text()
    tab.dpc_rationale.setText("号码与订单关联，可推断消费能力")
    tab.ei_rationale.setText("手机号可直接识别个人")
    with qtbot.waitSignal(tab.inputs_saved):
        tab.save_inputs()
    assert "3 × 1 + 0.5 = 3.5" in tab.severity_headline.text()
    assert tab.assessment is not None and tab.assessment.severity.reviewed
    assert tab.dpc_rationale.text() == "号码与订单关联，可推断消费能力"


def test_record_judgement_clears_the_needs_judgement_banner(qtbot: QtBot, db_path: Path, clock, intake) -> None:  # type: ignore[no-untyped-def]
    services = open_services(db_path, clock=clock)
    services.incidents.create(intake)  # 1,200 people with 3 minors: judgement needed
    services.close()
    tab = make_tab(qtbot, lambda: open_services(db_path, clock=clock), clock, "en")
    assert "Needs judgement" in tab.grade_status.text()
    assert "CAC incident grade" in tab.banner.text()
    with qtbot.waitSignal(tab.judgement_recorded):
        tab.record_judgement({"kind": "cac_grade_judgement", "rationale": "3 children's phone numbers",
                              "decided_by": "Wang", "details": {"level": "较大"}})
    assert "Grade: Relatively major (较大)" in tab.grade_level.text()  # English words, the term in brackets
    assert "CAC incident grade" not in tab.banner.text()


def test_judgement_dialog_needs_reason_and_decider(qtbot: QtBot) -> None:
    dialog = JudgementDialog(Translator(load_messages(), "zh-CN"), "一般")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.rationale.setPlainText("涉及 3 名儿童，影响有限")
    dialog.decided_by.setText("王安全")
    assert ok.isEnabled()
    dialog.level.setCurrentText("较大")
    assert dialog.decision_data()["details"] == {"level": "较大"}


def test_judgement_dialog_in_english_shows_grades_in_english_and_stores_the_term(qtbot: QtBot) -> None:
    dialog = JudgementDialog(Translator(load_messages(), "en"), "一般")
    qtbot.addWidget(dialog)
    assert dialog.level.currentText() == "General (一般)"
    dialog.level.setCurrentIndex(dialog.level.findData("重大"))
    assert dialog.level.currentText() == "Major (重大)"
    assert dialog.decision_data()["details"] == {"level": "重大"}


def test_threaded_runner_delivers_the_assessment(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner(factory)
    tab = AssessmentTab(runner, Translator(load_messages(), "zh-CN"), 1)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.assessment_loaded, timeout=10_000):
        tab.refresh()
    assert tab.obligations_model.rowCount() >= 17
    assert runner.wait_all()
    assert clock.now - parse_time("2026-11-20T12:00:00+08:00") == timedelta(0)


def test_a_refresh_keeps_the_selected_obligation(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    """A refresh (a change elsewhere, a reminder's own event) used to drop the selected row: the
    detail panel still described it while 'Record fulfilment…' went grey."""
    tab = make_tab(qtbot, factory, clock)
    tab.select_obligation("cac-initial-report")
    tab.refresh()
    chosen = tab.selected_obligation()
    assert chosen is not None and chosen.id == "cac-initial-report" and tab.fulfil_button.isEnabled()
    assert "网络安全事件初报" in tab.obligation_detail.text()


def test_a_passed_internal_target_is_not_worded_like_time_left(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    """'内部 -1h 15m' read like a countdown; once the internal target has passed it says so."""
    tab = make_tab(qtbot, factory, clock)
    model = tab.obligations_model
    row = row_of(model, "policy-responsible-persons")
    target = model.index(row, 0).data(Qt.ItemDataRole.UserRole + 1).deadline.internal_target
    assert target is not None
    model._now = lambda: target + timedelta(hours=1, minutes=15)
    text = model.index(row, ObligationsModel.COL_COUNTDOWN).data()
    assert text == "已过内部目标 1h 15m" and "-" not in text


def test_source_citations_follow_the_ui_language(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    zh, en = make_tab(qtbot, factory, clock), make_tab(qtbot, factory, clock, "en")
    for tab in (zh, en):
        tab.obligations_table.selectRow(1)
    assert "《网络安全事件报告管理办法》" in zh.grade_source.text() + zh.obligation_detail.text()
    assert "Measures" not in zh.obligation_detail.text() and "Grading Guide" not in zh.grade_source.text()
    assert "CAC Incident Reporting Measures Art. 4" in en.obligation_detail.text()
    for tab, foreign in ((zh, "ENISA 2013 DPC table"), (en, "数据处理情境")):
        tips = [str(tab.factors_model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole))
                for r in range(tab.factors_model.rowCount())]
        assert tips and not [t for t in tips if foreign in t], tips


def test_chinese_tab_shows_no_raw_codes(qtbot: QtBot, db_path: Path, clock, intake) -> None:  # type: ignore[no-untyped-def]
    """Every label and table cell of the Chinese tab in words: no 'simple', 'ordinary',
    'third_party', 'met' or ISO timestamps (the reviewers found them in the reasons)."""
    from PySide6.QtWidgets import QLabel

    services = open_services(db_path, clock=clock)
    services.incidents.create(intake | {"cause": "third_party", "malicious": False})
    services.close()
    tab = make_tab(qtbot, lambda: open_services(db_path, clock=clock), clock)
    texts = [label.text() for label in tab.findChildren(QLabel)]
    for model in (tab.obligations_model, tab.factors_model):
        texts += [str(model.index(r, c).data() or "") for r in range(model.rowCount())
                  for c in range(model.columnCount())]
    shown = "\n".join(texts)
    assert "第三方" in shown  # the cause is named
    for code in ("simple", "ordinary", "third_party", "cac_grade_judgement", "public_announcement_instead",
                 "not_applicable", "needs_judgement"):
        assert code not in shown, code
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", shown)


def test_the_regime_column_names_the_regime_in_words(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    for lang, policy, cac in (("zh-CN", "本公司隐私政策", "《网络安全事件报告管理办法》"),
                              ("en", "Company privacy policy", "CAC Incident Reporting Measures")):
        tab = make_tab(qtbot, factory, clock, lang)
        model = tab.obligations_model
        shown = [model.index(r, ObligationsModel.COL_REGIME).data() for r in range(model.rowCount())]
        assert shown[row_of(model, "policy-responsible-persons")] == policy
        assert shown[row_of(model, "cac-initial-report")] == cac
        assert not {"POLICY", "MIIT-2024", "CAC-2025", "PIPL-57"} & set(shown), shown
        tab.obligations_table.selectRow(0)
        assert tab.obligation_detail.text().startswith(policy)


def test_the_english_grade_why_shows_the_english_rationale_or_the_missing_marker(
        qtbot: QtBot, db_path: Path, clock, intake) -> None:  # type: ignore[no-untyped-def]
    services = open_services(db_path, clock=clock)
    services.incidents.create(intake)  # 1,200 people with 3 minors: judgement needed
    services.close()
    tab = make_tab(qtbot, lambda: open_services(db_path, clock=clock), clock, "en")
    dialog = JudgementDialog(tab.tr_, "一般")
    qtbot.addWidget(dialog)
    dialog.rationale.setPlainText("涉及三名儿童的手机号码")
    dialog.decided_by.setText("王安全")
    with qtbot.waitSignal(tab.judgement_recorded):
        tab.record_judgement(dialog.decision_data())
    why = tab.grade_why.text()
    assert "[English text missing: rationale]" in why and "涉及三名儿童" not in why
    assert "王安全" in why, "who decided stays named: a name is not translated"
    # The dialog's English box: what the English text prints.
    dialog.rationale_en.setPlainText("three children's phone numbers")
    dialog.decided_by.setText("Wang Anquan")
    assert dialog.decision_data()["rationale"] == {"zh-CN": "涉及三名儿童的手机号码",
                                                   "en": "three children's phone numbers"}
    with qtbot.waitSignal(tab.judgement_recorded):
        tab.record_judgement(dialog.decision_data())
    why = tab.grade_why.text()
    assert "(decision #2, Wang Anquan)" in why and "rationale: three children's phone numbers." in why
    assert "English text missing" not in why and not tab.errors.shown


def test_the_judgement_dialog_takes_an_english_only_rationale(qtbot: QtBot) -> None:
    dialog = JudgementDialog(Translator(load_messages(), "en"), "一般")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.decided_by.setText("Wang Anquan")
    assert not ok.isEnabled()
    dialog.rationale_en.setPlainText("three children's phone numbers")
    assert ok.isEnabled()
    assert dialog.decision_data()["rationale"] == {"zh-CN": "", "en": "three children's phone numbers"}
