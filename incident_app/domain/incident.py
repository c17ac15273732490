"""The incident and its intake facts (docs/intake.md), with validation that names
the field and the problem."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from incident_app.domain.clock import parse_time, to_iso, utc_now
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.text import LINE_MAX, NAME_MAX, PROSE_MAX, clean_text, strings_problem, text_problem


class BreachType(StrEnum):
    """Which security property was lost (confidentiality, integrity, availability)."""

    LEAK = "leak"
    TAMPER = "tamper"
    LOSS = "loss"


class Likelihood(StrEnum):
    """PIPL Art. 57 covers incidents that happened and those likely to happen."""

    ACTUAL = "actual"
    SUSPECTED = "suspected"


class Cause(StrEnum):
    ATTACK = "attack"
    MALWARE = "malware"
    INSIDER = "insider"
    MISDELIVERY = "misdelivery"
    LOST_DEVICE = "lost_device"
    THIRD_PARTY = "third_party"
    MISCONFIGURATION = "misconfiguration"
    OTHER = "other"


class Recipients(StrEnum):
    """Who may now hold the data (drives the ENISA circumstances-of-breach score)."""

    NONE_KNOWN = "none_known"
    KNOWN_LIMITED = "known_limited"
    UNKNOWN = "unknown"
    PUBLIC = "public"


@dataclass(frozen=True)
class Ransom:
    """CAC Reporting Measures Art. 7 (二): for a ransomware attack, the ransom demanded — amount,
    way of payment and date. Each part may still be unknown (then the report says so)."""

    amount_cny: float | None = None
    method: str = ""  # as the Chinese report says it (比特币)
    date: str = ""
    method_en: str = ""  # as the English report says it (Bitcoin)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"amount_cny": self.amount_cny, "method": self.method, "date": self.date}
        if self.method_en:  # only when given, so snapshots of older ransoms keep their hash
            out["method_en"] = self.method_en
        return out


class IncidentStatus(StrEnum):
    """The officer's workflow, in order."""

    REPORTED = "reported"
    CONTAINED = "contained"
    ASSESSED = "assessed"
    NOTIFYING = "notifying"
    CLOSED = "closed"


INTAKE_KEYS: tuple[str, ...] = (
    "title", "summary", "occurred_at", "occurred_until", "discovered_at", "aware_at",
    "discovered_by", "location", "systems", "breach_types", "likelihood", "cause", "malicious",
    "recipients", "data_types", "affected_people", "affected_records", "affected_minors",
    "affected_minors_under_14", "affected_minors_14_17",
    "unintelligible", "eu_subjects", "economic_loss_cny", "police_notified", "drill", "ransom",
)
RANSOM_KEYS: tuple[str, ...] = ("amount_cny", "method", "date", "method_en")
# Free-text facts that reach notices: each has a zh-CN value (the plain attribute, what older
# intakes gave as a string) and an English one, so an English notice never prints Chinese prose.
BILINGUAL_KEYS: tuple[str, ...] = ("title", "summary", "discovered_by", "location", "systems")
FACT_LANGS: tuple[str, ...] = ("zh-CN", "en")
# In a bilingual value: the languages whose text is a copy of the other one, not yet translated.
UNTRANSLATED = "untranslated"
REQUIRED_KEYS: tuple[str, ...] = ("title", "discovered_at")
# Clock skew tolerance: a time a few minutes in the future is a typo-free "now", not an error.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Counts and amounts above this are typos or attacks (10^12 people, records or yuan), not facts;
# "Infinity" would otherwise grade an incident 特别重大.
ABSURD_NUMBER = 10**12


def typed_number(value: int | float) -> str:
    """A number as the officer typed it, for a message: every digit of a whole number (never a
    rounded float such as 123456789012345677877719597056), a float as Python reads it."""
    if isinstance(value, int):
        return str(value) if len(str(abs(value))) <= 40 else f"a number with {len(str(abs(value)))} digits"
    return repr(value)


