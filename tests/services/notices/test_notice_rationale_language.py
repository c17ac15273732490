"""A decision's rationale and the profile's officer title and postal address reach an English notice
only in English: written only in Chinese they are marked missing there, named by field, and the
English notice's approval is refused with the command that fixes it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import Incident, parse_intake
from incident_app.domain.notices.completeness import html_sections
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import Services, open_services
from incident_app.services.notices.plan import plan_notices
from tests.services.notices.test_notices import REMEDIATION

EXEMPTION = "decisions.exempt_individual_notice"


def initial_reports(services: Services, incident_id: int) -> dict[str, object]:
    notice_set = services.notices.prepare(incident_id, kinds=[NoticeKind.REGULATOR_INITIAL])
    return {n.rendered.lang: n.rendered for n in notice_set.notices}


def individual_notice_text(rendered: object) -> str:
    sections = html_sections(rendered.content)[0]  # type: ignore[attr-defined]
    return next(s.text for s in sections if s.element == "individual_notice")


def test_a_chinese_only_exemption_is_marked_in_english_and_refuses_its_approval(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.decisions.record(incident.id, {"kind": "exempt_individual_notice", "decided_by": "王安全",
                                            "rationale": "数据已加密且密钥未泄露。"})
    by_lang = initial_reports(services, incident.id)
    english = individual_notice_text(by_lang["en"])
    assert "数据已加密" not in by_lang["en"].content and f"[English text missing: {EXEMPTION}]" in english
    assert f"English text missing: {EXEMPTION}" in by_lang["en"].report.problems
    assert "数据已加密且密钥未泄露" in individual_notice_text(by_lang["zh-CN"]) and by_lang["zh-CN"].report.complete
    with pytest.raises(ValidationError) as refused:
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    message = str(refused.value)
    assert EXEMPTION in message and "decide ID --json FILE" in message and '"en"' in message
    # recorded again in both languages: the English notice prints the English reasons
    services.decisions.record(incident.id, {"kind": "exempt_individual_notice", "decided_by": "王安全",
                                            "rationale": {"zh-CN": "数据已加密且密钥未泄露。",
                                                          "en": "The data was encrypted and the key was not exposed."}})
    by_lang = initial_reports(services, incident.id)
    assert "The data was encrypted and the key was not exposed" in individual_notice_text(by_lang["en"])
    assert by_lang["en"].report.complete, by_lang["en"].report.problems
    assert services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)


def test_decide_lang_en_records_an_english_rationale_and_chinese_notices_mark_it(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "exempt_individual_notice", "decided_by": "王安全",
                                    "rationale": "The data was encrypted."}), encoding="utf-8")
    assert run(["decide", "1", "--json", str(decision), "--lang", "en", "--db", str(db)]) == 0
    services = open_services(db)
    try:
        recorded = services.decisions.latest(1, services_kind("exempt_individual_notice"))
        assert recorded is not None and (recorded.rationale, recorded.rationale_en) == ("", "The data was encrypted.")
        assert recorded.to_dict()["rationale"] == {"zh-CN": "", "en": "The data was encrypted."}
        by_lang = initial_reports(services, 1)
        assert f"Chinese text missing: {EXEMPTION}" in by_lang["zh-CN"].report.problems
        assert "The data was encrypted" in individual_notice_text(by_lang["en"])
    finally:
        services.close()
    decision.write_text(json.dumps({"kind": "exempt_individual_notice", "decided_by": "王安全",
                                    "rationale": {"zh-CN": " ", "en": ""}}), encoding="utf-8")
    assert run(["decide", "1", "--json", str(decision), "--db", str(db)]) == 2


def services_kind(value: str) -> object:
    from incident_app.domain.decisions import DecisionKind
    return DecisionKind(value)


@pytest.mark.parametrize(("field", "value"), [("officer_title_en", "Personal Information Protection Department"),
                                              ("postal_address_en", "Room 302, No. 690 Bibo Road, Shanghai"),
                                              ("company_en", "Shanghai Wotu Network Technology Co., Ltd.")])
def test_an_empty_english_profile_field_is_named_instead_of_printing_the_chinese(
        services: Services, intake: dict[str, object], field: str, value: str) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    chinese = services.profile.get().to_dict()[field.replace("_en", "_zh")]
    services.profile.set_value(field, "")
    by_lang = initial_reports(services, incident.id)
    assert chinese not in by_lang["en"].content
    assert f"English text missing: profile.{field}" in by_lang["en"].report.problems
    assert chinese in by_lang["zh-CN"].content and by_lang["zh-CN"].report.complete
    with pytest.raises(ValidationError, match=f"profile set {field}"):
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    services.profile.set_value(field, value)
    assert services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)


def test_the_provisional_plan_s_english_why_marks_a_chinese_only_decision(intake: dict[str, object]) -> None:
    """The plan shown before an assessment: the English reason for a public announcement prints
    the missing-English marker, not the Chinese rationale."""
    instead = Decision(4, 1, DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD, "无法逐一联系，改为公告", "王安全",
                       parse_time("2026-11-20T11:00:00+08:00"), {}, "0" * 64)
    incident = Incident(1, parse_intake(intake))
    plan = plan_notices(incident, None, decisions=(instead,))
    public = next(p for p in plan if p.kind == NoticeKind.PUBLIC_ANNOUNCEMENT)
    assert public.why_en == "Decision #4: [English text missing: rationale]" and "无法逐一联系" in public.why
    plan = plan_notices(incident, None, decisions=(replace(instead, rationale_en="no way to reach them"),))
    public = next(p for p in plan if p.kind == NoticeKind.PUBLIC_ANNOUNCEMENT)
    assert public.why_en == "Decision #4: no way to reach them"
