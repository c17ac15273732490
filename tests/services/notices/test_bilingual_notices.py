"""Bilingual facts and audience wording: an English notice prints English values only (a missing
or untranslated one is named by the check and refuses approval); people and partners get their own
plain wording while the regulator report keeps the technical narrative."""

from __future__ import annotations

import re

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import parse_intake
from incident_app.domain.notices.kinds import CHANNELS, Channel, NoticeKind
from incident_app.services.container import Services
from incident_app.services.resources import load_default_profile
from tests.notice_helpers import sample_renderer
from tests.services.notices.test_notices import REMEDIATION

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
INTERNAL = "境外IP下载了 oss-prod-backup 存储桶中的导出文件"


def without_company(text: str) -> str:
    """The text without the company's registered name and address (the only Chinese allowed)."""
    profile = load_default_profile()
    for allowed in (profile.company_zh, profile.postal_address_zh):
        text = text.replace(allowed, "")
    return text


def test_intake_takes_a_string_as_chinese_or_both_languages() -> None:
    plain = parse_intake({"title": "标题", "discovered_at": "2026-11-20T09:00:00+08:00", "summary": "摘要"})
    assert plain.summary == "摘要" and plain.text_in("summary", "en") == ""
    assert plain.to_dict()["summary"] == "摘要"  # unchanged form: older snapshots keep their hash
    both = parse_intake({"title": {"zh-CN": "标题", "en": "Title"}, "discovered_at": "2026-11-20T09:00:00+08:00",
                         "systems": {"zh-CN": ["会员系统"], "en": ["Membership system"]}})
    assert (both.title, both.text_in("title", "en")) == ("标题", "Title")
    assert both.text_in("systems", "en") == ("Membership system",)
    assert parse_intake(both.to_dict()) == both


def test_intake_names_the_bad_part_of_a_bilingual_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_intake({"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00",
                      "summary": {"zh-CN": "好", "fr": "bien", "en": 3}})
    fields = [p.field for p in caught.value.problems]
    assert "summary" in fields and "summary.en" in fields


def test_english_notice_missing_a_value_names_the_field_and_is_not_approved(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | {"summary": "客服把订单表误发给了外部邮箱。"})
    services.remediation.add(incident.id, REMEDIATION)
    notice_set = services.notices.prepare(incident.id, kinds=[NoticeKind.REGULATOR_INITIAL])
    by_lang = {n.rendered.lang: n.rendered for n in notice_set.notices}
    assert "English text missing: summary" in by_lang["en"].report.problems
    assert by_lang["zh-CN"].report.complete, by_lang["zh-CN"].report.missing()
    assert "客服" not in by_lang["en"].content
    with pytest.raises(ValidationError, match="English text missing: summary"):
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    services.incidents.set_fact_text(incident.id, "summary", "en", "Customer service mailed the order sheet out.")
    assert services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)


def test_starting_from_the_other_language_stays_untranslated_until_edited(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | {"location": "上海数据中心"})
    services.remediation.add(incident.id, REMEDIATION)
    copied = services.incidents.start_from_other_language(incident.id, "location", "en")
    assert copied.facts.text_in("location", "en") == "上海数据中心"
    assert copied.facts.is_untranslated("location", "en")
    en = next(n.rendered for n in services.notices.prepare(incident.id, kinds=[NoticeKind.REGULATOR_INITIAL]).notices
              if n.rendered.lang == "en")
    assert "English text untranslated: location" in en.report.problems
    with pytest.raises(ValidationError, match="untranslated: location"):
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    edited = services.incidents.set_fact_text(incident.id, "location", "en", "Shanghai data centre")
    assert not edited.facts.is_untranslated("location", "en")
    assert edited.facts.location == "上海数据中心"  # the Chinese value is untouched
    events = [e for e in services.ctx.store.events.for_incident(incident.id) if e.type == "incident.facts_changed"]
    assert len(events) == 2


def test_people_get_plain_wording_and_the_regulator_keeps_the_technical_detail(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | {
        "summary": {"zh-CN": INTERNAL, "en": "Export files in bucket oss-prod-backup were downloaded abroad."},
        "systems": {"zh-CN": ["oss-prod-backup"], "en": ["oss-prod-backup"]}, "eu_subjects": 5})
    rendered = {(n.rendered.kind, n.rendered.channel, n.rendered.lang): n.rendered.content
                for n in services.notices.prepare(incident.id).notices}
    for (kind, _channel, _lang), content in rendered.items():
        technical = "oss-prod-backup" in content
        assert technical == (kind in (NoticeKind.REGULATOR_INITIAL, NoticeKind.EU_AUTHORITY,
                                     NoticeKind.INTERNAL_BRIEF, NoticeKind.SECTOR_REGULATOR)), kind
    assert INTERNAL in rendered[NoticeKind.REGULATOR_INITIAL, Channel.DOCUMENT, "zh-CN"]
    services.notices.set_element_text(incident.id, "situation", "zh-CN", "我们的一个备份文件被他人下载。", "individual")
    services.notices.set_element_text(incident.id, "situation", "zh-CN", "技术说明：对象存储备份被境外IP下载。")
    after = {(n.rendered.kind, n.rendered.channel, n.rendered.lang): n.rendered.content
             for n in services.notices.prepare(incident.id).notices}
    individual = after[NoticeKind.INDIVIDUAL, Channel.EMAIL_HTML, "zh-CN"]
    assert "我们的一个备份文件被他人下载。" in individual and "技术说明" not in individual
    assert "我们的一个备份文件" not in after[NoticeKind.GUARDIAN, Channel.EMAIL_HTML, "zh-CN"]
    assert "技术说明" in after[NoticeKind.EU_AUTHORITY, Channel.DOCUMENT, "zh-CN"]
    defaults = services.notices.audience_defaults(incident.id, "public_announcement", "en")
    assert defaults["situation"].startswith("On ") and "oss-prod-backup" not in defaults["situation"]
    with pytest.raises(ValidationError, match="audience"):
        services.notices.set_element_text(incident.id, "situation", "en", "x", "regulator_initial")


@pytest.mark.parametrize(("kind", "channel"), [(k, c) for k, cs in CHANNELS.items() for c in cs],
                         ids=lambda v: str(v))
@pytest.mark.parametrize("drill", [False, True], ids=["real", "drill"])
def test_english_notices_carry_no_chinese_but_the_company_name_and_address(kind: NoticeKind, channel: Channel,
                                                                           drill: bool) -> None:
    notice = sample_renderer(drill=drill).render_master(kind, channel, "en")
    assert ("DRILL" in notice.content) == drill
    assert notice.report.complete, notice.report.missing()
    found = CJK.findall(without_company(notice.content))
    assert not found, "".join(found)
