"""An independent reading of the generated documents as the regulator and the public would: the
supplement never claims a filing nothing records, every Art. 7 item without content says 待补报,
Chinese times say 北京时间, a suspected incident is never a fact, tampering and loss are not a leak,
English notices use English text where it exists, a police report without a crime is no criminal
complaint, and the small wording slips. Every notice is rendered through the real NoticeService."""

from __future__ import annotations

import re
from typing import Any

import pytest

from incident_app.domain.notices.completeness import html_sections
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import Services

MEASURES = {"actions": [{"description": "关闭公开存储桶", "description_en": "closed the public bucket",
                         "status": "done", "done_at": "2026-11-20T10:00:00+08:00"}],
            "remedies": [{"zh": "免费开通异常登录提醒", "en": "Free alerts for unusual sign-ins"}]}
REGULATOR = (NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT)


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def notices(services: Services, incident_id: int, **kwargs: Any) -> dict[tuple[str, str, str], Any]:
    return {(n.rendered.kind.value, n.rendered.channel.value, n.rendered.lang): n.rendered
            for n in services.notices.prepare(incident_id, **kwargs).notices}


def section(rendered: Any, element: str) -> Any:
    return next(s for s in html_sections(rendered.content)[0] if s.element == element)


def new_incident(services: Services, intake: dict[str, object], measures: bool = True, **facts: object) -> int:
    incident = services.incidents.create({**intake, **facts})
    if measures:
        services.remediation.add(incident.id, MEASURES)
    return incident.id


# -- 1. no "已报送" without a recorded filing -----------------------------------------------------

def test_supplement_after_every_filing_is_withdrawn_says_the_filing_is_not_recorded(
        services: Services, intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake)
    services.notices.approve(incident_id, "王安全")
    filing = services.fulfilments.record(incident_id, {"obligation_id": "cac-initial-report",
                                                       "done_at": "2026-11-20T11:40:00", "channel": "website_12387",
                                                       "done_by": "王安全"})
    services.corrections.correct(incident_id, "fulfilment", filing.id, "recorded against the wrong incident", "王安全")
    services.incidents.update_facts(incident_id, {"affected_people": 5000})
    out = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_SUPPLEMENT])
    zh = visible(out[("regulator_supplement", "document", "zh-CN")].content)
    en = visible(out[("regulator_supplement", "document", "en")].content)
    assert "首次报告的报送尚未记录" in zh and "已报送" not in zh and "报送时间未记录" not in zh
    assert "The filing of the initial report has not been recorded." in en and "filed on" not in en


# -- 2. every Art. 7 item without content says 待补报 -------------------------------------------

def test_art7_items_without_content_are_marked_to_be_supplemented(services: Services,
                                                                   intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, measures=False, affected_records=0)  # no systems, no place
    out = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_INITIAL])
    for kind in (NoticeKind.REGULATOR_INITIAL,):
        zh, en = out[(kind.value, "document", "zh-CN")], out[(kind.value, "document", "en")]
        assert "涉及的设施、系统、平台：（待补报）" in section(zh, "operator_system").text
        assert "Facilities, systems or platforms involved: (To be supplemented.)" in section(en, "operator_system").text
        assert "地点：（待补报）" in section(zh, "times_place").text
        assert "Place: (To be supplemented.)" in section(en, "times_place").text
        # Item (二) includes the measures taken: Art. 7 ¶2 lets only items 3-8 follow, so the report
        # never shows 待补报 here (which would read as acceptable) — it says what the first report needs.
        for rendered, token in ((zh, "首次报告须包含本项"), (en, "The first report must include this item")):
            measures = section(rendered, "measures_effect")
            assert token in measures.text and "待补报" not in measures.text
            assert "To be supplemented" not in measures.text
            counts = section(rendered, "affected_counts").text
            assert "约0条" not in counts and "about 0 records" not in counts
        assert "记录数尚在核实中" in section(zh, "affected_counts").text
        assert "the number of records is still being verified" in section(en, "affected_counts").text
        # Item 2 must be in the first report (Art. 7 ¶2): no measures yet keeps the report open.
        assert "measures_effect: empty" in zh.report.missing()
        check = next(e for e in zh.report.elements if e.element == "measures_effect")
        assert "Art. 7" in check.detail and "items 3" in check.detail
    known = new_incident(services, intake, systems=["用户注册数据库"], location="上海机房")
    done = notices(services, known, kinds=[NoticeKind.REGULATOR_INITIAL])[
        ("regulator_initial", "document", "zh-CN")]
    assert done.report.complete, done.report.missing()
    assert "待补报" not in section(done, "operator_system").text + section(done, "times_place").text
    assert not section(done, "measures_effect").deferred