# Personal-data incidents before this year are not what the tool handles: year 1 is a typo.
EARLIEST_YEAR = 1990
# The end of an incident period may lie a little ahead (still going on), never years ahead.
UNTIL_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class IntakeFacts:
    """What the officer knows about the incident. Times are timezone-aware."""

    title: str
    discovered_at: datetime
    summary: str = ""
    occurred_at: datetime | None = None
    occurred_until: datetime | None = None
    aware_at: datetime | None = None
    discovered_by: str = ""
    location: str = ""
    systems: tuple[str, ...] = ()
    breach_types: tuple[BreachType, ...] = (BreachType.LEAK,)
    likelihood: Likelihood = Likelihood.ACTUAL
    cause: Cause = Cause.OTHER
    malicious: bool = False
    recipients: Recipients = Recipients.UNKNOWN
    data_types: tuple[str, ...] = ()
    affected_people: int = 0
    affected_records: int = 0
    affected_minors: int = 0  # every minor under 18 (the bands below, plus any not yet split)
    affected_minors_under_14: int = 0
    affected_minors_14_17: int = 0
    unintelligible: bool = False
    eu_subjects: int = 0
    economic_loss_cny: float = 0.0
    police_notified: bool = False
    drill: bool = False
    ransom: Ransom | None = None
    # English values of BILINGUAL_KEYS (a tuple for systems); a key absent has no English yet.
    english: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # "lang:key" for each value copied from the other language and not edited since.
    untranslated: tuple[str, ...] = ()

    def text_in(self, key: str, lang: str) -> Any:
        """A bilingual fact in one language: the zh-CN value is the attribute itself."""
        if lang == "en":
            return self.english.get(key, () if key == "systems" else "")
        return getattr(self, key)

    def is_untranslated(self, key: str, lang: str) -> bool:
        return f"{lang}:{key}" in self.untranslated

    def bilingual(self, key: str) -> Any:
        """The JSON form of one bilingual fact: a plain zh-CN value while there is nothing else (so
        snapshots of older incidents keep their hash), else {"zh-CN": …, "en": …}."""
        zh, en = self.text_in(key, "zh-CN"), self.text_in(key, "en")
        marks = [lang for lang in FACT_LANGS if self.is_untranslated(key, lang)]
        if key == "systems":
            zh, en = list(zh), list(en)
        if not en and not marks:
            return zh
        out: dict[str, Any] = {"zh-CN": zh, "en": en}
        if marks:
            out[UNTRANSLATED] = marks
        return out

    @property
    def effective_aware_at(self) -> datetime:
        """Awareness defaults to discovery when not recorded separately."""
        return self.aware_at or self.discovered_at

    def to_dict(self) -> dict[str, Any]:
        """The intake JSON form (round-trips through :func:`parse_intake`)."""
        out: dict[str, Any] = {}
        for key in INTAKE_KEYS:
            value = getattr(self, key)
            if key == "ransom":
                # Left out when absent, so snapshots of incidents without one keep their hash.
                if value is not None:
                    out[key] = value.to_dict()
                continue
            if key in BILINGUAL_KEYS:
                value = self.bilingual(key)
            elif isinstance(value, datetime):
                value = to_iso(value)
            elif isinstance(value, tuple):
                value = [str(v) for v in value]
            elif isinstance(value, StrEnum):
                value = value.value
            out[key] = value
        return out

    def with_changes(self, **changes: Any) -> IntakeFacts:
        """A copy with some facts changed, validated like a fresh intake."""
        merged = self.to_dict()
        merged.update({k: v.to_dict() if isinstance(v, Ransom) else _jsonable(v) for k, v in changes.items()})
        return parse_intake(merged_bilingual(self.to_dict(), merged))


@dataclass(frozen=True)
class IncidentSummary:
    """What a list of incidents shows without reading the facts (the register's first paint)."""

    id: int
    title: str
    status: IncidentStatus
    discovered_at: datetime
    affected_people: int  # the intake's estimate
    drill: bool


@dataclass(frozen=True)
class Incident:
    """A stored incident: its facts plus workflow state."""

    id: int
    facts: IntakeFacts
    status: IncidentStatus = IncidentStatus.REPORTED
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)
    handling_closed_at: datetime | None = None

    def with_facts(self, facts: IntakeFacts) -> Incident:
        return replace(self, facts=facts)


