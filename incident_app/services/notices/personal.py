"""Personal notices at scale: one render per group of alike recipients, then per person only the
personal fields are filled in.

Recipients are grouped by (kind, channel, language, their data types, which personal fields are
empty). A group is rendered once with placeholder values for the personal fields and cut into
literal chunks around them; each person's notice is the chunks joined with that person's values
(HTML-escaped for HTML channels, as the sandbox would). This is safe only when a template treats
the personal fields as opaque text, so every group is probed (two different placeholder sets must
give the same cut) and its first recipient — and one in every ``full_check_every`` — is also
rendered the slow way and compared; any difference sends the whole group down the slow path.
Placeholders never carry a real person's data, so one person's data cannot reach another's notice."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import escape

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.notices import PERSONAL_KINDS, Channel, NoticeKind, NoticeRecipient
from incident_app.services.notices.context import RECIPIENT_FIELDS
from incident_app.services.notices.render import NoticeRenderer, recipient_fields, subject_of

_PROBE_A = {f: f"\ue000{f}\ue001" for f in RECIPIENT_FIELDS}
_PROBE_B = {f: f"\ue000{f.upper()}~{i}\ue001" for i, f in enumerate(RECIPIENT_FIELDS)}


class PersonalEmail(NamedTuple):
    """One person's email, ready for the sender. Bodies carry the recipient's reference line."""

    recipient_key: str
    to_address: str
    language: str
    subject: str
    text_body: str
    html_body: str
    kind: NoticeKind = NoticeKind.INDIVIDUAL


@dataclass(frozen=True)
class _Cut:
    """A group rendering cut around the personal fields: chunks[0] slot[0] chunks[1] …"""

    chunks: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        parts = [self.chunks[0]]
        for slot, chunk in zip(self.slots, self.chunks[1:], strict=True):
            parts.append(values[slot])
            parts.append(chunk)
        return "".join(parts)


def _cut(text: str, probes: Mapping[str, str]) -> _Cut | None:
    by_value = {v: k for k, v in probes.items()}
    pattern = re.compile("|".join(re.escape(v) for v in probes.values()))
    chunks, slots, start = [], [], 0
    for match in pattern.finditer(text):
        chunks.append(text[start:match.start()])
        slots.append(by_value[match.group(0)])
        start = match.end()
    chunks.append(text[start:])
    if any("\ue000" in c or "\ue001" in c for c in chunks):
        return None  # a placeholder was cut or altered by the template
    return _Cut(tuple(chunks), tuple(slots))


GroupKey = tuple[NoticeKind, Channel, str, tuple[str, ...], tuple[bool, ...]]


class PersonalRenderer:
    """Per-recipient rendering of personal notices for one snapshot. ``allowed`` limits the kinds
    that may be rendered (the sender passes the approved ones)."""

    def __init__(self, renderers: Mapping[NoticeKind, NoticeRenderer], *, full_check_every: int = 1000,
                 allowed: Iterable[NoticeKind] = PERSONAL_KINDS) -> None:
        self._renderers = renderers
        self._allowed = frozenset(allowed)
        self._every = full_check_every
        self._groups: dict[GroupKey, _Cut | None] = {}
        self._seen: dict[GroupKey, int] = {}
        self.slow_renders = 0

    def render(self, kind: NoticeKind, channel: Channel, recipient: NoticeRecipient) -> str:
        """This recipient's copy of the notice (raises NoticeTemplateError if the template fails)."""
        return self._render(kind, channel, recipient, self._values(kind, recipient))

    def _values(self, kind: NoticeKind, recipient: NoticeRecipient) -> dict[str, str]:
        if kind not in self._allowed:
            raise ValidationError.single(kind.value, "not approved in its current form; approve it first")
        return recipient_fields(self._renderers[kind].incident_id, recipient)

    def _render(self, kind: NoticeKind, channel: Channel, recipient: NoticeRecipient, values: dict[str, str]) -> str:
        lang = recipient.language if recipient.language in LANGUAGES else "zh-CN"
        present = tuple(bool(values[f]) for f in RECIPIENT_FIELDS)
        key: GroupKey = (kind, channel, lang, recipient.data_type_ids, present)
        if key not in self._groups:
            self._groups[key] = self._build(key)
        cut = self._groups[key]
        if cut is None:
            return self._slow(key, values)
        fast = cut.fill(_escaped(values) if channel.is_html else values)
        count = self._seen.get(key, 0)
        self._seen[key] = count + 1
        if count % self._every == 0 and fast != self._slow(key, values):
            self._groups[key] = None  # the template looks inside a personal field: render one by one
            return self._slow(key, values)
        return fast

    def _build(self, key: GroupKey) -> _Cut | None:
        kind, channel, lang, types, present = key
        probes = [{f: p[f] if on else "" for f, on in zip(RECIPIENT_FIELDS, present, strict=True)}
                  for p in (_PROBE_A, _PROBE_B)]
        renderer = self._renderers[kind]
        first, second = (renderer.render(kind, channel, lang, p, types or None) for p in probes)
        cut_a = _cut(first, {f: v for f, v in probes[0].items() if v})
        cut_b = _cut(second, {f: v for f, v in probes[1].items() if v})
        if cut_a is None or cut_a != cut_b:
            return None
        return cut_a

    def _slow(self, key: GroupKey, values: Mapping[str, str]) -> str:
        kind, channel, lang, types, _ = key
        self.slow_renders += 1
        return self._renderers[kind].render(kind, channel, lang, values, types or None)

    def email(self, recipient: NoticeRecipient) -> PersonalEmail:
        """The email (subject, text and HTML parts) for one recipient with an email address."""
        kind = recipient.kind
        values = self._values(kind, recipient)  # once for both parts (the reference is a hash)
        html_body = self._render(kind, Channel.EMAIL_HTML, recipient, values)
        text_body = self._render(kind, Channel.EMAIL_TEXT, recipient, values)
        lang = recipient.language if recipient.language in LANGUAGES else "zh-CN"
        return PersonalEmail(recipient.recipient_key, recipient.email, lang, subject_of(html_body),
                             text_body, html_body, kind)

    def emails(self, recipients: Iterable[NoticeRecipient]) -> Iterator[PersonalEmail]:
        """Emails for every recipient that has an email address, in input order."""
        for recipient in recipients:
            if recipient.email:
                yield self.email(recipient)


def _escaped(values: Mapping[str, str]) -> dict[str, str]:
    return {k: str(escape(v)) for k, v in values.items()}
