"""One affected person's actual notices before approval: the e-mail, the letter and the SMS each
of their recipients (the person, or a minor's guardian) would get, rendered by the same
``PersonalRenderer`` calls the sender (``NoticeService.personal_emails``) and the export (letters
PDF) make — so the preview is that person's text, not a specimen — plus a masked copy for the
screen (names, contacts, addresses and ID numbers masked as the People tab masks them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from incident_app.domain.notices import CHANNELS, Channel, NoticeKind, NoticeRecipient, recipient_reference
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


def preview_person(renderer: PersonalRenderer, incident_id: int, person: Person,
                   recipients: list[NoticeRecipient], planned: set[NoticeKind]) -> list[RecipientPreview]:
    """Every planned e-mail, letter and SMS for this person's recipients, in that order."""
    out = []
    for recipient in recipients:
        if recipient.kind not in planned:
            continue
        for channel, contact in _channels(recipient):
            subject, text = _render(renderer, recipient, channel)
            out.append(RecipientPreview(
                person.id, recipient.kind, channel, recipient.language, recipient_reference(incident_id,
                                                                                           recipient.recipient_key),
                _mask_contact(channel, contact), mask_personal_text(subject, person, recipient), text,
                mask_personal_text(text, person, recipient)))
    return out


def _channels(recipient: NoticeRecipient) -> Iterator[tuple[Channel, str]]:
    available = CHANNELS[recipient.kind]
    contacts = {Channel.EMAIL_TEXT: recipient.email, Channel.LETTER: recipient.address, Channel.SMS: recipient.phone}
    for channel in PREVIEW_CHANNELS:
        if channel in available and contacts[channel]:
            yield channel, contacts[channel]


def _render(renderer: PersonalRenderer, recipient: NoticeRecipient, channel: Channel) -> tuple[str, str]:
    if channel == Channel.EMAIL_TEXT:
        email = renderer.email(recipient)  # what the sender hands to the relay
        return email.subject, email.text_body
    return "", renderer.render(recipient.kind, channel, recipient)  # as in the letters PDF / SMS batch


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
