"""The MIIT data-security incident plan's tiers at their boundaries (inclusive minimums; sensitive
PI at one tenth of the general threshold) and the confidence marks each tier carries."""

from __future__ import annotations

import pytest

from incident_app.domain.assessment.miit import grade_miit
from incident_app.services.resources import load_assessment_rules

RULES = load_assessment_rules().miit


@pytest.mark.parametrize(("people", "sensitive", "level", "unconfirmed"), [
    (99_999, True, "一般", False),
    (100_000, True, "较大", True),  # the sensitive 较大 band was not found in the sources: ❓
    (999_999, True, "较大", True),
    (1_000_000, True, "重大", False),  # 100万(含) sensitive PI: 重大 ✅
    (9_999_999, True, "重大", False),
    (10_000_000, True, "特别重大", False),
    (999_999, False, "一般", False),
    (1_000_000, False, "较大", False),
    (9_999_999, False, "较大", False),
    (10_000_000, False, "重大", False),  # 1000万(含) PI: 重大 ✅
    (99_999_999, False, "重大", False),
    (100_000_000, False, "特别重大", False),
])
def test_miit_tiers_at_their_boundaries(people: int, sensitive: bool, level: str, unconfirmed: bool) -> None:
    assert RULES is not None
    grade = grade_miit(people, sensitive, RULES)
    assert grade.level.value == level
    assert grade.unconfirmed is unconfirmed
    if unconfirmed:
        assert "未经证实" in grade.why.zh and "unconfirmed" in grade.why.en and "❓" in grade.why.en


def test_each_tier_carries_the_fact_base_confidence() -> None:
    assert RULES is not None
    marks = {(i.id, t.level.value): t.citation.confidence.mark for i in RULES.indicators for t in i.thresholds}
    assert marks == {("people", "较大"): "◐", ("people", "重大"): "✅", ("people", "特别重大"): "◐",
                     ("sensitive_people", "较大"): "❓", ("sensitive_people", "重大"): "✅",
                     ("sensitive_people", "特别重大"): "◐"}
    # The plan's reach to VATS licence holders and its report time limit are not confirmed either.
    assert RULES.applies_citation.confidence.mark == "❓" and RULES.report_time_citation.confidence.mark == "❓"
    assert grade_miit(10, False, RULES).citation.confidence.mark == "❓"