# -- 3. 北京时间 ----------------------------------------------------------------------------------

def test_every_chinese_document_with_a_time_says_beijing_time(services: Services,
                                                              intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, occurred_until="2026-11-19T08:00:00+08:00")
    services.incidents.change_status(incident_id, services_status("closed"), "handled", force=True)
    for (kind, channel, lang), rendered in notices(services, incident_id, kinds=list(NoticeKind)).items():
        text = visible(rendered.content)
        if lang != "zh-CN" or not re.search(r"\d{1,2}:\d{2}", text):
            continue
        bare = re.findall(r"(?<!北京时间)(?<!至)\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text)
        assert "北京时间" in text and not bare, (kind, channel, bare)
    report = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_INITIAL])
    assert "发生时间：北京时间2026年11月18日 08:00至2026年11月19日 08:00" in visible(
        report[("regulator_initial", "document", "zh-CN")].content)


def services_status(name: str) -> Any:
    from incident_app.domain.incident import IncidentStatus
    return IncidentStatus(name)


# -- 4. a suspected incident is never a fact --------------------------------------------------

def test_a_suspected_ransomware_incident_is_a_possibility_everywhere(services: Services,
                                                                     intake: dict[str, object]) -> None:
    services.profile.save({"operator_type": "critical_infrastructure"})
    incident_id = new_incident(services, intake, likelihood="suspected", cause="malware", malicious=True,
                               affected_people=1_200_000, ransom={"amount_cny": 50000, "method": "比特币"})
    out = notices(services, incident_id, kinds=list(NoticeKind))
    for (kind, channel, lang), rendered in out.items():
        text = visible(rendered.content)
        assert "本事件为勒索软件攻击" not in text and "This is a ransomware attack" not in text, (kind, lang)
        assert "作案人要求" not in text and "the offender demands" not in text, (kind, lang)
        assert not re.search(r"事件原因(为|是)", text), (kind, channel, lang)
        assert "incident was caused by" not in text and "that it was caused by" not in text, (kind, channel, lang)
        assert not re.search(r"事件级别：(一般|较大|重大|特别重大)。", text), (kind, lang)
        assert not re.search(r"Grade: [a-z ]+\.", text), (kind, lang)  # never settled: "(preliminary)"
    report = visible(out[("regulator_initial", "document", "zh-CN")].content)
    assert "本事件可能为勒索软件攻击" in report and "事件级别：较大（初步判定）。" in report
    assert "初步判断事件原因可能为恶意程序感染" in report
    en = visible(out[("regulator_initial", "document", "en")].content)
    assert "This may be a ransomware attack." in en and "(preliminary)" in en
    police = visible(out[("police_report", "document", "zh-CN")].content)
    assert "本事件可能为勒索软件攻击，勒索方要求支付赎金50,000元" in police
    letter = visible(out[("individual", "letter", "zh-CN")].content)
    assert "经初步调查，事件原因可能为恶意程序感染" in letter
    assert "may have been caused by malware" in visible(out[("individual", "letter", "en")].content)
    actual = new_incident(services, intake, cause="malware", malicious=True, affected_people=1_200_000,
                          ransom={"amount_cny": 50000})
    fact = notices(services, actual, kinds=[NoticeKind.REGULATOR_INITIAL])[("regulator_initial", "document", "zh-CN")]
    assert "本事件为勒索软件攻击" in fact.content and "事件级别：较大。" in fact.content


# -- 5. tampering and loss are not a leak -------------------------------------------------------

