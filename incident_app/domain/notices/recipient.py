"""The person a personal notice is addressed to, reduced to what the notice needs, and the
per-recipient reference line that lets the mail sender check a body belongs to its recipient.

:func:`recipients_from_person` accepts any object with Person-like attributes (user_id, name,
email, phone, address, is_minor, guardian_name/email/phone, data_types, language), so the
affected-people import plugs in without this module importing it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incident_app.domain.i18n import LANGUAGES

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

    def salutation(self) -> str:
        """How the letter opens, in the recipient's language."""
        if self.language == "en":
            fallback = "Dear parent or guardian," if self.is_guardian else "Dear user,"
            return f"Dear {self.display_name}," if self.display_name else fallback
        if self.is_guardian:
            return f"尊敬的{self.display_name}（监护人）：" if self.display_name else "尊敬的家长/监护人："
        return f"尊敬的{self.display_name}：" if self.display_name else "尊敬的用户："


def specimen_recipient(lang: str, *, guardian: bool = False) -> NoticeRecipient:
    """The neutral addressee of the master notice that is checked and approved."""
    child = ("张*明" if lang != "en" else "J*** S****") if guardian else ""
    return NoticeRecipient(SPECIMEN_KEY, language=lang, is_guardian=guardian, child_display_name=child)


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


def person_key(person: Any) -> str:
    """A stable key: the user id, else the email, else the phone."""
    return _text(person, "user_id") or _text(person, "email") or _text(person, "phone")


def recipients_from_person(person: Any) -> list[NoticeRecipient]:
    """The notices one affected person gives rise to: the person's own, and for a minor under 14
    the guardian's (Minors' Network Protection Regs Art. 35: minors *and* guardians)."""
    key, lang, types = person_key(person), _language(person), _data_types(person)
    own = NoticeRecipient(key, _text(person, "name"), lang, _text(person, "email"), _text(person, "phone"),
                          _text(person, "address"), types)
    if not getattr(person, "is_minor", False):
        return [own]
    guardian = NoticeRecipient(
        f"{key}#guardian", _text(person, "guardian_name"), lang, _text(person, "guardian_email"),
        _text(person, "guardian_phone"), _text(person, "address"), types, is_guardian=True,
        child_display_name=mask_name(_text(person, "name")),
    )
    if not (guardian.email or guardian.phone or guardian.address):
        return []  # never the child alone: counted toward the announcement until a guardian is found
    # The child is told too (Minors' Regs Art. 35: minors and guardians), through a contact of the
    # child's own, alongside the guardian.
    has_own_contact = (own.email and own.email != guardian.email) or (own.phone and own.phone != guardian.phone)
    return [guardian, own] if has_own_contact else [guardian]


def recipients_from_people(people: Iterable[Any]) -> Iterable[NoticeRecipient]:
    """Stream recipients from Person-like objects (the people import)."""
    for person in people:
        yield from recipients_from_person(person)
