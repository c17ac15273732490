"""The shared text rule (domain/text.py) and where it applies: intake, remediation, decisions."""

from __future__ import annotations

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import parse_decision
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import parse_intake
from incident_app.domain.remediation import parse_remediation
from incident_app.domain.text import clean_text, text_problem

NOW = parse_time("2026-11-20T12:00:00+08:00")


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\u202e", "\u2066", "\ud800"])
def test_control_bidi_and_surrogates_are_refused(bad: str) -> None:
    problem = text_problem(f"ok{bad}ok")
    assert problem is not None and "at character 3" in problem
    assert clean_text(f"ok{bad}ok") == "okok"


def test_newlines_tabs_and_direction_marks_stay() -> None:
    assert text_problem("第一行\n\t第二行 \u200e") is None
    assert text_problem("x" * 201, 200) == "is 201 characters; keep it under 200"


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.field: p.message for p in exc.value.problems}


def test_intake_refuses_control_characters_naming_the_field(intake: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake({**intake, "title": "泄露\x1b[2J", "summary": "见附件\u202etxt.exe",
                      "systems": ["CRM", "a\x00b"]}, now=NOW)
    found = problems(exc)
    assert "ESC" in found["title"] and "text-direction override" in found["summary"]
    assert found["systems"].startswith("entry 2 contains an invisible control character (U+0000")


def test_a_5mb_systems_item_is_refused(intake: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake({**intake, "systems": ["x" * 5_000_000]}, now=NOW)
    assert problems(exc)["systems"] == "entry 1 is 5000000 characters; keep it under 200"


def test_stored_facts_are_cleaned_not_refused(intake: dict[str, object]) -> None:
    facts = parse_intake({**intake, "title": "泄露\x07事件", "systems": ["C\u202eRM"]}, now=NOW, stored=True)
    assert facts.title == "泄露事件" and facts.systems == ("CRM",)


@pytest.mark.parametrize(("key", "value"), [
    ("affected_people", float("inf")), ("affected_people", float("nan")), ("affected_records", -1),
    ("affected_people", 10**30), ("economic_loss_cny", float("inf")), ("economic_loss_cny", float("nan")),
    ("economic_loss_cny", 1e13), ("eu_subjects", 10**12 + 1),
])
def test_bad_numbers_are_refused_naming_the_field(intake: dict[str, object], key: str, value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake({**intake, key: value}, now=NOW)
    assert key in problems(exc)


def test_ten_to_the_twelve_is_still_a_number(intake: dict[str, object]) -> None:
    facts = parse_intake({**intake, "affected_records": 10**12, "economic_loss_cny": 1e12}, now=NOW)
    assert facts.affected_records == 10**12


@pytest.mark.parametrize(("key", "value", "message"), [
    ("occurred_at", "0001-01-01T00:00:00+08:00", "year 1 is before 1990"),
    ("occurred_at", "1989-12-31T23:00:00+08:00", "year 1989 is before 1990"),
    ("discovered_at", "1900-01-01T00:00:00+08:00", "year 1900 is before 1990"),
    ("aware_at", "2026-11-22T12:00:00+08:00", "lies in the future"),
    ("discovered_at", "9999-12-31T00:00:00+08:00", "lies in the future"),
    ("occurred_until", "2030-01-01T00:00:00+08:00", "lies in the future"),
])
def test_dates_out_of_range_are_refused(intake: dict[str, object], key: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_intake({**intake, key: value}, now=NOW)
    assert problems(exc)[key].startswith(message)


def test_remediation_and_decision_texts_follow_the_rule() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_remediation({"actions": [{"description": "ok"}, {"description": "重置\x00密码", "owner": "a\u202eb"}],
                           "advice": [{"zh": "改密码\x07", "en": ""}]})
    found = {(p.field, p.row) for p in exc.value.problems}
    assert found == {("actions.description", 2), ("actions.owner", 2), ("advice.zh", 1)}
    with pytest.raises(ValidationError) as exc:
        parse_decision({"kind": "cac_grade_judgement", "rationale": "理由\x1b", "decided_by": "王" * 201,
                        "details": {"level": "一般", "note": "x\u2067y"}})
    assert set(problems(exc)) == {"rationale", "decided_by", "details.note"}


def test_the_regex_class_refuses_exactly_the_characters_the_rule_names() -> None:
    # The fast path (one regex search per text) must agree with the readable rule, code point by code point.
    from incident_app.domain.text import _FORBIDDEN, _is_forbidden

    refused = [c for c in map(chr, range(0x110000)) if _is_forbidden(c)]
    matched = [c for c in map(chr, range(0x110000)) if _FORBIDDEN.fullmatch(c)]
    assert refused == matched
    assert clean_text("a\u202eb\x07c\td\ud800") == "abc\td"
    assert text_problem("ok\x1bno") == ("contains an invisible control character (U+001B ESC) at character 3; "
                                        "remove it and retype the text")
