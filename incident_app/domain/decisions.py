"""Recorded, signed decisions: a choice with legal weight (not notifying individuals, announcing
publicly instead, the officer's CAC-grade judgement, waiving a notice element) is never a default;
it is a decision with its rationale, who made it and when, and a SHA-256 over its content."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.proof import canonical_json


class DecisionKind(StrEnum):
    # PIPL Art. 57 ¶2: measures effectively avoid harm, so individuals need not be notified.
    EXEMPT_INDIVIDUAL_NOTICE = "exempt_individual_notice"
    # GB/T 35273 §10.2 a) / Minors Regs Art. 35 ¶2: individual notice impractical -> public notice.
    PUBLIC_ANNOUNCEMENT_INSTEAD = "public_announcement_instead"
    # CAC Grading Guide: the officer's judgement where the thresholds are qualitative.
    CAC_GRADE_JUDGEMENT = "cac_grade_judgement"
    # GDPR Art. 33(1): breach unlikely to result in a risk -> no authority notification.
    GDPR_NO_RISK = "gdpr_no_risk"
    # GDPR Art. 34(3): an exemption from communicating to data subjects.
    GDPR_INDIVIDUAL_EXEMPTION = "gdpr_individual_exemption"
    # GDPR Art. 33(1): a notification made after 72 h carries the reasons for the delay (rationale).
    NOTIFICATION_DELAY = "notification_delay"
    # A required notice element waived with a reason (completeness check).
    WAIVE_NOTICE_ELEMENT = "waive_notice_element"
    # An obligation judged not applicable or met outside the tool (e.g. reported by phone).
    OBLIGATION_STATUS = "obligation_status"
    OTHER = "other"


# Details each kind must carry (beyond rationale and decider).
REQUIRED_DETAILS: dict[DecisionKind, tuple[str, ...]] = {
    DecisionKind.CAC_GRADE_JUDGEMENT: ("level",),
    DecisionKind.WAIVE_NOTICE_ELEMENT: ("notice_kind", "element"),
    DecisionKind.OBLIGATION_STATUS: ("obligation_id", "status"),
    DecisionKind.GDPR_INDIVIDUAL_EXEMPTION: ("ground",),
}
CAC_LEVELS = ("一般", "较大", "重大", "特别重大")
DECISION_KEYS = ("kind", "rationale", "decided_by", "decided_at", "details")


@dataclass(frozen=True)
class Decision:
    id: int
    incident_id: int
    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_at: datetime
    details: dict[str, Any]
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind.value, "rationale": self.rationale,
            "decided_by": self.decided_by, "decided_at": to_iso(self.decided_at),
            "details": self.details, "signature": self.signature,
        }


@dataclass(frozen=True)
class DecisionDraft:
    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_at: datetime | None
    details: dict[str, Any]


def sign_decision(incident_id: int, draft: DecisionDraft, decided_at: datetime) -> str:
    """SHA-256 over everything the decider committed to; any later edit changes it."""
    body = canonical_json([incident_id, draft.kind.value, draft.rationale, draft.decided_by,
                           to_iso(decided_at), draft.details])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_decision(data: Mapping[str, Any]) -> DecisionDraft:
    """Validate a decision mapping (the ``decide --json`` file)."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("(file)", "must be a JSON object with kind, rationale, decided_by")
    problems = [FieldProblem(str(k), "unknown key; allowed: " + ", ".join(DECISION_KEYS))
                for k in data if k not in DECISION_KEYS]
    kind = _kind(data.get("kind"), problems)
    rationale = _required_text(data, "rationale", problems)
    decided_by = _required_text(data, "decided_by", problems)
    decided_at = _optional_time(data.get("decided_at"), problems)
    details = data.get("details", {})
    if details is None:
        details = {}
    if not isinstance(details, Mapping):
        problems.append(FieldProblem("details", "must be an object"))
        details = {}
    if kind:
        _check_details(kind, details, problems)
    if problems or kind is None:
        raise ValidationError(problems)
    return DecisionDraft(kind, rationale, decided_by, decided_at, dict(details))


def _kind(value: Any, problems: list[FieldProblem]) -> DecisionKind | None:
    try:
        return DecisionKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in DecisionKind)
        problems.append(FieldProblem("kind", f"'{value}' is not a decision kind; use one of: {allowed}"))
        return None


def _required_text(data: Mapping[str, Any], key: str, problems: list[FieldProblem]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        hint = "explain the reasoning" if key == "rationale" else "name the person who decides"
        problems.append(FieldProblem(key, f"is required ({hint}); a decision is never a default"))
        return ""
    return value.strip()


def _optional_time(value: Any, problems: list[FieldProblem]) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_time(str(value))
    except ValueError as exc:
        problems.append(FieldProblem("decided_at", str(exc)))
        return None


def _check_details(kind: DecisionKind, details: Mapping[str, Any], problems: list[FieldProblem]) -> None:
    for key in REQUIRED_DETAILS.get(kind, ()):
        if details.get(key) in (None, ""):
            problems.append(FieldProblem(f"details.{key}", f"is required for a {kind.value} decision"))
    if kind == DecisionKind.CAC_GRADE_JUDGEMENT and details.get("level") not in (None, *CAC_LEVELS):
        problems.append(FieldProblem("details.level", "must be one of " + "/".join(CAC_LEVELS)))
    if kind == DecisionKind.OBLIGATION_STATUS and details.get("met_at") not in (None, ""):
        try:  # when the duty was done outside the tool (the register measures on-time from it)
            parse_time(str(details["met_at"]))
        except ValueError as exc:
            problems.append(FieldProblem("details.met_at", str(exc)))
