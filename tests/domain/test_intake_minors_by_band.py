"""The intake takes minors by band (under 14, 14-17); affected_minors stays accepted as the total."""

from __future__ import annotations

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import parse_intake

NOW = parse_time("2026-11-20T12:00:00+08:00")


def test_bands_add_up_to_the_total(intake: dict[str, object]) -> None:
    facts = parse_intake(intake | {"affected_minors": 0, "affected_minors_under_14": 12,
                                   "affected_minors_14_17": 27}, now=NOW)
    assert (facts.affected_minors, facts.affected_minors_under_14, facts.affected_minors_14_17) == (39, 12, 27)
    assert parse_intake(facts.to_dict(), now=NOW) == facts


def test_the_old_total_alone_is_still_accepted(intake: dict[str, object]) -> None:
    facts = parse_intake(intake | {"affected_minors": 5}, now=NOW)
    assert (facts.affected_minors, facts.affected_minors_under_14, facts.affected_minors_14_17) == (5, 0, 0)


def test_a_total_below_its_bands_is_refused_naming_the_field(intake: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_intake(intake | {"affected_minors": 3, "affected_minors_under_14": 2, "affected_minors_14_17": 2},
                     now=NOW)
    assert [p.field for p in caught.value.problems] == ["affected_minors"]
    assert "fewer than affected_minors_under_14 + affected_minors_14_17" in caught.value.problems[0].message
