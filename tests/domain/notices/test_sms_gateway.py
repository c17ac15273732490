"""The gateway rules an SMS template and its values are checked against (Alibaba Cloud, Tencent
Cloud), billing segments with the signature counted, and how recipients get letters."""

from __future__ import annotations

import pytest

from incident_app.domain.notices.recipient import recipients_from_person
from incident_app.domain.notices.sms_gateway import (
    Provider,
    ReportState,
    SmsTemplate,
    Variable,
    billed_length,
    billing,
    billing_problems,
    provider_phone,
    report_columns,
    report_state,
    segments,
    signature_problems,
    template_from,
    template_problems,
    value_problems,
)
from incident_app.domain.people.person import Channel, MinorBand, Person


def test_billing_is_70_then_67_with_the_signature() -> None:
    assert [segments(n) for n in (1, 70, 71, 134, 135, 201, 202)] == [1, 1, 2, 2, 3, 3, 4]
    assert billed_length("我图网络", "x" * 64) == 70 and segments(billed_length("我图网络", "x" * 65)) == 2


# An English notification SMS of the demo's length (about 220 characters).
ENGLISH = ("On 2 December 2026 we found a security incident. It may involve your mobile phone number, device "
           "identifiers, IP address. Beware of fake calls or texts; never share codes. Info: +86 21 3876 0448, "
           "ref BD1-0123456789")


def test_a_chinese_signature_bills_an_english_sms_in_ucs2_and_is_flagged() -> None:
    chinese = billing("上海我图网络科技有限公司", ENGLISH)
    assert (chinese.encoding, chinese.length, chinese.parts) == ("UCS-2", 14 + len(ENGLISH), 4)
    problem = billing_problems("上海我图网络科技有限公司", ENGLISH, "en")
    assert len(problem) == 1 and "4 billed parts" in problem[0] and "sms_signature_en" in problem[0]
    english = billing("Wotu", ENGLISH)
    assert (english.encoding, english.length, english.parts) == ("GSM-7", 6 + len(ENGLISH), 2)
    assert billing_problems("Wotu", ENGLISH, "en") == []
    # GSM-7 parts: 160 in one, then 153 a part; the extension characters take two septets
    assert billing("Wotu", "a" * 154).parts == 1 and billing("Wotu", "a" * 155).parts == 2
    assert billing("Wotu", "[" * 10).length == 26
    # a Chinese text is UCS-2 whatever the signature; it is told to shorten, not to change signature
    long_chinese = billing_problems("Wotu", "中" * 140, "zh-CN")
    assert "shorten the template" in long_chinese[0] and "sms_signature_en" not in long_chinese[0]


def test_signature_length_and_brackets() -> None:
    assert signature_problems("我图网络") == []
    assert signature_problems("我") and signature_problems("上海我图网络科技有限公司北京")
    assert signature_problems("【我图】")


def test_the_reference_becomes_the_one_variable() -> None:
    template = template_from("详询021-1，编号BD1-ABCDEF0123。", "BD1-ABCDEF0123", "BD1-ABCDEF0123")
    assert template.text == "详询021-1，编号${code}。"
    assert template.for_provider(Provider.TENCENT) == "详询021-1，编号{1}。"
    assert template.fill({"code": "BD1-0000000000"}) == "详询021-1，编号BD1-0000000000。"
    assert template_problems(template) == []


@pytest.mark.parametrize(("text", "variables", "expected"), [
    ("【通知】编号${code}", (Variable("code", "reference code", 14, "BD1-X"),), "【 or 】"),
    ("编号${code}${code}", (Variable("code", "reference code", 14, "BD1-X"),), "used 2 times"),
    ("${a}${b}", (Variable("a", "x", 5, "x"), Variable("b", "x", 5, "x")), "next to each other"),
    ("编号${code}", (Variable("code", "reference code", 36, "BD1-X"),), "1–35"),
    ("x" * 490 + "${code}", (Variable("code", "reference code", 14, "BD1-X"),), "at most 500"),
])
def test_template_rules(text: str, variables: tuple[Variable, ...], expected: str) -> None:
    assert any(expected in p for p in template_problems(SmsTemplate(text, variables)))