def test_tamper_and_loss_are_explained_as_such(services: Services, intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, breach_types=["tamper", "loss"], affected_people=5000,
                               eu_subjects=3)
    why = services.assessment.assess(incident_id).grade.why
    assert "个人信息被篡改、丢失涉及人数 5,000" in why.zh and "泄露" not in why.zh
    assert "people whose personal information was tampered with or lost 5,000" in why.en
    assert "leaked" not in why.en
    out = notices(services, incident_id, kinds=list(NoticeKind))
    for (kind, channel, _lang), rendered in out.items():
        text = visible(rendered.content)
        assert "获取信息的对象和数量目前尚无法确定" not in text, (kind, channel)
        assert "cannot yet tell who obtained the information" not in text, (kind, channel)
    reg = visible(out[("regulator_initial", "document", "zh-CN")].content)
    assert "篡改信息的人员，以及丢失的信息是否已被他人获取，目前尚无法确定" in reg
    assert "如上述信息已被他人获取或利用，可能造成以下后果" in reg
    assert "If the information has reached others" in visible(out[("individual", "letter", "en")].content)
    leak = new_incident(services, intake)
    plain = notices(services, leak, kinds=[NoticeKind.REGULATOR_INITIAL])[("regulator_initial", "document", "zh-CN")]
    assert "获取信息的对象和数量目前尚无法确定" in plain.content and "可能造成以下后果" not in plain.content


def test_documents_for_authorities_speak_about_the_people_not_to_them(services: Services,
                                                                      intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, eu_subjects=3,
                               data_types=["phone_number", "device_identifiers", "precise_location", "login_account"])
    out = notices(services, incident_id, kinds=list(NoticeKind))
    for kind in (NoticeKind.REGULATOR_INITIAL, NoticeKind.EU_AUTHORITY):
        zh = out[(kind.value, "document", "zh-CN")]
        en = out[(kind.value, "document", "en")]
        harm = section(zh, "impact_harm" if kind in REGULATOR else "possible_harm").text
        assert "您" not in harm, kind
        harm_en = section(en, "impact_harm" if kind in REGULATOR else "possible_harm").text
        assert not re.search(r"\byou(r)?\b", harm_en, re.I), (kind, harm_en)
        assert "Affected people may receive nuisance calls" in harm_en
    # The personal notice still speaks to the person.
    assert "You may receive nuisance calls" in out[("individual", "letter", "en")].content


def test_third_person_covers_every_catalog_harm(services: Services) -> None:
    from incident_app.services.notices.context import third_person

    for item in services.ctx.catalog.types:
        assert "您" not in third_person(item.harm_zh, "zh-CN"), item.id
        assert not re.search(r"\byou(r)?\b", third_person(item.harm_en, "en"), re.I), item.id
    assert third_person("Precise locations can reveal where you live and work and your routine.", "en") == \
        "Precise locations can reveal where they live and work and their routine."


# -- 6. English notices use English text where it exists ----------------------------------------

def test_english_notices_use_the_officers_english_account(services: Services, intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, summary="第三方SDK日志接口未做鉴权，暴露了用户手机号码。",
                               cause="attack", malicious=True)
    services.notices.set_element_text(incident_id, "situation", "en",
                                      "An unauthenticated SDK log endpoint exposed phone numbers.")
    out = notices(services, incident_id, kinds=list(NoticeKind))
    for (kind, channel, lang), rendered in out.items():
        if lang == "en":
            assert "第三方SDK日志接口" not in rendered.content, (kind, channel)
    cause = section(out[("regulator_initial", "document", "en")], "cause_analysis").text
    assert "An unauthenticated SDK log endpoint exposed phone numbers." in cause
    police = visible(out[("police_report", "document", "en")].content)
    assert police.count("An unauthenticated SDK log endpoint") == 1
    assert "第三方SDK日志接口未做鉴权" in out[("regulator_initial", "document", "zh-CN")].content


# -- 7. the CII police report without a crime -------------------------------------------------

