"""Notices about minors: the guardian's notice speaks about "your child" in guardian texts (never
the adult's catalog texts), its master shows a neutral placeholder for the child, and the
teenager's notice is short, plain and says "tell your parent or guardian"."""

from __future__ import annotations

import pytest

from incident_app.domain.notices import CHANNELS, Channel, NoticeKind, NoticeRecipient
from incident_app.services.notices.context import count_phrases
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.resources import load_catalog, load_messages
from tests.notice_helpers import sample_renderer

ADULT_ONLY = ("叫出您姓名", "跨应用追踪您的行为", "可能收到骚扰电话", "scammers", "track you across apps",
              "You may receive nuisance calls")


@pytest.mark.parametrize("channel", CHANNELS[NoticeKind.GUARDIAN], ids=str)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_guardian_master_speaks_about_the_child(channel: object, lang: str) -> None:
    notice = sample_renderer().render_master(NoticeKind.GUARDIAN, channel, lang)  # type: ignore[arg-type]
    assert notice.report.complete, notice.report.missing()
    assert not [t for t in ADULT_ONLY if t in notice.content]
    assert ("您的孩子" if lang == "zh-CN" else "your child") in notice.content.replace("Your child", "your child")
    # An SMS goes through a gateway's approved template: it names no child (minimal personal data).
    placeholder = "〔孩子姓名〕" if lang == "zh-CN" else "[name of the child]"
    assert (placeholder not in notice.content) if channel == Channel.SMS else (placeholder in notice.content)
    assert "张*明" not in notice.content and "J*** S****" not in notice.content


def test_guardian_harms_and_advice_are_the_guardian_texts() -> None:
    text = sample_renderer().render_master(NoticeKind.GUARDIAN, CHANNELS[NoticeKind.GUARDIAN][1], "zh-CN").content
    assert "有人可能用孩子的手机号码" in text and "代孩子修改账号密码" in text and "与孩子聊聊此次事件" in text
    catalog = {t.id: t for t in load_catalog().types}
    assert catalog["phone_number"].harm_zh not in text and catalog["phone_number"].advice_zh not in text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_teen_notice_is_plain_and_says_tell_your_parent(lang: str) -> None:
    for channel in CHANNELS[NoticeKind.MINOR]:
        notice = sample_renderer().render_master(NoticeKind.MINOR, channel, lang)
        assert notice.report.complete, (channel, notice.report.missing())
    email = sample_renderer().render_master(NoticeKind.MINOR, CHANNELS[NoticeKind.MINOR][1], lang).content
    assert ("告诉你的父母或监护人" if lang == "zh-CN" else "Tell your parent or guardian") in email
    assert not [t for t in ADULT_ONLY if t in email]
    assert len(email) < 1500  # short


def test_each_copy_names_the_child_masked() -> None:
    renderer = sample_renderer()
    personal = PersonalRenderer(dict.fromkeys(NoticeKind, renderer))
    guardian = NoticeRecipient("u1#guardian", "李母", "zh-CN", "g@example.com", is_guardian=True,
                               child_display_name="李*雷")
    email = personal.email(guardian)
    assert email.kind == NoticeKind.GUARDIAN and "您的孩子李*雷" in email.text_body
    assert "〔孩子姓名〕" not in email.text_body
    teen = NoticeRecipient("u2", "韩梅梅", "zh-CN", "t@example.com", is_teen=True)
    assert personal.email(teen).kind == NoticeKind.MINOR and "韩梅梅同学，你好" in personal.email(teen).text_body


def test_unknown_counts_are_said_to_be_unknown() -> None:
    data = {"facts": {}, "people": {"imported": True, "total": 3008, "minors": 39, "children": 12, "teens": 27,
                                    "records": 0}}
    zh, en = count_phrases(data, "zh-CN"), count_phrases(data, "en")
    assert (zh["people_text"], zh["records_text"]) == ("3,008人", "记录数尚在核实中")
    assert zh["minors_text"] == "其中未成年人（未满十八周岁）39人（不满十四周岁12人，十四至十七周岁27人）"
    assert en["records_text"] == "the number of records is still being verified" and en["people_text"] == "3,008 people"
    estimate = count_phrases({"facts": {"affected_people": 3000, "affected_records": 0}}, "zh-CN")
    assert estimate["people_text"] == "约3,000人" and estimate["records_text"] == "记录数尚在核实中"
    assert count_phrases({"facts": {}}, "zh-CN")["people_text"] == "人数尚在核实中"


def test_every_notice_kind_has_a_label_in_both_languages() -> None:
    for lang, messages in load_messages().items():
        assert lang in ("zh-CN", "en")
        assert [k.value for k in NoticeKind if f"notices.kind.{k.value}" not in messages] == []