def merged_bilingual(before: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with each bilingual fact given as a partial object ({"en": "…"}) completed from
    ``before``: the other language keeps its value, and a language given a value is no longer
    marked untranslated unless the change says so (``edit`` changes one language at a time); the
    other language, when it has a text, is marked untranslated if the given one's text was rewritten."""
    out = dict(changes)
    for key in BILINGUAL_KEYS:
        change = changes.get(key)
        if not isinstance(change, Mapping) or all(lang in change for lang in FACT_LANGS):
            continue
        old = before.get(key, "")
        base: dict[str, Any] = dict(old) if isinstance(old, Mapping) else {"zh-CN": old}
        marks = [m for m in base.get(UNTRANSLATED, []) if m not in change]
        # One language's text rewritten while the other keeps its text: that text no longer says
        # what the new one says, so it is marked untranslated (its notices held) until edited too.
        # Giving a language its first text, or replacing an untranslated copy (translating), marks nothing.
        copies = base.get(UNTRANSLATED, [])
        rewritten = any(base.get(lang) and base.get(lang) != change[lang] and lang not in copies
                        for lang in FACT_LANGS if lang in change)
        marks += [other for other in FACT_LANGS
                  if rewritten and other not in change and other not in marks and base.get(other)]
        base.update(change)
        if UNTRANSLATED not in change:
            base[UNTRANSLATED] = marks
        out[key] = base
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return value


class _Reader:
    """Collects every problem of one intake mapping instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any], *, stored: bool = False) -> None:
        self.data = data
        self.problems: list[FieldProblem] = []
        # Facts stored before a rule existed are cleaned, not refused: they must stay readable.
        self.stored = stored

    def fail(self, key: str, message: str) -> None:
        self.problems.append(FieldProblem(key, message))

    def text(self, key: str, *, max_len: int = PROSE_MAX) -> str:
        value = self.data.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(key, f"must be text, got {type(value).__name__}")
            return ""
        if self.stored:
            return clean_text(value).strip()
        problem = text_problem(value, max_len)
        if problem:
            self.fail(key, problem)
        return value.strip()

    def time(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.fail(key, "must be an ISO 8601 time string, e.g. 2026-11-20T09:30:00+08:00")
            return None
        try:
            moment = parse_time(value)
        except ValueError as exc:
            self.fail(key, str(exc))
            return None
        if moment.year < EARLIEST_YEAR:
            if self.stored:  # saved by an older version: an optional time reads as "not known"
                return moment if key == "discovered_at" else None
            self.fail(key, f"year {moment.year} is before {EARLIEST_YEAR}; check the date")
            return None
        return moment

    def count(self, key: str) -> int:
        value = self.data.get(key, 0)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(key, f"must be a whole number, got {value!r}")
                return 0
        if value < 0:
            self.fail(key, f"cannot be negative (got {value})")
            return 0
        if value > ABSURD_NUMBER and not self.stored:
            self.fail(key, f"{value} is absurd (more than 10^12); check the number")
            return 0
        return value

    def number(self, key: str) -> float:
        value = self.data.get(key, 0)
        if value is None:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, got {value!r}")
            return 0.0
        if not math.isfinite(value):
            if self.stored:  # saved by an older version: NaN/Infinity is read as "not known"
                return 0.0
            self.fail(key, f"must be a finite number, got {value!r}")
            return 0.0
        if value < 0:
            self.fail(key, f"cannot be negative (got {value})")
            return 0.0
        if value > ABSURD_NUMBER and not self.stored:
            self.fail(key, f"{typed_number(value)} is absurd (more than 10^12); check the number")
            return 0.0
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
            return False
        return value

    def choice(self, key: str, enum: type[StrEnum], default: StrEnum) -> Any:
        value = self.data.get(key)
        if value in (None, ""):
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self.fail(key, f"'{value}' is not one of: {allowed}")
            return default

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
            return ()
        if self.stored:
            value = [clean_text(v) for v in value]
        else:
            problem = strings_problem(value)
            if problem:
                self.fail(key, problem)
                return ()
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _bilingual(r: _Reader, key: str) -> tuple[Any, Any, list[str]]:
    """One bilingual fact: a plain value is zh-CN; {"zh-CN": …, "en": …, "untranslated": [lang]}
    gives both (either may be left out)."""
    def read(reader: _Reader, name: str) -> Any:
        if key == "systems":
            return reader.strings(name)
        return reader.text(name, max_len=_TEXT_LIMITS.get(key, PROSE_MAX))

    value = r.data.get(key)
    if not isinstance(value, Mapping):
        return read(r, key), None, []
    unknown = [str(k) for k in value if k not in (*FACT_LANGS, UNTRANSLATED)]
    if unknown:
        r.fail(key, f"unknown part(s) {', '.join(unknown)}; write the Chinese text as a string, or both "
                    'languages as {"zh-CN": "…", "en": "…"}')
    part = _Reader(value, stored=r.stored)
    zh, en = read(part, "zh-CN"), read(part, "en")
    marks = value.get(UNTRANSLATED) or []
    if not isinstance(marks, list) or any(m not in FACT_LANGS for m in marks):
        r.fail(f"{key}.{UNTRANSLATED}", "must be a list of languages: zh-CN, en")
        marks = []
    r.problems += [FieldProblem(f"{key}.{p.field}", p.message) for p in part.problems]
    return zh, en, [m for m in marks if (en if m == "en" else zh)]


_TEXT_LIMITS = {"title": NAME_MAX, "discovered_by": NAME_MAX, "location": LINE_MAX}


def parse_intake(
    data: Mapping[str, Any],
    known_data_types: Collection[str] | None = None,
    *,
    now: datetime | None = None,
    stored: bool = False,
) -> IntakeFacts:
    """Validate an intake mapping and build :class:`IntakeFacts`.

    Raises :class:`ValidationError` listing every field at fault. ``known_data_types`` (catalog
    ids) is checked when given; ``now`` bounds how far in the future a time may lie. ``stored``
    reads facts saved earlier: text is cleaned of forbidden characters instead of refused.
    """
    if not isinstance(data, Mapping):
        raise ValidationError.single("(file)", "must be a JSON object with the intake keys")
    reader = _Reader(data, stored=stored)
    _check_keys(data, reader)
    facts = _read_fields(reader)
    _check_data_types(facts.data_types, known_data_types, reader)
    if facts is not None:
        _check_consistency(facts, reader, now or utc_now())
    if reader.problems:
        raise ValidationError(reader.problems)
    return facts


def _check_keys(data: Mapping[str, Any], reader: _Reader) -> None:
    for key in data:
        if key not in INTAKE_KEYS:
            reader.fail(str(key), "unknown key; allowed keys are " + ", ".join(INTAKE_KEYS))
    for key in REQUIRED_KEYS:
        value = data.get(key)
        if isinstance(value, Mapping):  # a bilingual title: one language is enough
            value = next((v for lang, v in value.items() if lang in FACT_LANGS and v), "")
        if value in (None, ""):
            reader.fail(key, "is required")


def _read_fields(r: _Reader) -> IntakeFacts:
    breach_types = _breach_types(r)
    discovered = r.time("discovered_at")
    minors, under_14, teens = (r.count(k) for k in ("affected_minors", "affected_minors_under_14",
                                                     "affected_minors_14_17"))
    texts = {key: _bilingual(r, key) for key in BILINGUAL_KEYS}
    return IntakeFacts(
        title=texts["title"][0],
        summary=texts["summary"][0],
        occurred_at=r.time("occurred_at"),
        occurred_until=r.time("occurred_until"),
        # A placeholder keeps construction going so that every other problem is still reported.
        discovered_at=discovered or datetime.fromtimestamp(0).astimezone(),
        aware_at=r.time("aware_at"),
        discovered_by=texts["discovered_by"][0],
        location=texts["location"][0],
        systems=texts["systems"][0],
        breach_types=breach_types,
        likelihood=r.choice("likelihood", Likelihood, Likelihood.ACTUAL),
        cause=r.choice("cause", Cause, Cause.OTHER),
        malicious=r.flag("malicious"),
        recipients=r.choice("recipients", Recipients, Recipients.UNKNOWN),
        data_types=r.strings("data_types"),
        affected_people=r.count("affected_people"),
        affected_records=r.count("affected_records"),
        # affected_minors is the total under 18 (older intakes gave only it); the bands add up into it.
        affected_minors=max(minors, under_14 + teens),
        affected_minors_under_14=under_14,
        affected_minors_14_17=teens,
        unintelligible=r.flag("unintelligible"),
        eu_subjects=r.count("eu_subjects"),
        economic_loss_cny=r.number("economic_loss_cny"),
        police_notified=r.flag("police_notified"),
        drill=r.flag("drill"),
        ransom=_ransom(r),
        english={key: value[1] for key, value in texts.items() if value[1]},
        untranslated=tuple(f"{lang}:{key}" for key, value in texts.items() for lang in value[2]),
    )


def _ransom(r: _Reader) -> Ransom | None:
    """``ransom`` = {amount_cny, method, date}, each optional; null or absent means none."""
    value = r.data.get("ransom")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        r.fail("ransom", "must be an object with amount_cny, method and date, e.g. "
                         '{"amount_cny": 500000, "method": "Bitcoin", "date": "2026-11-21"}')
        return None
    unknown = [str(k) for k in value if k not in RANSOM_KEYS]
    if unknown:
        r.fail("ransom", f"unknown part(s) {', '.join(unknown)}; allowed: {', '.join(RANSOM_KEYS)}")
    part = _Reader(value)
    amount = part.number("amount_cny") if value.get("amount_cny") is not None else None
    ransom = Ransom(amount, part.text("method", max_len=200), _ransom_date(part), part.text("method_en", max_len=200))
    r.problems += [FieldProblem(f"ransom.{p.field}", p.message) for p in part.problems]
    return ransom


def _ransom_date(part: _Reader) -> str:
    """A date (2026-11-21) or a full ISO time; kept as written."""
    text = part.text("date", max_len=40)
    if not text:
        return ""
    try:
        moment = ransom_moment(text)
    except ValueError:
        part.fail("date", f"'{text}' is not a date; write it as 2026-11-21 or an ISO 8601 time")
        return text
    if moment.year < EARLIEST_YEAR and not part.stored:
        part.fail("date", f"year {moment.year} is before {EARLIEST_YEAR}; check the date")
    return text


def ransom_moment(text: str) -> datetime:
    """The ransom date as a time (a bare date is its Beijing midnight); raises ValueError."""
    return parse_time(text if "T" in text else f"{text}T00:00:00+08:00")


def _breach_types(r: _Reader) -> tuple[BreachType, ...]:
    raw = r.strings("breach_types")
    if "breach_types" in r.data and not raw:
        r.fail("breach_types", "choose at least one of: leak, tamper, loss")
    result: list[BreachType] = []
    for item in raw:
        try:
            result.append(BreachType(item))
        except ValueError:
            r.fail("breach_types", f"'{item}' is not one of: leak, tamper, loss")
    return tuple(result) or (BreachType.LEAK,)


def _check_data_types(
    ids: tuple[str, ...], known: Collection[str] | None, r: _Reader
) -> None:
    if known is None:
        return
    unknown = [i for i in ids if i not in known]
    if unknown:
        r.fail(
            "data_types",
            f"unknown data type id(s): {', '.join(unknown)}; "
            "run 'incident-app catalog' to list the valid ids",
        )


def _check_consistency(f: IntakeFacts, r: _Reader, now: datetime) -> None:
    if "discovered_at" in [p.field for p in r.problems]:
        return
    if f.occurred_at and f.occurred_at > f.discovered_at:
        r.fail("occurred_at", "is after discovered_at; an incident cannot be found before it happens")
    if f.occurred_at and f.occurred_until and f.occurred_until < f.occurred_at:
        r.fail("occurred_until", "is before occurred_at; the end of the period must follow its start")
    if f.aware_at and f.aware_at < f.discovered_at:
        r.fail("aware_at", "is before discovered_at; awareness follows (or equals) discovery")
    for key in ("occurred_at", "discovered_at", "aware_at"):
        moment = getattr(f, key)
        if moment and moment > now + FUTURE_TOLERANCE:
            r.fail(key, "lies in the future; check the date and the time zone")
    if f.ransom is not None and f.cause != Cause.MALWARE:
        r.fail("ransom", "is only for ransomware: set cause to malware, or remove ransom")
    ransom_ok = f.ransom is not None and f.ransom.date and "ransom.date" not in [p.field for p in r.problems]
    # A date: the whole of today is allowed.
    if ransom_ok and f.ransom is not None and ransom_moment(f.ransom.date) > now + UNTIL_TOLERANCE:
        r.fail("ransom.date", "lies in the future; check the date and the time zone")
    if f.occurred_until and f.occurred_until > now + UNTIL_TOLERANCE:
        r.fail("occurred_until", "lies in the future; check the date and the time zone")
    if f.affected_minors > f.affected_people and f.affected_people:
        r.fail("affected_minors", "exceeds affected_people; minors are counted within the people")
    given = r.data.get("affected_minors")
    bands = f.affected_minors_under_14 + f.affected_minors_14_17
    if isinstance(given, int) and not isinstance(given, bool) and 0 < given < bands:  # 0 = not given
        r.fail("affected_minors", f"is {given:,}, fewer than affected_minors_under_14 + affected_minors_14_17 "
                                  f"({bands:,}); it is the total of all minors under 18 — raise it or leave it out")
    if not f.title:
        return
