"""The organisation profile: who the company is and how affected people reach its personal
information protection officer. Defaults come from the privacy policy (resources/profile.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError


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
    try:
        values["operator_type"] = OperatorType(values.get("operator_type", "ordinary"))
    except ValueError:
        problems.append(FieldProblem("operator_type", "must be ordinary, critical_infrastructure or state_organ"))
        values["operator_type"] = OperatorType.ORDINARY
    values["languages"] = tuple(values.get("languages", ("zh-CN", "en")))
    if problems:
        raise ValidationError(problems)
    defaults = {f.name: "" for f in fields(OrganisationProfile) if f.type == "str"}
    return OrganisationProfile(**{**defaults, **values})
