"""The organisation profile: who the company is and how affected people reach its personal
information protection officer. Defaults come from the privacy policy (resources/profile.json)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from incident_app.domain.contacts import AddressRejected, normalise_email
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.text import LINE_MAX, text_problem
from incident_app.domain.wording import has_chinese


class OperatorType(StrEnum):
    """CAC Reporting Measures Art. 4: the report deadline depends on the operator type."""

    ORDINARY = "ordinary"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    STATE_ORGAN = "state_organ"


# The roles of the people in charge that the internal brief goes to (privacy policy IV.2(5):
# "notify the relevant departments, responsible persons…"): id -> (zh, en).
RESPONSIBLE_ROLES: dict[str, tuple[str, str]] = {
    "legal_representative": ("法定代表人", "legal representative"),
    "pi_protection_lead": ("个人信息保护负责人", "person in charge of personal-information protection"),
    "ciso": ("首席信息安全官", "CISO"),
    "business_owner": ("业务负责人", "business owner"),
    "public_relations": ("公共关系负责人", "public relations"),
    "other": ("其他负责人", "other person in charge"),
}


# A phone number as typed -> its E.164 form, or None when it is not one (the people list's rule).
PhoneNormaliser = Callable[[str], str | None]

# The send ledger's recipient keys of responsible persons start with this (never an affected person's).
STAFF_KEY_PREFIX = "staff:"


@dataclass(frozen=True)
class ResponsiblePerson:
    """A member of staff in charge who receives the internal brief (never an affected person;
    their contacts are still masked wherever the tool logs)."""

    name: str
    role: str
    email: str
    phone: str = ""
    language: str = "zh-CN"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def ledger_key(self) -> str:
        """The send ledger's key for this person: stable, and does not show the address itself."""
        return STAFF_KEY_PREFIX + hashlib.sha256(self.email.strip().lower().encode()).hexdigest()[:12]


@dataclass(frozen=True)
class OrganisationProfile:
    """Company identity and the PI protection contact that every notice must carry."""

    company_zh: str
    company_en: str
    officer_title_zh: str
    officer_title_en: str
    officer_phone: str
    officer_email: str
    postal_address_zh: str
    postal_address_en: str
    postcode: str
    website: str = ""
    # The person the CAC report names as its contact (CAC Measures Art. 7: the reporting unit's
    # contact and phone); the officer's title stands in while it is empty. English notices print
    # contact_name_en (a marker naming that field while it is empty, never the Chinese name).
    contact_name: str = ""
    contact_name_en: str = ""
    reply_working_days: int = 3
    handling_working_days: int = 15
    operator_type: OperatorType = OperatorType.ORDINARY
    province: str = "上海市"
    languages: tuple[str, ...] = ("zh-CN", "en")
    source: str = ""
    # The people in charge the internal brief is e-mailed to (``profile set responsible_persons``).
    responsible_persons: tuple[ResponsiblePerson, ...] = ()
    # A value-added telecommunications licence brings the MIIT data-security incident plan and a
    # report to the communications administration named here (e.g. 上海市通信管理局).
    telecom_licence: bool = False
    telecom_authority: str = ""
    # Its English name, which the English report prints (e.g. Shanghai Communications Administration).
    telecom_authority_en: str = ""
    # The SMS signature for English SMS (Latin letters): a Chinese signature makes the gateway
    # bill an English text in UCS-2 (70/67 characters a part) instead of GSM-7 (160/153).
    sms_signature_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["operator_type"] = self.operator_type.value
        data["languages"] = list(self.languages)
        data["responsible_persons"] = [p.to_dict() for p in self.responsible_persons]
        return data


def default_sms_signature(profile: Mapping[str, Any], lang: str) -> str:
    """The SMS signature the gateway adds for ``lang``: the English one for English SMS when the
    profile has it, else the company's Chinese name."""
    english = str(profile.get("sms_signature_en", "") or "").strip()
    return english if lang == "en" and english else str(profile.get("company_zh", "")).strip()


