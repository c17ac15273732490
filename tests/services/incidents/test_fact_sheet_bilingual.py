"""The Overview shows each bilingual fact in both languages, and an English gap as such."""

from __future__ import annotations

from incident_app.domain.i18n import Translator
from incident_app.domain.incident import parse_intake
from incident_app.services.incidents.fact_sheet import fact_rows
from incident_app.services.resources import load_catalog, load_messages


def test_fact_rows_show_english_beside_chinese() -> None:
    facts = parse_intake({"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "summary": "存储桶配置错误",
                          "location": {"zh-CN": "上海", "en": "上海", "untranslated": ["en"]},
                          "systems": {"zh-CN": ["会员系统"], "en": ["Members"]}})
    rows = {r.key: r.value for r in fact_rows(facts, load_catalog(), Translator(load_messages(), "en"))}
    assert rows["summary"] == "存储桶配置错误\nEnglish: (missing; English notices cannot be approved)"
    assert rows["location"] == "上海\nEnglish: 上海 (untranslated)"
    assert rows["systems"].endswith("\nEnglish: Members")
    assert "English" not in rows["discovered_by"]  # nothing in either language
