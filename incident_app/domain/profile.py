"""The organisation profile: who the company is and how affected people reach its personal
information protection officer. Defaults come from the privacy policy (resources/profile.json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.text import LINE_MAX, text_problem


class OperatorType(StrEnum):
    """CAC Reporting Measures Art. 4: the report deadline depends on the operator type."""

    ORDINARY = "ordinary"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    STATE_ORGAN = "state_organ"


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
    # contact and phone); the officer's title stands in while it is empty.
    contact_name: str = ""
    reply_working_days: int = 3
    handling_working_days: int = 15
    operator_type: OperatorType = OperatorType.ORDINARY
    province: str = "上海市"
    languages: tuple[str, ...] = ("zh-CN", "en")
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["operator_type"] = self.operator_type.value
        data["languages"] = list(self.languages)
        return data


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
    if problems:
        raise ValidationError(problems)
    defaults = {f.name: "" for f in fields(OrganisationProfile) if f.type == "str"}
    return OrganisationProfile(**{**defaults, **values})


NOTICE_LANGUAGES = ("zh-CN", "en")


def check_profile_changes(data: Mapping[str, Any], provinces: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The officer's new profile values (the Settings dialog, ``profile set``), checked beyond
    :func:`parse_profile` (which also reads profiles stored by older versions): every text under
    the shared text rule, the province one of ``provinces`` (zh, en; an unambiguous short form
    such as 北京 becomes 北京市), the languages among zh-CN/en (at least one), a 6-digit
    postcode. Returns the values to store; raises ValidationError naming each field."""
    problems: list[FieldProblem] = []
    values = dict(data)
    for key, value in data.items():
        if isinstance(value, str) and (problem := text_problem(value, LINE_MAX)):
            problems.append(FieldProblem(key, problem))
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
