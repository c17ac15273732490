"""The person a personal notice is addressed to, reduced to what the notice needs, and the
per-recipient reference line that lets the mail sender check a body belongs to its recipient.

:func:`recipients_from_person` accepts any object with Person-like attributes (user_id, name,
email, phone, address, minor_band (or is_minor), guardian_name/email/phone, data_types, language), so
the affected-people import plugs in without this module importing it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.notices.kinds import NoticeKind

SPECIMEN_KEY = "specimen"


@dataclass(frozen=True)
class NoticeRecipient:
    """One addressee of a personal notice. Holds only this person's data."""

    recipient_key: str
    display_name: str = ""
    language: str = "zh-CN"
    email: str = ""
    phone: str = ""
    address: str = ""
    data_type_ids: tuple[str, ...] = ()
    is_guardian: bool = False
    child_display_name: str = ""  # masked, e.g. 张*明
    is_teen: bool = False  # a minor aged 14-17 told directly (the teenager's notice)
    # How this notice reaches this addressee (people channel values: email, sms, letter,
    # guardian_email, guardian_sms, guardian_letter); "" when the source did not say.
    channel: str = ""

    @property
    def by_letter(self) -> bool:
        """Whether this addressee gets a printed letter: their channel is a letter (an address
        alone is not enough — someone reached by e-mail or SMS gets no letter too)."""
        if self.channel:
            return self.channel in ("letter", "guardian_letter")
        return bool(self.address) and not self.email and not self.phone

    @property
    def kind(self) -> NoticeKind:
        """The personal notice this recipient gets."""
        if self.is_guardian:
            return NoticeKind.GUARDIAN
        return NoticeKind.MINOR if self.is_teen else NoticeKind.INDIVIDUAL

    def salutation(self) -> str:
        """How the letter opens, in the recipient's language."""
        if self.language == "en":
            fallback = "Dear parent or guardian," if self.is_guardian else "Dear user,"
            if self.is_teen:
                return f"Hello {self.display_name}," if self.display_name else "Hello,"
            return f"Dear {self.display_name}," if self.display_name else fallback
        if self.is_teen:
            return f"{self.display_name}同学，你好：" if self.display_name else "你好："
        if self.is_guardian:
            return f"尊敬的{self.display_name}（监护人）：" if self.display_name else "尊敬的家长/监护人："
        return f"尊敬的{self.display_name}：" if self.display_name else "尊敬的用户："


CHILD_PLACEHOLDER = {"zh-CN": "〔孩子姓名〕", "en": "[name of the child]"}


def specimen_recipient(lang: str, *, guardian: bool = False, teen: bool = False) -> NoticeRecipient:
    """The neutral addressee of the master notice that is checked and approved; a guardian's
    master shows a placeholder where each copy names the child (never an invented name)."""
    child = CHILD_PLACEHOLDER.get(lang, CHILD_PLACEHOLDER["zh-CN"]) if guardian else ""
    return NoticeRecipient(SPECIMEN_KEY, language=lang, is_guardian=guardian, child_display_name=child,
                           is_teen=teen)


def recipient_reference(incident_id: int, recipient_key: str) -> str:
    """A short reference printed in every personal notice; derived from the recipient key so the
    sender can verify the body belongs to its recipient without the key itself being shown."""
    digest = hashlib.sha256(f"{incident_id}:{recipient_key}".encode()).hexdigest()[:10].upper()
    return f"BD{incident_id}-{digest}"


