from __future__ import annotations

from dataclasses import replace

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.mail.sending import (
    OutgoingMessage,
    RetryPolicy,
    SendState,
    SmtpSettings,
    TlsMode,
    classify_reply,
    is_loopback,
    is_single_address,
    make_message_id,
    mask_email,
    notice_reference,
    parse_rate,
    recipient_problems,
    validate_smtp_settings,
)

ORG = ("privacy@example.com",)


def message(**changes: object) -> OutgoingMessage:
    base = OutgoingMessage(7, "individual_email", "v1", "person:42", "li.lei@example.net", "zh-CN", "告知",
                           "", "")
    ref = base.reference
    base = replace(base, text_body=f"李雷您好。联系 privacy@example.com。\n通知编号：{ref}\n",
                   html_body=f"<p>通知编号：{ref}</p><a href='mailto:privacy@example.com'>联系</a>")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_identifiers_are_deterministic_and_distinct() -> None:
    a = make_message_id(7, "person:42", "individual_email", "v1", "example.com")
    assert a == make_message_id(7, "person:42", "individual_email", "v1", "example.com")
    assert a.startswith("<bd.7.") and a.endswith("@example.com>")
    assert a != make_message_id(7, "person:42", "individual_email", "v2", "example.com")
    assert a != make_message_id(7, "guardian:42", "individual_email", "v1", "example.com")
    assert notice_reference(7, "person:42", "k", "v1") != notice_reference(7, "person:43", "k", "v1")


def test_a_proper_message_belongs_to_its_recipient() -> None:
    assert recipient_problems(message(), ORG) == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"to_address": "a@example.net, b@example.net"}, "not one plain address"),
    ({"to_address": "Li Lei <li.lei@example.net>"}, "not one plain address"),
    ({"subject": "告知\r\nBcc: all@example.net"}, "line break"),
    ({"text_body": "no reference here"}, "text body lacks"),
    ({"html_body": "<p>no reference</p>"}, "html body lacks"),
])
def test_malformed_messages_are_blocked(changes: dict[str, object], words: str) -> None:
    assert any(words in p for p in recipient_problems(message(**changes), ORG))


def test_another_persons_address_or_reference_is_caught() -> None:
    other = notice_reference(7, "person:43", "individual_email", "v1")
    leaky = message(text_body=message().text_body + "抄送 han.meimei@example.net\n")
    assert any("h***i@example.net" in p for p in recipient_problems(leaky, ORG))
    mixed = message(text_body=message().text_body + f"另见 {other}\n")
    assert any("other recipient reference" in p for p in recipient_problems(mixed, ORG))
    declared = message(text_body=leaky.text_body, mentioned_addresses=("han.meimei@example.net",))
    assert recipient_problems(declared, ORG) == []


def settings(**changes: object) -> SmtpSettings:
    base = SmtpSettings("smtp.example.com", 587, TlsMode.STARTTLS, "privacy@example.com", user="officer")
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "field"), [
    ({"port": 465}, "tls"),
    ({"tls_mode": TlsMode.TLS}, "tls"),
    ({"port": 25, "tls_mode": TlsMode.PLAIN}, "tls"),
    ({"concurrency": 0}, "concurrency"),
    ({"rate_per_s": -1.0}, "rate"),
    ({"from_address": "not an address"}, "from"),
    ({"host": ""}, "smtp_host"),
])
def test_smtp_settings_are_checked(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_smtp_settings(settings(**changes))
    assert field in [p.field for p in caught.value.problems]


def test_good_settings_pass_and_loopback_may_log_in_plain() -> None:
    validate_smtp_settings(settings())
    validate_smtp_settings(settings(host="127.0.0.1", port=2525, tls_mode=TlsMode.PLAIN))
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("10.0.0.1")


def test_retry_backoff_doubles_up_to_a_cap() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay_s=10, max_delay_s=25)
    assert [policy.delay_after(n) for n in (1, 2, 3)] == [10, 20, 25]
    assert not policy.exhausted(3) and policy.exhausted(4)


@pytest.mark.parametrize(("code", "state"), [(250, SendState.SENT), (421, SendState.DEFERRED),
                                             (451, SendState.DEFERRED), (550, SendState.FAILED),
                                             (552, SendState.FAILED), (354, SendState.DEFERRED)])
def test_reply_codes_classify(code: int, state: SendState) -> None:
    assert classify_reply(code) == state


def test_small_helpers() -> None:
    assert mask_email("zhangsan@example.com") == "z***n@example.com" and mask_email("ab@x.cn") == "a***@x.cn"
    assert parse_rate("50/s") == 50 and parse_rate("0") is None and parse_rate(" 2.5 ") == 2.5
    with pytest.raises(ValidationError):
        parse_rate("fast")
    assert is_single_address("a.b+c@mail.example.cn") and not is_single_address("张三@example.cn")
