from __future__ import annotations

from datetime import timedelta

import pytest

from incident_app.domain.clock import SHANGHAI, parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import BreachType, parse_intake

NOW = parse_time("2026-11-20T12:00:00+08:00")
IDS = {"phone_number", "ip_address"}


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [p.field for p in exc.value.problems]


def test_valid_intake_round_trips(intake: dict[str, object]) -> None:
    facts = parse_intake(intake, IDS, now=NOW)
    assert facts.breach_types == (BreachType.LEAK,)
    assert parse_intake(facts.to_dict(), IDS, now=NOW) == facts


def test_time_without_offset_is_shanghai(intake: dict[str, object]) -> None:
    facts = parse_intake(intake, IDS, now=NOW)
    assert facts.occurred_at is not None
    assert facts.occurred_at.utcoffset() == timedelta(hours=8)
    assert facts.occurred_at.tzinfo == SHANGHAI


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"colour": "red"}, "colour", "unknown key"),
        ({"discovered_at": "yesterday"}, "discovered_at", "ISO 8601"),
        ({"occurred_at": "2026-11-20T10:00:00+08:00"}, "occurred_at", "after discovered_at"),
        ({"affected_people": -5}, "affected_people", "negative"),
        ({"affected_people": "many"}, "affected_people", "whole number"),
        ({"data_types": ["phone_number", "dna"]}, "data_types", "dna"),
        ({"breach_types": ["leak", "melt"]}, "breach_types", "melt"),
        ({"cause": "aliens"}, "cause", "aliens"),
        ({"malicious": "yes"}, "malicious", "true or false"),
        ({"title": ""}, "title", "required"),
        ({"aware_at": "2026-11-20T08:00:00+08:00"}, "aware_at", "before discovered_at"),
        ({"discovered_at": "2026-12-20T08:00:00+08:00", "aware_at": None}, "discovered_at", "future"),
        ({"affected_minors": 5000}, "affected_minors", "exceeds"),
    ],
)
def test_bad_field_is_named(intake: dict[str, object], change: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake(intake | change, IDS, now=NOW)
    problem = next(p for p in exc.value.problems if p.field == field)
    assert words in problem.message


def test_all_problems_reported_at_once(intake: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake(intake | {"affected_people": -1, "cause": "x", "extra": 1}, IDS, now=NOW)
    assert set(fields_of(exc)) == {"affected_people", "cause", "extra"}


def test_not_an_object_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_intake(["title"], IDS, now=NOW)  # type: ignore[arg-type]
