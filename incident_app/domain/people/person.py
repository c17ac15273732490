"""Affected people: the stored person, how each one is reached (channel), the age bands
(child under 14, teenager 14–17, adult), and masking for display (spreadsheet formulas are
neutralised by domain/exports.py).

Pure rules only; reading files and storing rows live in services/ and storage/."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

MINOR_AGE = 14  # PIPL Art. 28/31 and the policy's children's rules: "under fourteen"
ADULT_AGE = 18  # Minors' Network Protection Regulations Art. 35 and the Minors Protection Law: under 18


class MinorBand(StrEnum):
    """Age band on the occurrence date: ``child`` under 14 (told only through the guardian),
    ``teen`` 14–17 (told directly in a notice written for them, and the guardian too), ``adult``."""

    CHILD = "child"
    TEEN = "teen"
    ADULT = "adult"
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
    is_minor: bool = False  # under 18 (either minor band)
    guardian_name: str | None = None
    guardian_email: str | None = None
    guardian_phone: str | None = None
    data_types: tuple[str, ...] = ()
    language: str = "zh-CN"
    channel: Channel = Channel.NONE
    minor_band: MinorBand = MinorBand.ADULT
    id_number: str | None = None
    # The send-ledger key kept when a correction changed the contact the key is derived from
    # (domain.notices.recipient.person_key): the ledger's rows follow the person, not the contact.
    ledger_key: str | None = None

    @property
    def is_child(self) -> bool:
        """Under 14: contacted only through the guardian."""
        return self.minor_band == MinorBand.CHILD

    def masked(self) -> Person:
        """A copy safe to show in lists: names, contacts and addresses hidden (the birth date is
        kept; lists show its year only)."""
        return replace(
            self, name=mask_name(self.name), email=mask_email(self.email), phone=mask_phone(self.phone),
            address=mask_address(self.address), guardian_name=mask_name(self.guardian_name),
            guardian_email=mask_email(self.guardian_email), guardian_phone=mask_phone(self.guardian_phone),
            id_number=mask_id_number(self.id_number),
        )


@dataclass(frozen=True)
class PeopleSummary:
    """Counts the assessment and the notices use; ``unreachable`` people have channel ``none``."""

    total: int = 0
    minors: int = 0  # under 18 = children + teens
    by_channel: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0
    duplicates_merged: int = 0
    rejected_rows: int = 0
    children: int = 0  # under 14
    teens: int = 0  # 14 to 17

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total, "minors": self.minors, "children": self.children, "teens": self.teens,
            "by_channel": dict(self.by_channel),
            "unreachable": self.unreachable, "duplicates_merged": self.duplicates_merged,
            "rejected_rows": self.rejected_rows,
        }


def minor_cutoff(incident_day: date, years: int = MINOR_AGE) -> str:
    """ISO date such that a person born on or after it is under ``years`` on ``incident_day``.

    A full age is reached on the day *after* the birthday (the Supreme People's Court rule for
    周岁, Fa Shi [2006] No. 1 Art. 2), so on the 14th (18th) birthday itself the person still
    counts as under 14 (18) — the protective reading: their guardian is told. Comparing ISO
    strings keeps the million-row loop cheap.
    """
    year = incident_day.year - years
    try:
        return incident_day.replace(year=year).isoformat()
    except ValueError:  # 29 February on a non-leap year: the birthday falls on 28 February
        return date(year, 2, 28).isoformat()


def band_cutoffs(incident_day: date) -> tuple[str, str]:
    """(under-14 cutoff, under-18 cutoff) for :func:`band_code`."""
    return minor_cutoff(incident_day, MINOR_AGE), minor_cutoff(incident_day, ADULT_AGE)


def is_minor_by(birth_iso: str | None, age: int | None, cutoff_iso: str, years: int = MINOR_AGE) -> bool:
    """Under ``years`` (default 14) on the incident day: from the birth date when known, else
    from the stated age. ``cutoff_iso`` is :func:`minor_cutoff` for the same ``years``."""
    if birth_iso:
        return birth_iso >= cutoff_iso
    return age is not None and age < years


def band_code(birth_iso: str | None, age: int | None, cutoffs: tuple[str, str]) -> str:
    """The :class:`MinorBand` value on the incident day (birth date first, else stated age)."""
    if is_minor_by(birth_iso, age, cutoffs[0], MINOR_AGE):
        return "child"
    if is_minor_by(birth_iso, age, cutoffs[1], ADULT_AGE):
        return "teen"
    return "adult"


def choose_channel(
    *, band: MinorBand | str, email: str | None, mobile: bool, address: str | None,
    guardian_email: str | None, guardian_mobile: bool,
) -> Channel:
    """How the person is reached first.

    Adults and teenagers (14–17) by their own email, then SMS to a mobile, then a letter; a
    teenager with no contact of their own is reached through the guardian. A child under 14 is
    never contacted directly, even with an address of their own (PIPL Art. 31, the children's
    rules): the guardian's email or mobile, else a letter to the guardian at the household
    address; with none of these the child counts toward the public announcement and the import
    report asks the officer to find the guardian. (A teenager's guardian gets a notice too, see
    domain/notices/recipient.py.)"""
    return Channel(channel_code(str(band), email, mobile, address, guardian_email, guardian_mobile))


def channel_code(band: str, email: str | None, mobile: bool, address: str | None,
                 guardian_email: str | None, guardian_mobile: bool) -> str:
    """:func:`choose_channel` as its string value, positional (the importer calls it per row)."""
    if band == "child":
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
    if band == "teen":
        if guardian_email:
            return "guardian_email"
        if guardian_mobile:
            return "guardian_sms"
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


def mask_id_number(value: str | None) -> str | None:
    """110101200901011234 -> 110*************34 (region prefix and last two kept)."""
    if not value:
        return value
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_text(value: str | None) -> str | None:
    """Generic masking for values we could not parse: first and last character only, and only the
    first up to four characters (a three-character Chinese name shows one, as a name does)."""
    if not value:
        return value
    if len(value) <= 2:
        return "*" * len(value)
    if len(value) <= 4:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * min(len(value) - 2, 8) + value[-1]