@pytest.mark.parametrize(("cause", "crime"), [("misdelivery", False), ("attack", True)])
def test_cii_police_report_is_a_case_report_only_for_a_crime(services: Services, intake: dict[str, object],
                                                             cause: str, crime: bool) -> None:
    services.profile.save({"operator_type": "critical_infrastructure"})
    incident_id = new_incident(services, intake, cause=cause, malicious=crime, affected_people=1_200_000)
    out = notices(services, incident_id, kinds=[NoticeKind.POLICE_REPORT])
    zh, en = out[("police_report", "document", "zh-CN")], out[("police_report", "document", "en")]
    assert zh.report.complete and en.report.complete
    assert ("报案材料" in zh.content) is crime and ("请予受理" in zh.content) is crime
    assert ("网络安全事件报告（公安机关）" in zh.content) is not crime
    assert ("case report" in en.content) is crime and ("please accept the case" in en.content) is crime
    assert ("Cybersecurity incident report to the public security organ" in en.content.replace(
        ": cybersecurity", ": Cybersecurity")) is not crime


# -- 8. small wording slips ---------------------------------------------------------------------

def test_summary_and_gdpr_name_the_contact_person(services: Services, intake: dict[str, object]) -> None:
    services.profile.save({"contact_name": "王明"})
    incident_id = new_incident(services, intake, eu_subjects=3)
    services.incidents.change_status(incident_id, services_status("closed"), "handled", force=True)
    out = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_SUMMARY, NoticeKind.EU_AUTHORITY])
    for kind in ("regulator_summary", "eu_authority"):
        assert "王明" in section(out[(kind, "document", "zh-CN")], "contact").text, kind
        # English prints the English name only: while it is empty, a marker names the field
        english = section(out[(kind, "document", "en")], "contact").text
        assert "王明" not in english and "[English text missing: profile.contact_name_en]" in english, kind
    services.profile.save({"contact_name_en": "Wang Ming"})
    out = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_SUMMARY, NoticeKind.EU_AUTHORITY])
    for kind in ("regulator_summary", "eu_authority"):
        assert "王明" in section(out[(kind, "document", "zh-CN")], "contact").text, kind
        english = section(out[(kind, "document", "en")], "contact").text
        assert "Wang Ming" in english and "王明" not in english and "missing" not in english, kind


def test_exemption_rationale_ends_with_one_full_stop_and_minors_are_under_18(
        services: Services, intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake)
    services.decisions.record(incident_id, {"kind": "exempt_individual_notice", "decided_by": "王安全",
                                            "rationale": "数据已加密且密钥未泄露。"})
    out = notices(services, incident_id, kinds=[NoticeKind.REGULATOR_INITIAL])
    zh = section(out[("regulator_initial", "document", "zh-CN")], "individual_notice").text
    en = section(out[("regulator_initial", "document", "en")], "individual_notice").text
    assert "。。" not in zh and "数据已加密且密钥未泄露。" in zh
    assert ".." not in en
    assert "未成年人（未满十八周岁）仍将" in zh and "十四至十七周岁的告知本人并同时告知其监护人" in zh
    assert "minors (under 18)" in en and "children under 14 concerned and their" not in en


def test_an_incident_without_an_end_time_is_not_a_period(services: Services, intake: dict[str, object]) -> None:
    incident_id = new_incident(services, intake, eu_subjects=3)  # occurred_at, no occurred_until
    services.incidents.change_status(incident_id, services_status("closed"), "handled", force=True)
    for (kind, channel, _lang), rendered in notices(services, incident_id, kinds=list(NoticeKind)).items():
        text = visible(rendered.content)
        assert not re.search(r"事件发生于[^。]*?\d{2}:\d{2}期间", text), (kind, channel)
        assert not re.search(r"took place from [^.]*?Beijing time\.", text), (kind, channel)
    with_end = new_incident(services, intake, eu_subjects=3, occurred_until="2026-11-19T08:00:00+08:00")
    eu = notices(services, with_end, kinds=[NoticeKind.EU_AUTHORITY])[("eu_authority", "document", "zh-CN")]
    assert "至2026年11月19日 08:00期间" in eu.content
