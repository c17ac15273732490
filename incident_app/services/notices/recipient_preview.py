"""One affected person's actual notices before approval: the e-mail, the letter and the SMS each
of their recipients (the person, or a minor's guardian) would get, rendered by the same
``PersonalRenderer`` calls the sender (``NoticeService.personal_emails``) and the export (letters
PDF) make — so the preview is that person's text, not a specimen — plus a masked copy for the
screen (names, contacts, addresses and ID numbers masked as the People tab masks them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from incident_app.domain.notices import (
    CHANNELS,
    SHORT_CHANNELS,
    Channel,
    NoticeKind,
    NoticeRecipient,
    recipient_reference,
    short_form_body,
)
from incident_app.domain.notices.recipient import SPECIMEN_KEY
from incident_app.domain.notices.sms_gateway import REFERENCE_VARIABLE, SmsTemplate, template_from
from incident_app.domain.people.person import (
    Person,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)
from incident_app.services.notices.personal import PersonalRenderer

PREVIEW_CHANNELS = (Channel.EMAIL_TEXT, Channel.LETTER, Channel.SMS)


@dataclass(frozen=True)
class RecipientPreview:
    """One notice one recipient would receive; ``text`` is the real rendering (never shown without
    a logged unmasking), ``masked_text`` what the screen shows."""

    person_id: int
    kind: NoticeKind
    channel: Channel
    lang: str
    reference: str
    to_masked: str
    subject: str  # masked too (the bundled subjects name nobody; an edited template might)
    text: str
    masked_text: str
    # Where this person goes if this notice fails for good ("sms", "letter", "announcement"; ""
    # when nothing follows): an e-mail that bounces or is refused is followed up by SMS when a
    # phone is on file, else a letter to the address, else the public announcement.
    fallback: str = ""


def preview_person(renderer: PersonalRenderer, incident_id: int, person: Person,
                   recipients: list[NoticeRecipient], planned: set[NoticeKind],
                   sms_masters: dict[tuple[NoticeKind, str], str] | None = None,
                   signature: str = "", signatures: dict[str, str] | None = None) -> list[RecipientPreview]:
    """Every planned e-mail, letter and SMS for this person's recipients, in that order. An SMS
    is shown as the gateway batch (``export-sms``) sends it: one approved template per notice and
    language (``sms_masters``: the rendered SMS masters), its only variable the reference code,
    after the 【signature】 the gateway puts first (``signatures`` by language: English SMS carry the
    English one) — not a per-person text the gateway never sends. Only the channel the plan uses
    for each recipient is shown; an e-mail says what follows if it fails (``fallback``)."""
    templates = {key: template_from(short_form_body(content), recipient_reference(incident_id, SPECIMEN_KEY),
                                    recipient_reference(incident_id, SPECIMEN_KEY))
                 for key, content in (sms_masters or {}).items()}
    out = []
    for recipient in recipients:
        if recipient.kind not in planned:
            continue
        for channel, contact in _channels(recipient):
            reference = recipient_reference(incident_id, recipient.recipient_key)
            subject, text = _render(renderer, recipient, channel)
            if channel in SHORT_CHANNELS:
                sign = signatures.get(recipient.language, signature) if signatures else signature
                text = _short_text(text, templates, recipient, reference, sign)
            out.append(RecipientPreview(
                person.id, recipient.kind, channel, recipient.language, reference,
                _mask_contact(channel, contact), mask_personal_text(subject, person, recipient), text,
                mask_personal_text(text, person, recipient), _fallback(recipient, channel)))
    return out


# The people channel values and the notice channel each one is reached by.
_PLANNED_CHANNEL = {"email": Channel.EMAIL_TEXT, "guardian_email": Channel.EMAIL_TEXT, "sms": Channel.SMS,
                    "guardian_sms": Channel.SMS, "letter": Channel.LETTER, "guardian_letter": Channel.LETTER}


def _channels(recipient: NoticeRecipient) -> Iterator[tuple[Channel, str]]:
    """The channel the plan reaches this recipient by (their people channel); every channel with
    a contact only when the source did not say (an older import)."""
    available = CHANNELS[recipient.kind]
    contacts = {Channel.EMAIL_TEXT: recipient.email, Channel.LETTER: recipient.address, Channel.SMS: recipient.phone}
    planned = _PLANNED_CHANNEL.get(recipient.channel)
    for channel in PREVIEW_CHANNELS:
        if channel in available and contacts[channel] and (planned == channel or not recipient.channel):
            yield channel, contacts[channel]


def _fallback(recipient: NoticeRecipient, channel: Channel) -> str:
    """What follows when this notice fails for good: only an e-mail has a fallback (the mail
    source's rule: SMS with a phone, else a letter with an address, else the announcement)."""
    if channel != Channel.EMAIL_TEXT:
        return ""
    if recipient.phone:
        return "sms"
    return "letter" if recipient.address else "announcement"


def _render(renderer: PersonalRenderer, recipient: NoticeRecipient, channel: Channel) -> tuple[str, str]:
    if channel == Channel.EMAIL_TEXT:
        email = renderer.email(recipient)  # what the sender hands to the relay
        return email.subject, email.text_body
    return "", renderer.render(recipient.kind, channel, recipient)  # as in the letters PDF / SMS batch


def _short_text(text: str, templates: dict[tuple[NoticeKind, str], SmsTemplate], recipient: NoticeRecipient,
                reference: str, signature: str) -> str:
    """The SMS as the batch file carries it (the batch's own fallback to the Chinese template)."""
    template = templates.get((recipient.kind, recipient.language)) or templates.get((recipient.kind, "zh-CN"))
    body = template.fill({REFERENCE_VARIABLE: reference}) if template else short_form_body(text)
    return (f"【{signature}】" if signature else "") + body


def _mask_contact(channel: Channel, contact: str) -> str:
    if channel == Channel.EMAIL_TEXT:
        return mask_email(contact) or ""
    if channel == Channel.SMS:
        return mask_phone(contact) or ""
    return mask_address(contact) or ""


def mask_personal_text(text: str, person: Person, recipient: NoticeRecipient) -> str:
    """``text`` with every personal value of the person and their recipient replaced by its
    masked form (longest first, so a name inside an address is not half-replaced)."""
    values = {
        person.name: mask_name, recipient.display_name: mask_name, person.guardian_name: mask_name,
        person.email: mask_email, recipient.email: mask_email, person.guardian_email: mask_email,
        person.phone: mask_phone, recipient.phone: mask_phone, person.guardian_phone: mask_phone,
        person.address: mask_address, recipient.address: mask_address, person.id_number: mask_id_number,
    }
    for value in sorted((v for v in values if v), key=len, reverse=True):
        masker = values[value]
        text = text.replace(value, masker(value) or "")
        if value.startswith("+86"):  # a notice may print a mainland number without its prefix
            text = text.replace(value[3:], masker(value) or "")
    return text
