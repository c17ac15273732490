"""Validation messages the screens can trigger read in the officer's language: the province,
postcode, working-day and notice-language checks of Settings and the declared status of a decision
(the validators speak English for the CLI)."""

from __future__ import annotations

import re

import pytest

from incident_app.domain.decisions import parse_decision
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.profile import check_profile_changes
from incident_app.services.resources import load_messages
from incident_app.ui.common.problems import problem_text

PROVINCES = [("上海市", "Shanghai"), ("广东省", "Guangdong")]


def _problems(call) -> list[FieldProblem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    return list(caught.value.problems)


def settings_problems() -> list[FieldProblem]:
    return _problems(lambda: check_profile_changes(
        {"province": "火星", "postcode": "12345", "languages": ["fr"]}, PROVINCES))


def decision_problems() -> list[FieldProblem]:
    return _problems(lambda: parse_decision({
        "kind": "obligation_status", "rationale": "已在工具外报送", "decided_by": "王安全",
        "details": {"obligation_id": "cac_initial_report", "status": "done"}}))


@pytest.mark.parametrize("source", [settings_problems, decision_problems])
def test_chinese_screens_show_chinese_messages(source) -> None:  # type: ignore[no-untyped-def]
    zh = Translator(load_messages(), "zh-CN")
    problems = source()
    assert problems
    for problem in problems:
        text = problem_text(problem, zh)
        assert not re.search(r"[A-Za-z]{3,}", text), (problem.field, problem.message, text)


def test_each_message_has_its_own_words_in_both_languages() -> None:
    zh, en = Translator(load_messages(), "zh-CN"), Translator(load_messages(), "en")
    by_field = {p.field: p for p in settings_problems() + decision_problems()}
    assert "6位数字" in problem_text(by_field["postcode"], zh)
    assert "6 digits" in problem_text(by_field["postcode"], en)
    assert "省级行政区" in problem_text(by_field["province"], zh)
    assert "已履行" in problem_text(by_field["details.status"], zh)
    assert "通知语言" in problem_text(by_field["languages"], zh)