def test_tencent_refuses_a_link_in_a_variable_and_aliyun_keeps_it_to_the_fixed_text() -> None:
    template = SmsTemplate("详情见${link}，编号${code}", (Variable("link", "link", 30, "https://wotu.cn/n/1"),
                                                   Variable("code", "reference code", 14, "BD1-X")))
    assert any("link" in p and "Tencent" in p for p in template_problems(template, Provider.TENCENT))
    values = {"link": "wotu.cn/n/BD1-1", "code": "BD1-1"}
    assert value_problems(values, template, Provider.TENCENT) == [
        "link: holds a link, which Tencent Cloud refuses in a variable"]
    assert value_problems(values, template, Provider.ALIYUN) == []


def test_consoles_take_mainland_mobiles_as_eleven_digits() -> None:
    assert provider_phone("+8613800138000", Provider.ALIYUN) == "13800138000"
    assert provider_phone("+8613800138000", Provider.GENERIC) == "+8613800138000"
    with pytest.raises(ValueError, match="mainland"):
        provider_phone("+85291234567", Provider.TENCENT)


def test_report_headers_and_states_in_the_providers_words() -> None:
    assert report_columns(["\ufeff手机号码", "发送状态", "BizId", "错误码"]) == {
        "phone": 0, "status": 1, "message_id": 2, "reason": 3}
    assert [report_state(s) for s in ("发送成功", "DELIVRD", "失败", "等待回执", "??")] == [
        ReportState.DELIVERED, ReportState.DELIVERED, ReportState.FAILED, ReportState.PENDING, None]


def person(**kw: object) -> Person:
    return Person(id=1, incident_id=1, user_id="U1", **kw)  # type: ignore[arg-type]


def test_only_people_whose_channel_is_a_letter_get_a_letter() -> None:
    by_email = recipients_from_person(person(email="a@b.cn", address="北京市朝阳区", channel=Channel.EMAIL))
    by_sms = recipients_from_person(person(phone="+8613800138000", address="北京市", channel=Channel.SMS))
    by_letter = recipients_from_person(person(name="张三", address="北京市朝阳区", channel=Channel.LETTER))
    assert [r.by_letter for r in by_email + by_sms] == [False, False]
    assert [(r.by_letter, r.salutation()) for r in by_letter] == [(True, "尊敬的张三：")]
    child = recipients_from_person(person(name="李小四", address="北京市", guardian_name="李大",
                                          minor_band=MinorBand.CHILD, channel=Channel.GUARDIAN_LETTER))
    assert [(r.is_guardian, r.by_letter, r.salutation()) for r in child] == [(True, True, "尊敬的李大（监护人）：")]


def test_a_link_in_the_fixed_text_must_be_on_the_company_website_domain() -> None:
    code = (Variable("code", "reference code", 14, "B"),)
    template = SmsTemplate("详见 https://www.wotu.cn/notice ，编号${code}", code)
    assert template_problems(template, website="https://wotu.cn") == []
    assert any("ICP-filed" in p for p in template_problems(template, website="https://example.com"))
    assert any("none set" in p for p in template_problems(template))
    plain = SmsTemplate("详询021-38760448，编号${code}。", code)
    assert template_problems(plain) == []


def test_ucs2_counts_a_character_outside_the_bmp_as_two_units() -> None:
    # An emoji is a surrogate pair in UCS-2/UTF-16: 2 + 2 + 67 × 2 = 138 units, three parts.
    from incident_app.domain.notices.sms_gateway import billing as bill_of
    bill = bill_of("上海", "😀" * 67)
    assert bill.encoding == "UCS-2"
    assert bill.length == 138
    assert bill.parts == 3


def test_form_feed_is_a_gsm7_extension_character_counting_two() -> None:
    from incident_app.domain.notices.sms_gateway import billing as bill_of
    bill = bill_of("Wotu", "a\x0cb")
    assert (bill.encoding, bill.length) == ("GSM-7", 6 + 4)


def test_completeness_counts_emoji_as_two_units_without_a_signature() -> None:
    from incident_app.domain.notices.completeness import sms_length_problems
    assert sms_length_problems("😀" * 70) != []
