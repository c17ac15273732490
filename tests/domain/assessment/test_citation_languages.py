"""Every source citation of the shipped rules has its Chinese text beside the English one, so the
Chinese UI never shows an English citation; combined citations keep both languages."""

from __future__ import annotations

import dataclasses
from typing import Any

from incident_app.domain.assessment.common import Citation, Confidence, joined_citation
from incident_app.services.resources import load_assessment_rules


def citations(value: Any, seen: set[int] | None = None) -> list[Citation]:
    """Every Citation reachable from ``value`` (dataclasses, mappings, sequences)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, Citation):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [c for f in dataclasses.fields(value) for c in citations(getattr(value, f.name), seen)]
    if isinstance(value, dict):
        return [c for v in value.values() for c in citations(v, seen)]
    if isinstance(value, list | tuple):
        return [c for v in value for c in citations(v, seen)]
    return []


def test_every_shipped_citation_has_a_chinese_text() -> None:
    found = citations(load_assessment_rules())
    assert len(found) >= 50
    missing = [c.source for c in found if not c.source_zh]
    assert not missing, missing
    assert all(c.source_in("en") == c.source and c.source_in("zh-CN") == c.source_zh for c in found)


def test_a_joined_citation_keeps_both_languages() -> None:
    a = Citation("CAC Incident Reporting Measures Art. 4", Confidence.CONFIRMED, "《网络安全事件报告管理办法》第四条")
    b = Citation("GDPR Art. 34(3)(c)", Confidence.SECONDARY)
    joined = joined_citation([a, b, a], Confidence.SECONDARY)
    assert joined.source == "CAC Incident Reporting Measures Art. 4; GDPR Art. 34(3)(c)"
    assert joined.source_in("zh-CN") == "《网络安全事件报告管理办法》第四条；GDPR Art. 34(3)(c)"
    assert joined_citation([b], Confidence.SECONDARY).source_zh == ""
