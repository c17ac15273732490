"""Correcting one affected person by hand (People tab, ``people ID --edit``): a new email, phone,
address, name, guardian or language, each normalised by the same rules as the import; then the
person's channel is derived again exactly as the import derives it.

Pure steps on a stored row (storage.people.ROW_COLUMNS order); the service wraps them in one
transaction with the counts and the event (services/people/service.py ``edit_person``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incident_app.domain.errors import FieldProblem, NotFoundError, ValidationError
from incident_app.domain.people import (
    MAX_TEXT,
    MESSAGES,
    Channel,
    FieldRejected,
    PeopleSummary,
    Person,
    band_code,
    choose_channel,
    normalise_email,
    normalise_language,
    normalise_phone,
    phone_is_mobile,
)
from incident_app.domain.people.fields import clean_text
from incident_app.services.people.importer import apply_delta
from incident_app.services.people.rows import (
    ADDRESS,
    BAND,
    BIRTH,
    CHANNEL,
    EMAIL,
    G_EMAIL,
    G_NAME,
    G_PHONE,
    INCIDENT,
    LANGUAGE,
    MINOR,
    NAME,
    PERSON_ID,
    PHONE,
    USER_ID,
    stated_age,
)

# What a correction may change, and where each field sits in a stored row. The user id, birth
# date and data types are facts from the company's own records: a new list corrects those.
POSITIONS: dict[str, int] = {
    "name": NAME, "email": EMAIL, "phone": PHONE, "address": ADDRESS, "guardian_name": G_NAME,
    "guardian_email": G_EMAIL, "guardian_phone": G_PHONE, "language": LANGUAGE,
}
EDITABLE: tuple[str, ...] = tuple(POSITIONS)
LANGUAGE_CODES = ("zh-CN", "en")

# The import drops a bad field and goes on; a correction refuses and changes nothing.
_REFUSED = {
    "email_invalid": "is not an email address: nothing was changed — check it and type it again",
    "phone_invalid": "is not a valid phone number (a mainland mobile, or + country code and number): "
                     "nothing was changed",
    "too_long": f"is longer than {MAX_TEXT} characters: nothing was changed",
}


@dataclass(frozen=True)
class Correction:
    """What one correction did: the person after it, the names of the fields changed, the
    channel before and after, and warnings worth telling the officer (bilingual texts)."""

    person: Person
    fields: tuple[str, ...]
    channel_before: Channel
    warnings: tuple[str, ...] = ()

    @property
    def channel_after(self) -> Channel:
        return self.person.channel


def normalise_changes(changes: Mapping[str, str]) -> dict[str, str]:
    """Each new value in its stored form ("" clears a field), or ValidationError naming every
    field at fault (and nothing is written)."""
    if not changes:
        raise ValidationError.single("changes", f"give at least one new value for: {', '.join(EDITABLE)}")
    problems: list[FieldProblem] = []
    clean: dict[str, str] = {}
    for field, raw in changes.items():
        if field not in POSITIONS:
            problems.append(FieldProblem(field, f"cannot be corrected here; use one of: {', '.join(EDITABLE)}"))
            continue
        try:
            clean[field] = normalise_value(field, raw)
        except FieldRejected as rejected:
            problems.append(FieldProblem(field, _REFUSED[rejected.code]))
        except ValueError as wrong:
            problems.append(FieldProblem(field, str(wrong)))
    if problems:
        raise ValidationError(problems)
    return clean


def normalise_value(field: str, raw: str) -> str:
    """One field as the import stores it: email lower-cased and checked, phone to E.164,
    language to its code, text trimmed and at most MAX_TEXT characters."""
    if field in ("email", "guardian_email"):
        return normalise_email(raw) or ""
    if field in ("phone", "guardian_phone"):
        parsed = normalise_phone(raw)
        return parsed[0] if parsed else ""
    if field == "language":
        code, known = normalise_language(raw)
        if not known:
            raise ValueError(f"must be one of {', '.join(LANGUAGE_CODES)}")
        return code
    return clean_text(raw) or ""


def apply_changes(row: list[Any], clean: Mapping[str, str], cutoffs: tuple[str, str], *,
                  allow_unchanged: bool = False) -> tuple[str, ...]:
    """Write ``clean`` into the stored ``row`` and derive minor status and channel again;
    returns the names of the fields whose value really changed. Refuses a change that leaves
    the person unidentified (the import's rule: a user id, or a name with a contact), and one
    that changes nothing unless ``allow_unchanged`` (the correction lets a shared kept key go)."""
    changed = tuple(f for f in EDITABLE if f in clean and (row[POSITIONS[f]] or "") != clean[f])
    if not changed and not allow_unchanged:
        raise ValidationError.single("changes", "these are the values already stored: nothing to change")
    for field in changed:
        row[POSITIONS[field]] = clean[field]
    if not _identified(row):
        field = (changed or tuple(clean))[0]
        raise ValidationError.single(field, "the person would no longer be identified (no user id, and no name"
                                            " with a contact): keep a name and a contact")
    rederive(row, cutoffs)
    return changed


def rederive(row: list[Any], cutoffs: tuple[str, str]) -> None:
    """Age band, minor status and channel from the row's fields, as the import decides them (the
    same domain rules: band_code and choose_channel; a child is reached only through the guardian)."""
    band = band_code(row[BIRTH] or None, stated_age(row), cutoffs)
    row[BAND] = band
    row[MINOR] = int(band != "adult")
    row[CHANNEL] = choose_channel(
        band=band, email=row[EMAIL] or None, mobile=phone_is_mobile(row[PHONE]), address=row[ADDRESS] or None,
        guardian_email=row[G_EMAIL] or None, guardian_mobile=phone_is_mobile(row[G_PHONE]),
    ).value


def check_person(row: list[Any], incident_id: int) -> None:
    """The row must belong to the incident named (a person id from another incident is refused
    like a missing one)."""
    if row[INCIDENT] != incident_id:
        raise NotFoundError(f"person {row[PERSON_ID]} is not among the affected people of incident {incident_id}")


def counts_after(before: PeopleSummary, old_channel: str, new_channel: str, minor_change: int,
                 bands: tuple[str, str] = ("adult", "adult")) -> PeopleSummary:
    """The incident's counts after one person moved from ``old_channel`` to ``new_channel``
    (and became a minor, +1, or stopped being one, -1; ``bands``: their age band before and after,
    which differs only for a row stored before bands were kept)."""
    delta: Counter[str] = Counter()
    delta[old_channel] -= 1
    delta[new_channel] += 1
    by_channel = apply_delta(before.by_channel, delta)
    return PeopleSummary(
        total=before.total, minors=before.minors + minor_change, by_channel=by_channel,
        unreachable=by_channel.get(Channel.NONE.value, 0), duplicates_merged=before.duplicates_merged,
        rejected_rows=before.rejected_rows,
        children=before.children + (bands[1] == "child") - (bands[0] == "child"),
        teens=before.teens + (bands[1] == "teen") - (bands[0] == "teen"),
    )


def warnings_for(row: list[Any], changed: tuple[str, ...]) -> tuple[str, ...]:
    """What the officer should know after the correction (the import report's wording)."""
    found: list[str] = []
    for field in ("phone", "guardian_phone"):
        if field in changed and row[POSITIONS[field]] and not phone_is_mobile(row[POSITIONS[field]]):
            found.append(f"{field}: {MESSAGES['phone_not_mobile']}")
    # As the import says it: a child nobody can reach (not even by a letter to the household) and a
    # teenager whose guardian has no e-mail, mobile or address; a letter to the household is a way.
    reachable_guardian = bool(row[G_EMAIL] or phone_is_mobile(row[G_PHONE]) or row[ADDRESS])
    if row[BAND] == "child" and row[CHANNEL] == "none":
        found.append(f"guardian: {MESSAGES['minor_no_guardian']}")
    elif row[BAND] == "teen" and not reachable_guardian:
        found.append(f"guardian: {MESSAGES['teen_no_guardian']}")
    return tuple(found)


def key_warnings(released: bool, holders: list[int]) -> tuple[str, ...]:
    """What the officer should know about the person's send-ledger key after the correction: it
    was let go (another person keeps the same one), or the old one was not kept because other
    people hold it (the notices sent under it are theirs)."""
    if released:
        return ("send-ledger key: 此人与另一人保留了同一个发送记录键，现已放弃，按新的联系方式视为尚未通知；"
                "原联系方式下的发送记录归另一人 / this person and another kept the same send-ledger key: this person's"
                " is let go, they count as not yet told at their contact, and the notices sent under the old one"
                " stay the other person's",)
    if holders:
        named = ", ".join(f"#{other}" for other in holders)
        return (f"send-ledger key: 原联系方式是人员 {named} 的发送记录键，其下的发送记录归其所有；"
                "此人按新的联系方式视为尚未通知"
                f" / the old contact is the send-ledger key of person {named}: the notices sent under it stay theirs,"
                " and this person counts as not yet told at the new contact",)
    return ()


def _identified(row: list[Any]) -> bool:
    return bool(row[USER_ID] or (row[NAME] and (row[EMAIL] or row[PHONE] or row[ADDRESS] or row[G_EMAIL]
                                                 or row[G_PHONE])))
