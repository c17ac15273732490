from __future__ import annotations

import dataclasses
import email
from datetime import UTC, datetime
from email import policy

from incident_app.domain.mail.message import Sender, build_message_bytes, encode_header_text, english_sender_name
from incident_app.domain.mail.sending import OutgoingMessage, notice_reference

WHEN = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
SUBJECT = "关于您的个人信息安全事件的告知（上海我图网络科技有限公司个人信息保护专员）—— 请阅读"


def notice(html: bool = True) -> OutgoingMessage:
    ref = notice_reference(1, "person:1", "individual_email", "v1")
    text = f"尊敬的用户：\n我们发现一起事件。\n.以点开头的行\n通知编号：{ref}\n"
    return OutgoingMessage(1, "individual_email", "v1", "person:1", "user@example.net", "zh-CN", SUBJECT, text,
                           f"<p>通知编号：{ref}</p>" if html else None)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def test_headers_and_both_parts_round_trip_through_the_stdlib_parser() -> None:
    sender = Sender("privacy@example.com", "上海我图 个人信息保护", "dpo@example.com")
    data = build_message_bytes(notice(), sender, "<bd.1.abc@example.com>", WHEN)
    assert data.isascii() and all(len(line) <= 78 for line in data.split(b"\r\n"))
    parsed = parse(data)
    assert str(parsed["Subject"]) == SUBJECT and parsed["To"] == "user@example.net"
    assert parsed["From"].addresses[0].display_name == "上海我图 个人信息保护"
    assert parsed["Reply-To"] == "dpo@example.com" and parsed["Message-ID"] == "<bd.1.abc@example.com>"
    assert parsed["Date"].datetime == WHEN and parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == notice().text_body  # type: ignore[union-attr]
    assert "通知编号" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert parsed["X-Breach-Desk-Reference"] == notice().reference


def test_text_only_message_and_test_send_overrides() -> None:
    data = build_message_bytes(notice(html=False), Sender("privacy@example.com"), "<m@example.com>", WHEN,
                               subject_prefix="[测试 TEST] ", to_address="officer@example.com")
    parsed = parse(data)
    assert parsed.get_content_type() == "text/plain" and parsed["To"] == "officer@example.com"
    assert str(parsed["Subject"]).startswith("[测试 TEST] 关于") and parsed["From"] == "privacy@example.com"


def test_ascii_header_text_is_left_alone_and_quoted_names_escape() -> None:
    assert encode_header_text("Notice") == "Notice"
    data = build_message_bytes(notice(), Sender("p@example.com", 'ACME "Privacy"'), "<m@example.com>", WHEN)
    assert parse(data)["From"].addresses[0].display_name == 'ACME "Privacy"'


def test_sender_name_is_in_the_recipients_language() -> None:
    """An English recipient sees the company's English name as the sender, a Chinese one the Chinese."""
    sender = Sender("privacy@example.com", "上海我图网络科技有限公司",
                    name_en="Shanghai Wotu Network Technology Co., Ltd.")
    zh = parse(build_message_bytes(notice(), sender, "<m1@example.com>", WHEN))
    english = dataclasses.replace(notice(), language="en")
    en = parse(build_message_bytes(english, sender, "<m2@example.com>", WHEN))
    assert zh["From"].addresses[0].display_name == "上海我图网络科技有限公司"
    assert en["From"].addresses[0].display_name == "Shanghai Wotu Network Technology Co., Ltd."


def test_english_sender_name_from_the_profile_unless_typed_in_latin_letters() -> None:
    assert english_sender_name("", "上海我图", "Wotu Ltd.") == "Wotu Ltd."
    assert english_sender_name("上海我图", "上海我图", "Wotu Ltd.") == "Wotu Ltd."
    assert english_sender_name("Wotu Privacy Team", "上海我图", "Wotu Ltd.") == "Wotu Privacy Team"
    assert english_sender_name("上海我图隐私团队", "上海我图", "") == "上海我图隐私团队"
