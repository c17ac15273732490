from __future__ import annotations

import re
from dataclasses import replace

import pytest
from assessment_support import RULES, decision, make_incident, run

from incident_app.domain.assessment.common import Confidence
from incident_app.domain.assessment.grading import CacLevel, GradingInput, grade_incident
from incident_app.domain.decisions import DecisionKind


def grade(people: int = 0, loss: float = 0, *, sensitive: bool = False, minors: bool = False,
          suspected: bool = False, judgement=None):  # type: ignore[no-untyped-def]
    return grade_incident(GradingInput(people, loss, sensitive, minors, suspected, judgement), RULES.grading)


@pytest.mark.parametrize(
    ("people", "level", "reportable"),
    [
        (0, "一般", False),
        (999_999, "一般", False),
        (1_000_000, "较大", True),
        (9_999_999, "较大", True),
        (10_000_000, "重大", True),
        (99_999_999, "重大", True),
        (100_000_000, "特别重大", True),
        (250_000_000, "特别重大", True),
    ],
)
def test_people_thresholds_are_inclusive(people: int, level: str, reportable: bool) -> None:
    result = grade(people)
    assert result.level.value == level
    assert result.reportable is reportable
    assert result.needs_judgement is False
    assert f"{people:,}" in result.why.en


@pytest.mark.parametrize(
    ("loss", "level", "confidence"),
    [
        (4_999_999.99, "一般", Confidence.CONFIRMED),
        (5_000_000, "较大", Confidence.SECONDARY),
        (20_000_000, "重大", Confidence.SECONDARY),
        (100_000_000, "特别重大", Confidence.CONFIRMED),
    ],
)
def test_economic_loss_thresholds_carry_their_confidence(loss: float, level: str, confidence: Confidence) -> None:
    result = grade(10, loss)
    assert result.level.value == level
    assert result.citation.confidence == confidence


def test_highest_indicator_wins() -> None:
    assert grade(1_000_000, 20_000_000).level == CacLevel.MAJOR
    assert grade(10_000_000, 5_000_000).level == CacLevel.MAJOR
    assert grade(100, 100_000_000).level == CacLevel.PARTICULARLY_MAJOR


@pytest.mark.parametrize(("sensitive", "minors"), [(True, False), (False, True), (True, True)])
def test_sensitive_or_minors_below_a_million_needs_judgement(sensitive: bool, minors: bool) -> None:
    result = grade(999_999, sensitive=sensitive, minors=minors)
    assert result.level == CacLevel.GENERAL
    assert result.needs_judgement is True
    assert result.reportable is False
    assert "judgement" in result.why.en and "需要判断" in result.why.zh


def test_plain_data_below_a_million_is_not_reportable_and_says_pipl_still_applies() -> None:
    result = grade(999_999)
    assert (result.reportable, result.needs_judgement) == (False, False)
    assert "PIPL Art. 57" in result.why.en


def test_above_threshold_sensitive_data_needs_no_judgement() -> None:
    result = grade(1_000_000, sensitive=True, minors=True)
    assert result.level == CacLevel.RELATIVELY_MAJOR and not result.needs_judgement


@pytest.mark.parametrize(("judged", "reportable"), [("一般", False), ("较大", True), ("重大", True)])
def test_recorded_judgement_settles_the_grade(judged: str, reportable: bool) -> None:
    judgement = decision(DecisionKind.CAC_GRADE_JUDGEMENT, 7, level=judged)
    result = grade(5000, sensitive=True, judgement=judgement)
    assert result.level.value == judged
    assert result.reportable is reportable
    assert result.needs_judgement is False
    assert result.judgement_decision_id == 7
    assert "#7" in result.why.en and "王安全" in result.why.zh


def test_judgement_cannot_lower_a_numeric_grade() -> None:
    judgement = decision(DecisionKind.CAC_GRADE_JUDGEMENT, 3, level="一般")
    result = grade(10_000_000, judgement=judgement)
    assert result.level == CacLevel.MAJOR
    assert "cannot go below" in result.why.en


def test_miit_tiers_are_only_an_informational_note() -> None:
    result = grade(2_000_000, sensitive=True)
    assert result.level == CacLevel.RELATIVELY_MAJOR  # MIIT would say 重大; the CAC Guide decides
    assert any("MIIT" in note.en for note in result.notes)
    assert not grade(2_000_000).notes


def test_minors_in_intake_make_the_engine_ask_for_judgement() -> None:
    assessment = run(make_incident(affected_people=500, affected_minors=1))
    assert assessment.grade.needs_judgement
    assert assessment.minors_involved and assessment.sensitive
    assert "minors_info" in [t.id for t in assessment.data_types]
    assert assessment.needs_judgement[0].item == "cac_grade"


def test_policy_sensitive_data_type_triggers_judgement() -> None:
    assessment = run(make_incident(data_types=["phone_number", "id_number"], affected_people=20_000))
    assert assessment.grade.needs_judgement
    plain = run(make_incident(data_types=["phone_number"], affected_people=20_000))
    assert not plain.grade.needs_judgement and not plain.grade.reportable


def test_suspected_incident_is_graded_on_its_potential_scale_with_a_note() -> None:
    result = grade(1_500_000, suspected=True)
    assert result.level == CacLevel.RELATIVELY_MAJOR
    assert any("Suspected" in n.en for n in result.notes)


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def test_the_english_why_prints_a_marker_where_the_judgement_is_only_in_chinese() -> None:
    judgement = replace(decision(DecisionKind.CAC_GRADE_JUDGEMENT, 7, level="较大"),
                        rationale="涉及三名儿童的手机号码", decided_by="王安全")
    result = grade(5000, sensitive=True, judgement=judgement)
    assert "[English text missing: rationale]" in result.why.en
    assert "王安全" in result.why.en, "who decided is named as recorded: a name is not translated"
    # No other Chinese but the grade's own term in brackets, e.g. "relatively major (较大)".
    assert CJK.findall(result.why.en.replace("(较大)", "").replace("(一般)", "").replace("王安全", "")) == []
    assert "王安全" in result.why.zh and "涉及三名儿童的手机号码" in result.why.zh  # the Chinese text is unchanged


def test_the_english_why_prints_the_english_rationale_and_a_latin_name() -> None:
    judgement = replace(decision(DecisionKind.CAC_GRADE_JUDGEMENT, 7, level="较大"),
                        rationale="涉及三名儿童的手机号码", rationale_en="three children's phone numbers",
                        decided_by="Wang Anquan")
    result = grade(5000, sensitive=True, judgement=judgement)
    assert "(decision #7, Wang Anquan)" in result.why.en
    assert "rationale: three children's phone numbers." in result.why.en
    assert "English text missing" not in result.why.en
    assert "理由：涉及三名儿童的手机号码" in result.why.zh