_REQUIRED = ("company_zh", "officer_phone", "officer_email", "postal_address_zh")
# Short forms accepted wherever an operator type is typed (``profile set operator_type cii``).
OPERATOR_ALIASES = {"cii": OperatorType.CRITICAL_INFRASTRUCTURE.value,
                    "ciio": OperatorType.CRITICAL_INFRASTRUCTURE.value}
_WORKING_DAY_FIELDS = ("reply_working_days", "handling_working_days")


def parse_profile(data: Mapping[str, Any]) -> OrganisationProfile:
    """Validate a profile mapping; every notice depends on the contact fields being present."""
    known = {f.name for f in fields(OrganisationProfile)}
    problems = [FieldProblem(k, "unknown profile field") for k in data if k not in known]
    problems += [
        FieldProblem(k, "is required: notices must carry it") for k in _REQUIRED if not data.get(k)
    ]
    email = str(data.get("officer_email", ""))
    if email and "@" not in email:
        problems.append(FieldProblem("officer_email", f"'{email}' is not an email address"))
    values = {k: v for k, v in data.items() if k in known}
    operator = str(values.get("operator_type", "ordinary")).strip()
    try:
        values["operator_type"] = OperatorType(OPERATOR_ALIASES.get(operator.lower(), operator))
    except ValueError:
        problems.append(FieldProblem("operator_type", f"'{operator}' is not an operator type; use ordinary, "
                                                      "critical_infrastructure (or cii) or state_organ"))
        values["operator_type"] = OperatorType.ORDINARY
    for key in _WORKING_DAY_FIELDS:
        value = values.get(key)
        if key in values and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60):
            problems.append(FieldProblem(key, f"'{value}' is not a number of working days (a whole number 1–60)"))
    values["languages"] = tuple(values.get("languages", ("zh-CN", "en")))
    values["responsible_persons"] = _responsible_persons(values.get("responsible_persons", ()), problems)
    if "telecom_licence" in values and not isinstance(values["telecom_licence"], bool):
        problems.append(FieldProblem("telecom_licence", f"'{values['telecom_licence']}' is not true or false"))
    if values.get("telecom_licence") is True and not str(values.get("telecom_authority", "")).strip():
        problems.append(FieldProblem("telecom_authority", "name the communications administration responsible "
                                                          "(e.g. 上海市通信管理局) when the company holds a licence"))
    problems += sms_signature_en_problems(str(values.get("sms_signature_en", "") or ""))
    if problems:
        raise ValidationError(problems)
    defaults = {f.name: "" for f in fields(OrganisationProfile) if f.type == "str"}
    return OrganisationProfile(**{**defaults, **values})


def sms_signature_en_problems(value: str, field: str = "sms_signature_en") -> list[FieldProblem]:
    """An English SMS signature: 2–12 Latin letters, digits or spaces (so that an English SMS
    stays in GSM 7-bit encoding), without the 【】 the gateway adds. The one rule for the profile
    field and for a signature given for one hand-off (``--signature-en``), named ``field``."""
    text = value.strip()
    if not text:
        return []
    if not 2 <= len(text) <= 12 or not all(ch.isascii() and (ch.isalnum() or ch in " -&.") for ch in text):
        return [FieldProblem(field, f"'{text}' is not an English SMS signature: use 2–12 Latin "
                                    "letters, digits or spaces (e.g. the brand name), without 【】")]
    return []


# The profile's English texts: what English notices print. Chinese characters in one would reach
# an English notice unmarked, so they are refused when the officer types them.
ENGLISH_TEXT_FIELDS = ("company_en", "officer_title_en", "postal_address_en", "contact_name_en",
                       "telecom_authority_en")


NOTICE_LANGUAGES = ("zh-CN", "en")
_PERSON_FIELDS = ("name", "role", "email", "phone", "language")


