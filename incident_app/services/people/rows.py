"""Turning one file row into a stored row: normalise each mapped field, drop (and report) an
invalid field rather than the whole row, decide the age band and channel (a missing birth date is
taken from a valid resident ID number).

Rows are plain lists in storage.people.ROW_COLUMNS order because this runs a million times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from incident_app.domain.catalog import Catalog
from incident_app.domain.people import (
    EMAIL_PATTERN,
    MAX_TEXT,
    MESSAGES,
    ColumnMapping,
    FieldRejected,
    age_on,
    band_code,
    channel_code,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    normalise_age,
    normalise_birth_date,
    normalise_email,
    normalise_id_number,
    normalise_language,
    normalise_phone,
    split_data_types,
    strip_unsafe,
)
from incident_app.domain.people.fields import has_unsafe

# Positions in storage.people.ROW_COLUMNS.
INCIDENT, PERSON_ID, SOURCE_ROW, USER_ID, NAME, EMAIL, PHONE, ADDRESS, BIRTH, AGE, MINOR = range(11)
G_NAME, G_EMAIL, G_PHONE, TYPES, LANGUAGE, CHANNEL, MERGED, ID_NUMBER, BAND = range(11, 20)
WIDTH = 20

Report = Callable[[int, str, str | None, str], None]
MASKERS: dict[str, Callable[[str | None], str | None]] = {
    "name": mask_name, "guardian_name": mask_name, "email": mask_email, "guardian_email": mask_email,
    "phone": mask_phone, "guardian_phone": mask_phone, "address": mask_address, "user_id": lambda v: v,
    # A data type or language the import does not know is an unparsed value like any other: the
    # cell may hold what a shifted column put there (a name, a number, an address).
    "data_types": mask_text, "language": mask_text, "age": lambda v: v, "id_number": mask_id_number,
}


def stated_age(row: list[Any]) -> int | None:
    """The row's age column ("" when not given)."""
    age = row[AGE]
    return age if isinstance(age, int) else None


def mask_for(field: str, value: str | None) -> str | None:
    """The report shows values masked like the People tab (unparsed values keep two letters)."""
    return MASKERS.get(field, mask_text)(value)


