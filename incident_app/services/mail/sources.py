"""Where the send command and the send dialog get their messages (the integration point with the
notice renderer), plus two simple sources: a fixed list (tests) and a synthetic incident-sized
set of notices to reserved ``.test`` addresses (tests, the benchmark, demos).

:func:`default_message_source` builds the real source (services/notices/mail_source.py) unless
``$INCIDENT_APP_MESSAGE_SOURCE`` names a factory ``package.module:function`` taking the Services
(tests and bench/send_mail.py use that to run the real CLI on synthetic recipients)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incident_app.domain.errors import NotFoundError
from incident_app.domain.mail import (
    ApprovalStatus,
    FallbackChannel,
    MessageSource,
    OutgoingMessage,
    notice_reference,
)

if TYPE_CHECKING:
    from incident_app.services.container import Services

ENV_SOURCE = "INCIDENT_APP_MESSAGE_SOURCE"
ENV_SYNTHETIC_COUNT = "INCIDENT_APP_SYNTHETIC_RECIPIENTS"
SYNTHETIC_DOMAIN = "example.test"  # RFC 2606: can never be delivered on the internet


class NoMessageSource(NotFoundError):  # noqa: N818 - reads as the situation
    """No rendered, approved email notices are available to send."""


def default_message_source(services: Services) -> MessageSource:
    """The messages the send command and dialog use: the incident's people and its approved
    personal email notices (``$INCIDENT_APP_MESSAGE_SOURCE`` overrides it for tests and the bench)."""
    spec = os.environ.get(ENV_SOURCE, "").strip()
    if not spec:
        from incident_app.services.notices.mail_source import NoticeMessageSource

        people_of = services.notices.people_source
        if people_of is None:
            raise NoMessageSource("no affected people are available to send to; import the people list first")
        return NoticeMessageSource(services.notices, people_of, services.profile.get().officer_email)
    module_name, _, attr = spec.partition(":")
    factory: Callable[[Services], MessageSource] = getattr(importlib.import_module(module_name), attr)
    return factory(services)


@dataclass
class StaticMessageSource:
    """A fixed list of messages with a fixed approval and fallback choice."""

    messages: Sequence[OutgoingMessage]
    approved: bool = True
    reason: str = ""
    fallbacks: Mapping[str, FallbackChannel] = field(default_factory=dict)
    reads_affected_people: bool = True

    def count(self, incident_id: int) -> int:
        return sum(1 for m in self.messages if m.incident_id == incident_id)

    def iter_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        return (m for m in self.messages if m.incident_id == incident_id)

    def preview_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        return self.iter_messages(incident_id)

    def approval(self, incident_id: int) -> ApprovalStatus:
        return ApprovalStatus(self.approved, self.reason)

    def fallback_for(self, incident_id: int, recipient_key: str) -> FallbackChannel:
        return self.fallbacks.get(recipient_key, FallbackChannel.ANNOUNCEMENT)


@dataclass
class SyntheticMessageSource:
    """``size`` bilingual notices to ``p000001@example.test`` … (generated, deterministic)."""

    size: int
    version: str = "synthetic-v1"
    domain: str = SYNTHETIC_DOMAIN
    contact: str = "privacy@example.test"
    reads_affected_people: bool = True

    def count(self, incident_id: int) -> int:
        return self.size

    def iter_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        return (self.message(incident_id, number) for number in range(1, self.size + 1))

    def preview_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        return self.iter_messages(incident_id)

    def approval(self, incident_id: int) -> ApprovalStatus:
        return ApprovalStatus(True)

    def fallback_for(self, incident_id: int, recipient_key: str) -> FallbackChannel:
        # Every third person has a phone on file, every third a postal address, the rest neither.
        number = int(recipient_key.rsplit(":", 1)[-1])
        return (FallbackChannel.SMS, FallbackChannel.LETTER, FallbackChannel.ANNOUNCEMENT)[number % 3]

    def message(self, incident_id: int, number: int) -> OutgoingMessage:
        """The notice for person ``number``."""
        key = f"person:{number}"
        language = "zh-CN" if number % 2 else "en"
        reference = notice_reference(incident_id, key, "individual_email", self.version)
        text = _synthetic_text(language, number, reference, self.contact)
        html = "<html><body><pre>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</pre></body></html>"
        subject = ("关于您个人信息安全事件的告知" if language == "zh-CN"
                   else "Notice about a personal information incident")
        return OutgoingMessage(incident_id, "individual_email", self.version, key,
                               f"p{number:06d}@{self.domain}", language, subject, text, html)


def synthetic_source_from_env(services: Services) -> MessageSource:
    """Factory for ``$INCIDENT_APP_MESSAGE_SOURCE``: ``$INCIDENT_APP_SYNTHETIC_RECIPIENTS`` notices."""
    return SyntheticMessageSource(int(os.environ.get(ENV_SYNTHETIC_COUNT, "100")))


def _synthetic_text(language: str, number: int, reference: str, contact: str) -> str:
    if language == "zh-CN":
        return (
            f"尊敬的用户 {number:06d}：\n\n"
            "【事件情况】我们发现，第三方登录组件的日志接口曾可在未经鉴权的情况下被访问。\n"
            "【涉及的信息】手机号码、设备标识符。\n"
            "【原因】供应商接口配置错误。\n"
            "【可能的影响】您可能收到骚扰电话或诈骗短信。\n"
            "【已采取的措施】我们已关闭该接口、更换密钥，并要求供应商删除留存数据。\n"
            "【您可以采取的措施】警惕自称客服索要验证码的来电；不要点击陌生链接。\n"
            "【我们提供的帮助】客服热线和账号安全检查。\n"
            f"【联系方式】个人信息保护专员：{contact}\n\n"
            f"通知编号：{reference}\n"
        )
    return (
        f"Dear user {number:06d},\n\n"
        "What happened: the log endpoint of a third-party login component could be read without "
        "authentication.\n"
        "Information involved: phone number, device identifiers.\n"
        "Cause: a misconfigured vendor endpoint.\n"
        "Possible harm: nuisance calls or fraudulent text messages.\n"
        "What we did: we closed the endpoint, rotated keys and required the vendor to delete the data.\n"
        "What you can do: distrust callers who ask for verification codes; do not open unknown links.\n"
        "What we offer: a hotline and an account security check.\n"
        f"Contact: our personal information protection officer, {contact}\n\n"
        f"Notice reference: {reference}\n"
    )
