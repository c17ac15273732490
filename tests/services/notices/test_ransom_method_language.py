"""The ransom's way of payment (CAC report item 2) in the report's language: the Chinese report
prints ``method`` (比特币), the English one ``method_en`` (Bitcoin); written in Chinese only, the
English report shows a marker naming ransom.method_en, its check says so and approval says how
to write it — it never prints the Chinese words."""

from __future__ import annotations

import re

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import Services
from tests.services.notices.test_notices import REMEDIATION

RANSOMWARE = {"cause": "malware", "malicious": True,
              "ransom": {"amount_cny": 500000, "method": "比特币", "date": "2026-11-19"}}


def initial_reports(services: Services, incident_id: int) -> dict[str, object]:
    notices = services.notices.prepare(incident_id, kinds=[NoticeKind.REGULATOR_INITIAL]).notices
    return {n.rendered.lang: n.rendered for n in notices}


def test_a_chinese_only_way_of_payment_is_named_in_english_and_holds_the_english_report(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | RANSOMWARE)
    services.remediation.add(incident.id, REMEDIATION)
    snapshot = services.notices.snapshot(incident.id)
    assert "method_en" not in snapshot.data["facts"]["ransom"]  # older ransoms keep their snapshot
    by_lang = initial_reports(services, incident.id)
    english, chinese = by_lang["en"], by_lang["zh-CN"]
    assert "比特币" not in english.content  # type: ignore[attr-defined]
    assert "Payment method demanded: [English text missing: ransom.method_en]" in english.content  # type: ignore[attr-defined]
    assert "English text missing: ransom.method_en" in english.report.problems  # type: ignore[attr-defined]
    assert "要求的支付方式：比特币" in chinese.content  # type: ignore[attr-defined]
    assert not [p for p in chinese.report.problems if "ransom" in p]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match=re.escape('edit ID --json FILE with {"ransom": {"method_en": "…"}}')):
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    services.incidents.update_facts(incident.id, {"ransom": {"method_en": "Bitcoin"}})
    facts = services.incidents.get(incident.id).facts
    assert facts.ransom is not None and (facts.ransom.method, facts.ransom.method_en) == ("比特币", "Bitcoin")
    english = initial_reports(services, incident.id)["en"]
    assert "Payment method demanded: Bitcoin" in english.content  # type: ignore[attr-defined]
    assert not [p for p in english.report.problems if "ransom" in p]  # type: ignore[attr-defined]