class RowBuilder:
    """Normalises rows of one file for one incident. ``report(row, field, value, reason)``
    receives every dropped field and warning (values already masked)."""

    def __init__(self, mapping: ColumnMapping, catalog: Catalog, *, incident_id: int, cutoffs: tuple[str, str],
                 today: date, report: Report) -> None:
        col = {f: i for i, f in enumerate(mapping.fields) if f}
        self._width = len(mapping.fields)
        self._texts = tuple((f, col[f], _TEXT_POSITIONS[f]) for f in _TEXT_POSITIONS if f in col)
        self._email = col.get("email", -1)
        self._phone_col = col.get("phone", -1)
        self._rest = tuple(col.get(f, -1) for f in _OTHER_FIELDS)
        self._has_rest = any(i >= 0 for i in self._rest)
        self._today_iso = today.isoformat()
        self._incident_id = incident_id
        self._cutoffs = cutoffs
        self._today = today
        self._report = report
        self._type_names = {key.lower(): t.id for t in catalog.types for key in (t.id, t.name_zh, t.name_en)}
        self._type_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._language_cache: dict[str, tuple[str, bool]] = {}
        self.fields_dropped = 0
        self.warnings = 0
        self.build = self._fast_build()

    def _fast_build(self) -> Callable[[int, list[str]], list[Any] | None]:
        """The per-row function, as a closure over this file's column positions and caches:
        closure variables are cheaper to read than attributes, and this runs a million times.

        It returns the stored row (id left 0), or None when the row does not identify a person.
        The common shapes are checked inline; everything else goes through the domain
        normalisers (see people_fields) via the methods below."""
        width, incident_id, texts = self._width, self._incident_id, self._texts
        adult_cutoff, today_iso = self._cutoffs[1], self._today_iso
        email_at, phone_at = self._email, self._phone_col
        birth_at, age_at, g_email_at, g_phone_at, types_at, language_at, id_at = self._rest
        has_rest = self._has_rest
        type_cache, language_cache = self._type_cache, self._language_cache
        drop, email_value, phone_value, birth_value = self._drop, self._email_value, self._phone, self._birth
        printable = self._printable

        def build(number: int, cells: list[str]) -> list[Any] | None:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            # Missing values are "" rather than None: sqlite3 binds None through its slow
            # adapter path, which cost 40% of the insert time in the benchmark.
            row: list[Any] = [incident_id, 0, number, "", "", "", "", "", "", "", 0, "", "", "", "", "zh-CN",
                              "none", 0, "", "adult"]
            for field, index, position in texts:
                value = cells[index]
                if value:
                    if not value.isprintable():  # one C call; U+3000 or a tab also land here
                        value = printable(number, field, value)
                    value = value.strip()
                    if len(value) > MAX_TEXT:
                        drop(number, field, value, "too_long")
                        continue
                    row[position] = value
            mobile = guardian_mobile = False
            if email_at >= 0 and cells[email_at]:
                value = cells[email_at].strip().lower()
                if len(value) <= 254 and value.isascii() and _EMAIL_MATCH(value):
                    row[EMAIL] = value
                else:
                    row[EMAIL] = email_value(number, "email", cells[email_at])
            if phone_at >= 0 and cells[phone_at]:
                value = cells[phone_at]
                if (len(value) == 11 and value.isdigit() and value.isascii() and value[0] == "1"
                        and value[1] in "3456789"):
                    row[PHONE] = "+86" + value
                    mobile = True
                else:
                    row[PHONE], mobile = phone_value(number, "phone", value)
            if has_rest:
                if birth_at >= 0 and cells[birth_at]:
                    value = cells[birth_at]
                    if len(value) == 10 and value[4] == "-" and value[7] == "-" and "1900" <= value <= today_iso:
                        try:
                            _FROM_ISO(value)  # the fast path still refuses 2012-02-30
                            row[BIRTH] = value
                        except ValueError:
                            row[BIRTH] = birth_value(number, value)
                    else:
                        row[BIRTH] = birth_value(number, value)
                if id_at >= 0 and cells[id_at] and not cells[id_at].isspace():
                    self._id_number(row, number, cells[id_at])
                if age_at >= 0 and cells[age_at] and not cells[age_at].isspace():
                    row[AGE] = self._age(number, cells[age_at])
                if g_email_at >= 0 and cells[g_email_at] and not cells[g_email_at].isspace():
                    row[G_EMAIL] = email_value(number, "guardian_email", cells[g_email_at])
                if g_phone_at >= 0 and cells[g_phone_at] and not cells[g_phone_at].isspace():
                    row[G_PHONE], guardian_mobile = phone_value(number, "guardian_phone", cells[g_phone_at])
                if types_at >= 0 and cells[types_at]:
                    known = type_cache.get(cells[types_at])
                    row[TYPES] = known[0] if known and not known[1] else self._types(cells[types_at], number)
                if language_at >= 0 and cells[language_at]:
                    code = language_cache.get(cells[language_at])
                    row[LANGUAGE] = code[0] if code and code[1] else self._language(cells[language_at], number)
            if not (row[USER_ID] or (row[NAME] and (row[EMAIL] or row[PHONE] or row[ADDRESS] or row[G_EMAIL]
                                                     or row[G_PHONE]))):
                self._report(number, "(row)", mask_name(row[NAME]), MESSAGES["row_unidentified"])
                return None
            birth = row[BIRTH]
            if row[AGE] == "" and not (birth and birth >= adult_cutoff):
                # The common adult case, inlined from band_code/channel_code (a test holds
                # them equal): email, else SMS to a mobile, else a letter, else none.
                row[CHANNEL] = "email" if row[EMAIL] else "sms" if mobile else "letter" if row[ADDRESS] else "none"
            else:
                self._decide(row, number, mobile, guardian_mobile)
            return row

        return build

    def _printable(self, number: int, field: str, raw: str) -> str:
        """A text cell without control or text-direction characters; removing any is a warning
        in the report (the rest of the value is kept)."""
        if has_unsafe(raw):
            cleaned = strip_unsafe(raw)
            self.warnings += 1
            self._report(number, field, mask_for(field, cleaned.strip()), MESSAGES["unsafe_removed"])
            return cleaned
        return strip_unsafe(raw)

    def _email_value(self, number: int, field: str, raw: str) -> str:
        value = raw.strip().lower()
        if len(value) <= 254 and value.isascii() and _EMAIL_MATCH(value):
            return value
        try:
            return normalise_email(raw) or ""
        except FieldRejected as problem:
            self._drop(number, field, raw.strip(), problem.code)
            return ""

    def _birth(self, number: int, raw: str) -> str:
        try:
            return normalise_birth_date(raw, self._today) or ""
        except FieldRejected as problem:
            self._drop(number, "birth_date", raw.strip(), problem.code)
            return ""

    def _id_number(self, row: list[Any], number: int, raw: str) -> None:
        """Keep a valid ID number; fill a missing birth date from it (the birth date column wins
        when both are given, with a warning when they disagree)."""
        try:
            parsed = normalise_id_number(raw, self._today)
        except FieldRejected as problem:
            self._drop(number, "id_number", raw.strip(), problem.code)
            return
        if parsed is None:
            return
        row[ID_NUMBER], born = parsed
        if not row[BIRTH]:
            row[BIRTH] = born
        elif row[BIRTH] != born:
            self.warnings += 1
            self._report(number, "id_number", mask_id_number(row[ID_NUMBER]), MESSAGES["id_birth_conflict"])

    def _age(self, number: int, raw: str) -> int | str:
        try:
            age = normalise_age(raw)
        except FieldRejected as problem:
            self._drop(number, "age", raw.strip(), problem.code)
            return ""
        return "" if age is None else age

    def _drop(self, number: int, field: str, raw: str, code: str) -> None:
        self.fields_dropped += 1
        self._report(number, field, mask_for(field, raw), MESSAGES[code])

    def _phone(self, number: int, field: str, raw: str) -> tuple[str, bool]:
        try:
            parsed = normalise_phone(raw)
        except FieldRejected as problem:
            self._drop(number, field, raw.strip(), problem.code)
            return "", False
        if parsed is None:
            return "", False
        if not parsed[1]:
            self.warnings += 1
            self._report(number, field, mask_phone(parsed[0]), MESSAGES["phone_not_mobile"])
        return parsed

    def _types(self, raw: str, number: int) -> str:
        cached = self._type_cache.get(raw)
        if cached is None:
            ids, unknown = split_data_types(raw, self._type_names)
            cached = (";".join(ids), unknown)
            if len(self._type_cache) < 10_000:
                self._type_cache[raw] = cached
        for token in cached[1]:
            self.warnings += 1
            self._report(number, "data_types", mask_for("data_types", token), MESSAGES["data_type_unknown"])
        return cached[0]

    def _language(self, raw: str, number: int) -> str:
        cached = self._language_cache.get(raw)
        if cached is None:
            cached = self._language_cache.setdefault(raw, normalise_language(raw))
        if not cached[1]:
            self.warnings += 1
            self._report(number, "language", mask_for("language", raw.strip()), MESSAGES["language_unknown"])
        return cached[0]

    def _decide(self, row: list[Any], number: int, mobile: bool, guardian_mobile: bool) -> None:
        age = stated_age(row)
        if row[BIRTH] and age is not None and abs(age_on(row[BIRTH], self._today) - age) > 1:
            self.warnings += 1
            self._report(number, "age", str(age), MESSAGES["age_conflict"])
        band = band_code(row[BIRTH], age, self._cutoffs)
        row[BAND] = band
        row[MINOR] = int(band != "adult")
        row[CHANNEL] = channel_code(band, row[EMAIL], mobile, row[ADDRESS], row[G_EMAIL], guardian_mobile)
        # Said exactly when it is so: a child with no way to reach the guardian (no e-mail, mobile
        # nor household address) is "none" and counts toward the announcement; a teenager's
        # guardian who cannot be reached is not told.
        if (band == "child" and row[CHANNEL] == "none") or (
                band == "teen" and not (row[G_EMAIL] or guardian_mobile or row[ADDRESS])):
            self.warnings += 1
            code = "minor_no_guardian" if band == "child" else "teen_no_guardian"
            self._report(number, "guardian", None, MESSAGES[code])

_TEXT_POSITIONS = {"user_id": USER_ID, "name": NAME, "address": ADDRESS, "guardian_name": G_NAME}
_OTHER_FIELDS = ("birth_date", "age", "guardian_email", "guardian_phone", "data_types", "language", "id_number")
_EMAIL_MATCH = EMAIL_PATTERN.fullmatch
_FROM_ISO = date.fromisoformat
