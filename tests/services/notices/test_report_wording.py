"""Issue 12 points 4 and 6: the CAC report is addressed by operator type and carries the eight
Art. 7 items (unknown ones marked 待补报, known ones not); the wording matches the facts (a suspected
incident is a possibility, tampering is not a leak, an exemption says what still happens, values
are never rounded across a threshold); the police case report and the GDPR delay reasons."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import Incident, IncidentStatus, parse_intake
from incident_app.domain.notices import SnapshotInputs, build_snapshot
from incident_app.domain.notices.completeness import html_sections
from incident_app.domain.notices.kinds import CHANNELS, Channel, NoticeKind
from incident_app.domain.profile import OperatorType
from incident_app.services.container import Services
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.render import NoticeRenderer, contact_expectations
from incident_app.services.notices.sample import SAMPLE_ACTIONS, SAMPLE_INTAKE, SAMPLE_NOTES, SAMPLE_TEXTS
from incident_app.services.notices.templates import NoticeTemplates
from incident_app.services.resources import load_catalog, load_default_profile
from tests.conftest import Clock

NOW = parse_time("2026-12-31T00:00:00+08:00")
AS_OF = parse_time("2026-11-20T12:00:00+08:00")
ART7_ITEMS = ("operator_system", "incident_facts", "trend", "cause_analysis", "tracing_leads", "planned_measures",
              "scene_protection", "other_matters")
ART7_HEADINGS = {
    "zh-CN": ("一、事发单位名称", "二、事件发现或发生时间", "三、事态发展趋势", "四、网络安全事件原因初步分析",
              "五、溯源调查工作线索", "六、拟进一步采取的应对措施以及请求支援事项", "七、网络安全事件现场保护情况",
              "八、其他应当报告的情况"),
    "en": ("1. Operator", "2. Discovery", "3. Likely development", "4. Preliminary cause analysis",
           "5. Leads for tracing", "6. Planned further measures", "7. Preservation of the incident scene",
           "8. Other matters"),
}


def renderer(*, facts: dict[str, Any] | None = None, texts: dict[str, dict[str, str]] | None = None,
             profile: dict[str, Any] | None = None, decisions: tuple[Decision, ...] = (),
             prepared_at: Any = None, planned: tuple[NoticeKind, ...] = tuple(NoticeKind)) -> NoticeRenderer:
    """The sample incident with some facts, texts, profile fields or decisions changed."""
    intake = {**SAMPLE_INTAKE, **(facts or {})}
    incident = Incident(1, parse_intake(intake, now=NOW), IncidentStatus.ASSESSED, AS_OF, AS_OF)
    base = load_default_profile()
    prof = replace(base, **(profile or {}))
    snapshot = build_snapshot(SnapshotInputs(
        incident=incident, profile=prof, catalog=load_catalog(), actions=SAMPLE_ACTIONS, notes=SAMPLE_NOTES,
        decisions=decisions, element_texts=SAMPLE_TEXTS if texts is None else texts, grade="较大", as_of=AS_OF))
    builder = NoticeContextBuilder(snapshot, ReportInfo(planned=planned, prepared_at=prepared_at))
    return NoticeRenderer(NoticeTemplates(), builder, contact_expectations(builder))


def decision(kind: DecisionKind, rationale: str, rationale_en: str = "") -> Decision:
    return Decision(1, 1, kind, rationale, "officer", AS_OF, {}, "sig", rationale_en)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def addressee(html: str) -> str:
    """The salutation line of a regulator report (the paragraph after the reference line)."""
    return re.findall(r'<p class="meta">.*?</p>\s*<p>(.*?)</p>', html, re.S)[0]


# -- point 4: addressee --------------------------------------------------------------------------

def test_cii_operator_reports_to_the_protection_department_and_the_police() -> None:
    r = renderer(profile={"operator_type": OperatorType.CRITICAL_INFRASTRUCTURE, "province": "北京市"})
    zh = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN")
    en = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "en")
    assert zh.report.complete and en.report.complete
    assert "关键信息基础设施保护工作部门" in addressee(zh.content) and "公安机关" in addressee(zh.content)
    assert "网信办" not in addressee(zh.content) and "上海" not in addressee(zh.content)
    assert "本报告同时报送公安机关" in zh.content
    assert "protection department" in addressee(en.content) and "police" in addressee(en.content)


def test_state_organ_reports_through_its_own_channel() -> None:
    r = renderer(profile={"operator_type": OperatorType.STATE_ORGAN})
    zh = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN").content
    en = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "en").content
    assert addressee(zh) == "本单位网信工作机构："
    assert "own cyberspace work unit" in addressee(en)


def test_ordinary_operator_in_beijing_reports_to_the_beijing_office() -> None:
    r = renderer(profile={"province": "北京市"})
    for kind in (NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT):
        zh = r.render_master(kind, Channel.DOCUMENT, "zh-CN").content
        assert "北京市网信办" in addressee(zh) and "上海" not in addressee(zh)
        assert "Beijing" in addressee(r.render_master(kind, Channel.DOCUMENT, "en").content)


# -- point 4: the eight items, 待补报 --------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_all_eight_art7_items_in_order(lang: str) -> None:
    for kind in (NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT):
        notice = renderer(texts={}).render_master(kind, Channel.DOCUMENT, lang)
        assert notice.report.complete, notice.report.missing()
        sections, _ = html_sections(notice.content)
        order = [s.element for s in sections if s.element in ART7_ITEMS]
        assert order == list(ART7_ITEMS)
        headings = re.findall(r"<h2>(.*?)</h2>", notice.content)
        for expected in ART7_HEADINGS[lang]:
            assert any(h.startswith(expected) for h in headings), (lang, expected)
        contact = next(s for s in sections if s.element == "contact").text
        phone = "021-38760448" if lang == "zh-CN" else "+86 21 3876 0448"  # dialled from abroad in English
        assert phone in contact and ("报告时间" in contact or "Date and time of this report" in contact)


def test_unknown_items_are_marked_to_be_supplemented_and_known_ones_are_not() -> None:
    known = {"tracing_leads": {"zh-CN": "攻击路径：经未鉴权的日志接口批量拉取。", "en": "Attack path: bulk pulls "
                                "through the unauthenticated log endpoint."}}
    for lang, token in (("zh-CN", "待补报"), ("en", "To be supplemented")):
        notice = renderer(texts=known).render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, lang)
        sections = {s.element: s for s in html_sections(notice.content)[0]}
        status = {e.element: e.status.value for e in notice.report.elements}
        assert not sections["tracing_leads"].deferred and token not in sections["tracing_leads"].text
        assert status["tracing_leads"] == "present"
        assert ("攻击路径" if lang == "zh-CN" else "Attack path") in sections["tracing_leads"].text
        for element in ("trend", "scene_protection"):
            assert sections[element].deferred and token in sections[element].text
            assert status[element] == "deferred"
        assert notice.report.complete


def test_ransom_demand_is_stated_and_its_unknown_parts_are_to_follow() -> None:
    ransom = {"cause": "malware", "malicious": True, "ransom": {"amount_cny": 4999999.99, "method": "比特币"}}
    r = renderer(facts=ransom)
    zh = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN")
    section = next(s for s in html_sections(zh.content)[0] if s.element == "ransom")
    assert "4,999,999.99元" in section.text and "比特币" in section.text
    assert "要求支付的日期：（待补报）" in section.text and section.deferred
    assert {e.element: e.status.value for e in zh.report.elements}["ransom"] == "deferred"
    en = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "en").content
    assert "CNY 4,999,999.99" in en and "Payment date demanded: (To be supplemented.)" in en
    full = renderer(facts={**ransom, "ransom": {"amount_cny": 1, "method": "USDT", "date": "2026-11-21"}})
    done = full.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN")
    assert "2026年11月21日" in done.content
    assert {e.element: e.status.value for e in done.report.elements}["ransom"] == "present"
    # A template that drops the ransom part is incomplete for a ransomware incident.
    name = "_shared/regulator_items.zh-CN.html"
    edited = NoticeTemplates().source(name).replace('data-element="ransom"', 'data-element="x_ransom"')
    broken = NoticeTemplates({name: (edited, 2)})
    gone = NoticeRenderer(broken, full.builder, full.contact).render_master(
        NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN")
    assert not gone.report.complete and "ransom: missing" in gone.report.missing()


def test_ransom_only_for_ransomware() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_intake({**SAMPLE_INTAKE, "ransom": {"amount_cny": 10}}, now=NOW)
    assert [p.field for p in refused.value.problems] == ["ransom"]
    with pytest.raises(ValidationError) as bad:
        parse_intake({**SAMPLE_INTAKE, "cause": "malware", "ransom": {"amount_cny": -1, "date": "soon", "x": 1}},
                     now=NOW)
    assert {p.field for p in bad.value.problems} == {"ransom", "ransom.amount_cny", "ransom.date"}
    plain = parse_intake(SAMPLE_INTAKE, now=NOW)
    assert "ransom" not in plain.to_dict()  # snapshots without a ransom keep their hash


# -- point 6: wording ----------------------------------------------------------------------------

WORDED = [(NoticeKind.INDIVIDUAL, Channel.EMAIL_HTML), (NoticeKind.INDIVIDUAL, Channel.EMAIL_TEXT),
          (NoticeKind.INDIVIDUAL, Channel.LETTER), (NoticeKind.INDIVIDUAL, Channel.PHONE_SCRIPT),
          (NoticeKind.GUARDIAN, Channel.EMAIL_HTML), (NoticeKind.PUBLIC_ANNOUNCEMENT, Channel.DOCUMENT),
          (NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT), (NoticeKind.REGULATOR_SUPPLEMENT, Channel.DOCUMENT),
          (NoticeKind.PARTNER, Channel.DOCUMENT), (NoticeKind.EU_AUTHORITY, Channel.DOCUMENT),
          (NoticeKind.POLICE_REPORT, Channel.DOCUMENT)]


@pytest.mark.parametrize(("kind", "channel"), WORDED, ids=lambda v: str(v))
def test_a_suspected_incident_is_worded_as_a_possibility(kind: NoticeKind, channel: Channel) -> None:
    r = renderer(facts={"likelihood": "suspected"})
    zh = visible_text(r.render_master(kind, channel, "zh-CN").content)
    en = visible_text(r.render_master(kind, channel, "en").content)
    assert "可能发生" in zh, kind
    assert "已经确认" not in zh and "已经发生" not in zh
    assert not re.search(r"(中|我单位)发生(一起)?个人信息", zh), "the finding must not be stated as a fact"
    assert "may have been leaked" in en
    assert " was leaked" not in en and "has happened" not in en and "has been confirmed" not in en
    actual = renderer()
    assert "may have been leaked" not in visible_text(actual.render_master(kind, channel, "en").content)


def test_a_tamper_only_incident_is_never_called_a_leak() -> None:
    # Phone numbers: the catalog's harm and advice texts for this type do not speak of leaks either;
    # no officer texts (the sample's own wording is about a leak).
    r = renderer(facts={"breach_types": ["tamper"], "data_types": ["phone_number"], "recipients": "none_known"},
                 texts={})
    for kind, channels in CHANNELS.items():
        for channel in channels:
            for lang in ("zh-CN", "en"):
                notice = r.render_master(kind, channel, lang)
                text = visible_text(notice.content)
                assert "泄露" not in text and "leak" not in text.lower(), (kind, channel, lang)
    assert "个人信息篡改事件" in r.render_master(NoticeKind.PUBLIC_ANNOUNCEMENT, Channel.DOCUMENT, "zh-CN").content
    assert "was tampered with" in r.render_master(NoticeKind.INDIVIDUAL, Channel.EMAIL_TEXT, "en").content
    lost = renderer(facts={"breach_types": ["loss"], "data_types": ["phone_number"]}, texts={})
    reg = lost.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN").content
    assert "个人信息丢失" in reg and "泄露" not in visible_text(reg).replace("信息泄露后", "")


def test_exemption_says_what_still_happens() -> None:
    exempt = decision(DecisionKind.EXEMPT_INDIVIDUAL_NOTICE, "数据已加密且密钥安全")
    planned = (NoticeKind.REGULATOR_INITIAL, NoticeKind.GUARDIAN)
    r = renderer(decisions=(exempt,), planned=planned)
    zh = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN").content
    en = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "en").content
    assert "决定不通知个人" not in zh and "decided not to notify" not in en
    assert "未成年人（未满十八周岁）仍将依据《未成年人网络保护条例》第三十五条逐一告知" in zh
    assert "不满十四周岁的通过其监护人告知，十四至十七周岁的告知本人并同时告知其监护人" in zh
    assert "minors (under 18) concerned are still told one by one" in en and "aged 14-17 directly" in en
    assert "我单位将按要求通知个人" in zh and "we will notify the individuals as it requires" in en
    no_minors = renderer(facts={"affected_minors": 0, "affected_minors_under_14": 0, "affected_minors_14_17": 0},
                         decisions=(exempt,), planned=(NoticeKind.REGULATOR_INITIAL,))
    zh_adults = no_minors.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN").content
    assert "监护人仍将" not in zh_adults and "我单位将按要求通知个人" in zh_adults


def test_an_amount_just_below_a_threshold_is_not_rounded_up() -> None:
    r = renderer(facts={"economic_loss_cny": 4999999.99})
    assert "直接经济损失约4,999,999.99元" in r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT,
                                                             "zh-CN").content
    en = r.render_master(NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "en").content
    assert "CNY 4,999,999.99" in en and "5,000,000" not in en


def test_grade_explanation_keeps_the_exact_value(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create({**intake, "economic_loss_cny": 4999999.99})
    grade = services.assessment.assess(incident.id).grade
    assert "4,999,999.99" in grade.why.zh and "4,999,999.99" in grade.why.en
    assert "5,000,000 ≥" not in grade.why.en and "4,999,999.99 is below every threshold" in grade.why.en
    assert grade.level.value == "一般"


# -- point 6: police report ----------------------------------------------------------------------

def test_cii_operator_gets_a_police_report(services: Services, intake: dict[str, object]) -> None:
    services.profile.save({"operator_type": "critical_infrastructure", "province": "广东省",
                           "contact_name": "王明"})
    incident = services.incidents.create({**intake, "affected_people": 1_200_000})
    notice_set = services.notices.prepare(incident.id)
    kinds = [p.kind for p in notice_set.plan]
    assert NoticeKind.POLICE_REPORT in kinds and NoticeKind.REGULATOR_INITIAL in kinds
    police = {n.rendered.lang: n.rendered for n in notice_set.notices if n.rendered.kind == NoticeKind.POLICE_REPORT}
    assert police["zh-CN"].report.complete, police["zh-CN"].report.missing()
    # A misconfiguration is no crime: an incident report to the police, not a criminal complaint.
    assert "网络安全事件报告（公安机关）" in police["zh-CN"].content and "广东省公安机关" in police["zh-CN"].content
    assert "报案材料" not in police["zh-CN"].content and "请予受理" not in police["zh-CN"].content
    assert "在向保护工作部门报告的同时向公安机关报告" in police["zh-CN"].content
    assert "incident report to the public security organ" in police["en"].content
    assert "Guangdong" in police["en"].content and "accept the case" not in police["en"].content
    report = next(n.rendered for n in notice_set.notices
                  if n.rendered.kind == NoticeKind.REGULATOR_INITIAL and n.rendered.lang == "zh-CN")
    assert "联系人：王明，" in report.content
    assert "关键信息基础设施保护工作部门，并同时报广东省公安机关" in report.content


def test_no_police_report_without_a_police_obligation(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)  # misconfiguration, ordinary operator: no crime, no CII
    assert NoticeKind.POLICE_REPORT not in [p.kind for p in services.notices.prepare(incident.id).plan]
    attack = services.incidents.create({**intake, "cause": "attack", "malicious": True})
    assert NoticeKind.POLICE_REPORT in [p.kind for p in services.notices.prepare(attack.id).plan]


# -- point 6: GDPR Art. 33 reasons for the delay --------------------------------------------------

def test_late_gdpr_notification_needs_the_reasons_for_the_delay() -> None:
    late = AS_OF + timedelta(hours=80)
    r = renderer(prepared_at=late)
    for lang in ("zh-CN", "en"):
        notice = r.render_master(NoticeKind.EU_AUTHORITY, Channel.DOCUMENT, lang)
        assert not notice.report.complete and "delay_reasons: empty" in notice.report.missing()
    given = renderer(prepared_at=late, decisions=(decision(DecisionKind.NOTIFICATION_DELAY, "须取证识别欧盟居民。",
                                                           "Forensics needed to identify EU residents."),))
    en = given.render_master(NoticeKind.EU_AUTHORITY, Channel.DOCUMENT, "en")
    assert en.report.complete, en.report.missing()
    assert "Reasons for the delay" in en.content and "Forensics needed to identify EU residents." in en.content
    on_time = renderer(prepared_at=AS_OF).render_master(NoticeKind.EU_AUTHORITY, Channel.DOCUMENT, "en")
    assert on_time.report.complete and "delay_reasons" not in on_time.content


def test_late_gdpr_notification_through_the_service(services: Services, intake: dict[str, object],
                                                    clock: Clock) -> None:
    incident = services.incidents.create({**intake, "eu_subjects": 5})
    clock.now = clock.now + timedelta(hours=80)

    def eu_notice() -> Any:
        notice_set = services.notices.prepare(incident.id, kinds=[NoticeKind.EU_AUTHORITY], langs=["en"])
        return notice_set.notices[0]

    assert eu_notice().status == "incomplete"
    with pytest.raises(ValidationError):
        services.notices.approve(incident.id, "officer", NoticeKind.EU_AUTHORITY)
    services.decisions.record(incident.id, {"kind": "notification_delay", "decided_by": "officer",
                                            "rationale": "The EU residents were identified only on day 3."},
                              lang="en")
    done = eu_notice()
    assert "The EU residents were identified only on day 3." in done.rendered.content
    assert not [e for e in done.rendered.report.elements if e.element == "delay_reasons" and e.status != "present"]


def test_rule_data_lists_the_eight_items_the_report_carries() -> None:
    from incident_app.domain.notices.kinds import REGULATOR_ELEMENTS
    from incident_app.services.resources import load_assessment_rules

    items = load_assessment_rules().obligations.report_items
    assert [i.element for i in items] == list(ART7_ITEMS)
    assert [i.element for i in items] == [e for e in REGULATOR_ELEMENTS if e in ART7_ITEMS]
    # Scene preservation (七) is in the draft; the final text is known only from a secondary note.
    assert items[6].citation.confidence.value == "secondary" and items[6].title.zh == "网络安全事件现场保护情况"
    assert "勒索软件" in items[1].title.zh