def _responsible_persons(raw: Any, problems: list[FieldProblem], strict: bool = False,
                         phone: PhoneNormaliser | None = None) -> tuple[ResponsiblePerson, ...]:
    """The responsible persons from their stored or typed form (a list of mappings), each row
    checked: name, a known role, an e-mail address; the phone and language are optional.

    ``strict`` (the officer's new list): the address follows the sender's own rule
    (domain/contacts.py: one mailbox of at most 254 characters, no list, display name or control
    character, an ASCII part before the @) and is kept in its normalised form, so an address the
    sender would refuse is refused here, naming the row, not at sending time. A stored list is
    read with the looser check so that a profile saved by an older version stays usable."""
    if isinstance(raw, tuple) and all(isinstance(p, ResponsiblePerson) for p in raw):
        return raw
    if not isinstance(raw, list | tuple):
        problems.append(FieldProblem("responsible_persons", "must be a JSON list of "
                                                            '{"name", "role", "email", "phone"} entries'))
        return ()
    people = []
    for i, item in enumerate(raw, start=1):
        where = f"responsible_persons[{i}]"
        if not isinstance(item, Mapping):
            problems.append(FieldProblem(where, 'must be an object like {"name": …, "role": …, "email": …}'))
            continue
        row = {k: str(item.get(k, "")).strip() for k in _PERSON_FIELDS}
        row["language"] = row["language"] or "zh-CN"
        found = len(problems)
        if unknown := [k for k in item if k not in _PERSON_FIELDS]:
            problems.append(FieldProblem(where, f"unknown field '{unknown[0]}'; use: " + ", ".join(_PERSON_FIELDS)))
        if not row["name"]:
            problems.append(FieldProblem(f"{where}.name", "is required"))
        if row["role"] not in RESPONSIBLE_ROLES:
            problems.append(FieldProblem(f"{where}.role", f"'{row['role']}' is not a role; use one of: "
                                                          + ", ".join(RESPONSIBLE_ROLES)))
        if strict:
            row["email"] = _strict_address(row["email"], f"{where}.email", problems)
            if phone is not None:
                row["phone"] = _strict_phone(row["phone"], f"{where}.phone", problems, phone)
        elif "@" not in row["email"] or " " in row["email"] or row["email"].startswith("@"):
            problems.append(FieldProblem(f"{where}.email", f"'{row['email']}' is not an email address"))
        if row["language"] not in NOTICE_LANGUAGES:
            problems.append(FieldProblem(f"{where}.language", "use " + " or ".join(NOTICE_LANGUAGES)))
        for key in ("name", "phone"):
            if problem := text_problem(row[key], LINE_MAX):
                problems.append(FieldProblem(f"{where}.{key}", problem))
        if len(problems) == found:
            people.append(ResponsiblePerson(**row))
    emails = [p.email.lower() for p in people]
    if len(emails) != len(set(emails)):
        problems.append(FieldProblem("responsible_persons", "each person needs their own e-mail address "
                                                            "(one brief per address)"))
    return tuple(people)


def _strict_phone(text: str, where: str, problems: list[FieldProblem], phone: PhoneNormaliser) -> str:
    """A responsible person's phone checked and kept as the people import keeps phones (E.164;
    the brief falls back to an SMS to it): empty is allowed, anything else must be a number."""
    if not text.strip():
        return ""
    parsed = phone(text)
    if parsed is None:
        shown = text if len(text) <= 40 else text[:37] + "…"
        problems.append(FieldProblem(where, f"{shown!r} is not a phone number; write a mainland mobile "
                                            "(138 0013 8000), a landline with its area code (021-3876 0448) or "
                                            "a number with its country code (+44 20 7946 0000)"))
        return text
    return parsed


def _strict_address(text: str, where: str, problems: list[FieldProblem]) -> str:
    try:
        address = normalise_email(text)
    except AddressRejected as exc:
        shown = text if len(text) <= 80 else text[:77] + "…"
        problems.append(FieldProblem(where, f"{shown!r} is not one e-mail address ({exc.reason}); "
                                            "write one address such as ceo@example.com"))
        return text
    if address is None:
        problems.append(FieldProblem(where, "'' is not an email address"))
        return text
    return address


