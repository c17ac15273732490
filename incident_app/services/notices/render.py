"""Rendering notices from one snapshot and checking each rendered output for completeness."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from incident_app.domain.notices import (
    SHORT_CHANNELS,
    Channel,
    CheckExpectations,
    CompletenessReport,
    NoticeKind,
    NoticeRecipient,
    check_rendered,
    recipient_reference,
    specimen_recipient,
)
from incident_app.domain.profile import default_sms_signature
from incident_app.services.notices.context import NoticeContextBuilder
from incident_app.services.notices.templates import NoticeTemplateError, NoticeTemplates, template_name

_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


def channel_template(kind: NoticeKind, channel: Channel, lang: str) -> str:
    return template_name(kind.value, channel.template_name, lang, channel.extension)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def subject_of(html_text: str) -> str:
    """An email's subject is the <title> of its HTML part (so the approval covers it)."""
    match = _TITLE.search(html_text)
    return " ".join(html.unescape(match.group(1)).split()) if match else ""


def recipient_fields(incident_id: int, recipient: NoticeRecipient) -> dict[str, str]:
    """The personal values a template may print, for one recipient."""
    return {"display_name": recipient.display_name, "salutation": recipient.salutation(),
            "reference": recipient_reference(incident_id, recipient.recipient_key),
            "child_name": recipient.child_display_name, "address": recipient.address}


@dataclass(frozen=True)
class RenderedNotice:
    """One master rendering with its completeness report; ``error`` is set when the template
    failed (then ``content`` is empty and the report lists every element as missing)."""

    kind: NoticeKind
    channel: Channel
    lang: str
    content: str
    sha256: str
    report: CompletenessReport
    error: str = ""

    @property
    def template(self) -> str:
        return channel_template(self.kind, self.channel, self.lang)


@dataclass
class NoticeRenderer:
    """Renders masters (specimen recipient) and arbitrary recipients for one snapshot."""

    templates: NoticeTemplates
    builder: NoticeContextBuilder
    contact: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # lang -> phone/email/address

    @property
    def incident_id(self) -> int:
        return self.builder.snapshot.incident_id

    def render(self, kind: NoticeKind, channel: Channel, lang: str, recipient: Mapping[str, Any] | None = None,
               data_type_ids: tuple[str, ...] | None = None) -> str:
        """Render one channel template; raises :class:`NoticeTemplateError`."""
        ctx = self.builder.context(kind, channel, lang, recipient, data_type_ids)
        return self.templates.render(channel_template(kind, channel, lang), ctx)

    def specimen_fields(self, kind: NoticeKind, lang: str) -> dict[str, str]:
        specimen = specimen_recipient(lang, guardian=kind == NoticeKind.GUARDIAN, teen=kind == NoticeKind.MINOR)
        return recipient_fields(self.incident_id, specimen)

    def render_master(self, kind: NoticeKind, channel: Channel, lang: str,
                      waivers: Mapping[str, str] | None = None) -> RenderedNotice:
        """The master of a notice, checked. Template failures come back as an error, not a raise."""
        expectations = replace(self.expectations(channel, lang, waivers or {}),
                               extra_elements=self.builder.extra_elements(kind))
        try:
            content = self.render(kind, channel, lang, self.specimen_fields(kind, lang))
        except NoticeTemplateError as exc:
            report = check_rendered("", kind, channel, lang, expectations)
            return RenderedNotice(kind, channel, lang, "", "", report, str(exc))
        report = check_rendered(content, kind, channel, lang, expectations)
        if not content.strip():
            report = CompletenessReport(kind, channel, lang, report.elements, (*report.problems, "the notice is blank"))
        return RenderedNotice(kind, channel, lang, content, sha256_text(content), report)

    def expectations(self, channel: Channel, lang: str, waivers: Mapping[str, str]) -> CheckExpectations:
        contact = self.contact.get(lang, {})
        keys = ("phone",) if channel in SHORT_CHANNELS else ("phone", "email", "address")
        values = tuple(contact[k] for k in keys if contact.get(k))
        signature = default_sms_signature(self.builder.data["profile"], lang) if channel == Channel.SMS else ""
        return CheckExpectations(values, self.builder.snapshot.drill, dict(waivers), sms_signature=signature)


def contact_expectations(ctx_builder: NoticeContextBuilder) -> dict[str, dict[str, str]]:
    """The officer contact each language's contact section must show (from the profile)."""
    out = {}
    for lang in ("zh-CN", "en"):
        contact = ctx_builder.context(NoticeKind.INDIVIDUAL, Channel.DOCUMENT, lang)["contact"]
        out[lang] = {"phone": contact["phone"], "email": contact["email"], "address": contact["address"]}
    return out
