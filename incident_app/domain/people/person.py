"""Affected people: the stored person, how each one is reached (channel), the under-14 rule,
and masking for display (spreadsheet formulas are neutralised by domain/exports.py).

Pure rules only; reading files and storing rows live in services/ and storage/."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

MINOR_AGE = 14  # PIPL Art. 28/31 and the policy's children's rules: "under fourteen"
LANGUAGES = ("zh-CN", "en")


class Channel(StrEnum):
    """How a person's notice reaches them; ``none`` counts toward the public announcement."""

    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    GUARDIAN_EMAIL = "guardian_email"
    GUARDIAN_SMS = "guardian_sms"
    GUARDIAN_LETTER = "guardian_letter"
    NONE = "none"


@dataclass(frozen=True)
class Person:
    """One affected person as stored (contacts normalised: email lower-case, phone E.164)."""

    id: int
    incident_id: int
    user_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    birth_date: date | None = None
    is_minor: bool = False
    guardian_name: str | None = None
    guardian_email: str | None = None
    guardian_phone: str | None = None
    data_types: tuple[str, ...] = ()
    language: str = "zh-CN"
    channel: Channel = Channel.NONE

    def masked(self) -> Person:
        """A copy safe to show in lists: names, contacts and addresses hidden (the birth date is
        kept; lists show its year only)."""
        return replace(
            self, name=mask_name(self.name), email=mask_email(self.email), phone=mask_phone(self.phone),
            address=mask_address(self.address), guardian_name=mask_name(self.guardian_name),
            guardian_email=mask_email(self.guardian_email), guardian_phone=mask_phone(self.guardian_phone),
        )


@dataclass(frozen=True)
class PeopleSummary:
    """Counts the assessment and the notices use; ``unreachable`` people have channel ``none``."""

    total: int = 0
    minors: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0
    duplicates_merged: int = 0
    rejected_rows: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total, "minors": self.minors, "by_channel": dict(self.by_channel),
            "unreachable": self.unreachable, "duplicates_merged": self.duplicates_merged,
            "rejected_rows": self.rejected_rows,
        }


def minor_cutoff(incident_day: date) -> str:
    """ISO date such that a person born on or after it is under 14 on ``incident_day``.

    A full age is reached on the day *after* the birthday (the Supreme People's Court rule for
    周岁, Fa Shi [2006] No. 1 Art. 2), so on the 14th birthday itself the person still counts as
    under 14 — the protective reading: their guardian is told. Comparing ISO strings keeps the
    million-row loop cheap.
    """
    year = incident_day.year - MINOR_AGE
    try:
        return incident_day.replace(year=year).isoformat()
    except ValueError:  # 29 February on a non-leap year: the birthday falls on 28 February
        return date(year, 2, 28).isoformat()


def is_minor_by(birth_iso: str | None, age: int | None, cutoff_iso: str) -> bool:
    """Under 14 on the incident day: from the birth date when known, else from the stated age."""
    if birth_iso:
        return birth_iso >= cutoff_iso
    return age is not None and age < MINOR_AGE


def choose_channel(
    *, is_minor: bool, email: str | None, mobile: bool, address: str | None,
    guardian_email: str | None, guardian_mobile: bool,
) -> Channel:
    """Email first, then SMS to a mobile, then a letter; a minor's notice goes to the guardian
    (by the guardian's email or mobile, else a letter to the household address). A child under 14
    is never contacted alone (DESIGN.md: notified through the guardian): with no guardian contact
    nor address the child counts toward the public announcement and the report asks the officer
    to find the guardian."""
    return Channel(channel_code(is_minor, email, mobile, address, guardian_email, guardian_mobile))


def channel_code(is_minor: bool, email: str | None, mobile: bool, address: str | None,
                 guardian_email: str | None, guardian_mobile: bool) -> str:
    """:func:`choose_channel` as its string value, positional (the importer calls it per row)."""
    if is_minor:
        if guardian_email:
            return "guardian_email"
        if guardian_mobile:
            return "guardian_sms"
        if address:
            return "guardian_letter"
        return "none"
    if email:
        return "email"
    if mobile:
        return "sms"
    if address:
        return "letter"
    return "none"


# -- masking ---------------------------------------------------------------------------------
def mask_name(name: str | None) -> str | None:
    """张三丰 -> 张**; John Smith -> J*** S****."""
    if not name:
        return name
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """+8613800138000 -> 138****8000; other numbers keep the country code and last four."""
    if not phone:
        return phone
    digits = phone[3:] if phone.startswith("+86") else phone
    if len(digits) >= 8:
        return digits[:3] + "****" + digits[-4:]
    return digits[:1] + "*" * max(len(digits) - 3, 1) + digits[-2:]


def mask_email(email: str | None) -> str | None:
    """zhang.san@example.com -> z***@example.com."""
    if not email:
        return email
    local, at, domain = email.partition("@")
    if not at:
        return mask_text(email)
    return (local[:1] or "*") + "***@" + domain


def mask_address(address: str | None) -> str | None:
    """Keep the first six characters (province/city/district), hide the rest."""
    if not address:
        return address
    return address[:6] + "****" if len(address) > 6 else address[:2] + "****"


def mask_text(value: str | None) -> str | None:
    """Generic masking for values we could not parse: first and last character only."""
    if not value:
        return value
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * min(len(value) - 2, 8) + value[-1]