def check_profile_changes(data: Mapping[str, Any], provinces: Sequence[tuple[str, str]],
                          phone: PhoneNormaliser | None = None) -> dict[str, Any]:
    """The officer's new profile values (the Settings dialog, ``profile set``), checked beyond
    :func:`parse_profile` (which also reads profiles stored by older versions): every text under
    the shared text rule, the province one of ``provinces`` (zh, en; an unambiguous short form
    such as 北京 becomes 北京市), the languages among zh-CN/en (at least one), a 6-digit
    postcode, each responsible person's phone through ``phone`` (the people list's rule, given
    by the caller: the domain capabilities stand alone). Returns the values to store; raises
    ValidationError naming each field."""
    problems: list[FieldProblem] = []
    values = dict(data)
    for key, value in data.items():
        if isinstance(value, str) and (problem := text_problem(value, LINE_MAX)):
            problems.append(FieldProblem(key, problem))
    for key in ENGLISH_TEXT_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and has_chinese(value) and not any(p.field == key for p in problems):
            problems.append(FieldProblem(key, f"'{value.strip()}' has Chinese characters; English notices print "
                                              "this field: write it in English (Latin letters), or leave it empty"))
    if "province" in data and not any(p.field == "province" for p in problems):
        values["province"] = _province(str(data["province"]), provinces, problems)
    if "languages" in data:
        languages = data["languages"]
        items = list(languages) if isinstance(languages, list | tuple) else [languages]
        if not items:
            problems.append(FieldProblem("languages", "give at least one of: " + ", ".join(NOTICE_LANGUAGES)))
        elif bad := [str(i) for i in items if i not in NOTICE_LANGUAGES]:
            problems.append(FieldProblem("languages", f"'{bad[0]}' is not a notice language; use "
                                                      + ", ".join(NOTICE_LANGUAGES)))
    if "responsible_persons" in data:
        people = _responsible_persons(data["responsible_persons"], problems, strict=True, phone=phone)
        values["responsible_persons"] = [p.to_dict() for p in people]
    postcode = str(data.get("postcode", "")).strip()
    if "postcode" in data and postcode and not (len(postcode) == 6 and postcode.isascii() and postcode.isdigit()):
        problems.append(FieldProblem("postcode", f"'{postcode}' is not a postcode; write its 6 digits"))
    if problems:
        raise ValidationError(problems)
    return values


def _province(text: str, provinces: Sequence[tuple[str, str]], problems: list[FieldProblem]) -> str:
    wanted = text.strip()
    exact = [zh for zh, en in provinces if wanted in (zh, en) or wanted.lower() == en.lower()]
    found = exact or [zh for zh, _en in provinces if wanted and zh.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    problems.append(FieldProblem("province", f"'{wanted}' is not a province-level region; use one of: "
                                             + ", ".join(zh for zh, _en in provinces)))
    return wanted


def profile_value(key: str, text: str) -> Any:
    """Turn the text of ``profile set KEY VALUE`` into the field's value; the result still goes
    through :func:`parse_profile` (the Settings dialog's validation). Raises ValidationError
    naming the key when the text cannot be that kind of value."""
    types = {f.name: str(f.type) for f in fields(OrganisationProfile)}
    if key not in types:
        raise ValidationError.single(key, "unknown profile field; known: " + ", ".join(types))
    kind = types[key]
    if kind == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise ValidationError.single(key, f"'{text}' is not a whole number") from None
    if kind == "bool":
        flag = text.strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise ValidationError.single(key, f"'{text}' is not true or false")
        return flag in ("true", "yes", "1")
    if kind.startswith(("tuple", "list")):
        return _list_value(key, text)
    if kind in ("str", "OperatorType"):
        return text.strip()
    return _json_value(key, text)


def _list_value(key: str, text: str) -> list[Any]:
    if text.strip().startswith("["):
        value = _json_value(key, text)
        if not isinstance(value, list):
            raise ValidationError.single(key, "must be a JSON list or comma-separated values")
        return value
    return [part.strip() for part in text.split(",") if part.strip()]


def _json_value(key: str, text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.single(key, f"is not valid JSON ({exc.msg})") from None