def mask_name(name: str) -> str:
    """Mask a name for a notice to someone else (the guardian): 张小明 → 张*明, John Smith → J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if re.search(r"[\u3400-\u9fff]", name):
        if len(name) <= 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return " ".join(token[0] + "*" * max(len(token) - 1, 1) for token in name.split())


def _text(person: Any, attr: str) -> str:
    value = getattr(person, attr, "")
    return "" if value is None else str(value).strip()


def _language(person: Any) -> str:
    value = _text(person, "language")
    if value.lower().startswith("en"):
        return "en"
    return value if value in LANGUAGES else "zh-CN"


def _data_types(person: Any) -> tuple[str, ...]:
    value = getattr(person, "data_types", ()) or ()
    if isinstance(value, str):
        value = re.split(r"[;；、,]", value)
    return tuple(str(v).strip() for v in value if str(v).strip())


# The key of a person without user id, e-mail or phone (a letter by address, or a child reached
# only through the guardian): their row id on the people list, so two of them never share a key.
ROW_KEY_PREFIX = "person-"


def person_key(person: Any) -> str:
    """The person's send-ledger key, the same in every channel (e-mail, SMS, letters, the
    mass-messaging platform): the key kept when a correction changed the contact it came from
    (``ledger_key``: the person's rows stay one person's), else the user id, else the email, else
    the phone, else ``person-<row id>`` (storage/send_ledger.py's ``CURRENT_PERSON_KEY`` is the
    same rule in SQL); "" only for an object without any of them and no row id (a specimen)."""
    key = _text(person, "ledger_key") or _text(person, "user_id") or _text(person, "email") or _text(person, "phone")
    if key:
        return key
    row_id = getattr(person, "id", None)
    return f"{ROW_KEY_PREFIX}{row_id}" if isinstance(row_id, int) and not isinstance(row_id, bool) else ""


def _band(person: Any) -> str:
    """child / teen / adult; an object with only ``is_minor`` counts as a child (the older rule)."""
    band = getattr(person, "minor_band", None)
    if band:
        return str(getattr(band, "value", band))
    return "child" if getattr(person, "is_minor", False) else "adult"


def recipients_from_person(person: Any) -> list[NoticeRecipient]:
    """The notices one affected person gives rise to (Minors' Network Protection Regs Art. 35:
    minors *and* their guardians are told).

    - an adult: their own notice;
    - a child under 14: only the guardian's notice (by the guardian's e-mail or phone, or a letter
      to the household address), never one to the child, even with a contact of the child's own
      (PIPL Art. 31); without any of these nobody, and the child counts toward the announcement;
    - a teenager aged 14-17: the notice written for them through their own contact, and the
      guardian's notice when the guardian can be reached."""
    key, lang, types = person_key(person), _language(person), _data_types(person)
    name, email, phone, address = (_text(person, a) for a in ("name", "email", "phone", "address"))
    band = _band(person)
    stored = str(getattr(getattr(person, "channel", ""), "value", getattr(person, "channel", "")) or "")
    # Built once with its channel (no dataclasses.replace): this runs for every person of a
    # 10M-person hand-off.
    own_channel = stored if stored in _OWN_CHANNELS else _reach_by(email, phone, address, "")
    if band == "adult":
        return [NoticeRecipient(key, name, lang, email, phone, address, types, channel=own_channel)]
    g_email, g_phone = _text(person, "guardian_email"), _text(person, "guardian_phone")
    g_channel = (stored if band == "child" and stored.startswith("guardian_")
                 else _reach_by(g_email, g_phone, address, "guardian_"))
    reachable = [NoticeRecipient(f"{key}#guardian", _text(person, "guardian_name"), lang, g_email, g_phone, address,
                                 types, is_guardian=True, child_display_name=mask_name(name), channel=g_channel)
                 ] if (g_email or g_phone or address) else []
    if band == "child":
        return reachable
    teen = [NoticeRecipient(key, name, lang, email, phone, address, types, is_teen=True, channel=own_channel)
            ] if email or phone or address else []
    return teen + reachable


_OWN_CHANNELS = ("email", "sms", "letter")


def _reach_by(email: str, phone: str, address: str, prefix: str) -> str:
    """The channel an addressee's own contacts give (e-mail, then phone, then a letter), as the
    people import chooses it; "none" without any."""
    if email:
        return prefix + "email"
    if phone:
        return prefix + "sms"
    return prefix + "letter" if address else "none"


def recipients_from_people(people: Iterable[Any]) -> Iterable[NoticeRecipient]:
    """Stream recipients from Person-like objects (the people import)."""
    for person in people:
        yield from recipients_from_person(person)
