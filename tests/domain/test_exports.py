from __future__ import annotations

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.exports import flatten_for_sheet, neutralise_cell, xlsx_safe


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("＝1+1", "'＝1+1"),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("手机号泄露", "手机号泄露"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe(raw: str, safe: str) -> None:
    assert neutralise_cell(raw) == safe


@pytest.mark.parametrize("value", [None, 0, -3, 2.5, True])
def test_numbers_and_empty_cells_stay_as_they_are(value: object) -> None:
    assert neutralise_cell(value) == value


def test_times_become_iso_text() -> None:
    assert neutralise_cell(parse_time("2026-11-20T09:00:00")) == "2026-11-20T09:00:00+08:00"


def test_lists_are_joined_then_neutralised() -> None:
    row = flatten_for_sheet({"a": ["=x", "y"], "b": 3}, ["a", "b", "missing"])
    assert row == ["'=x; y", 3, None]


def test_xlsx_drops_control_characters_it_cannot_store() -> None:
    assert xlsx_safe("bell\x07 tab\t") == "bell tab\t"
