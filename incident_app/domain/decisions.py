"""Recorded, signed decisions: a choice with legal weight (not notifying individuals, announcing
publicly instead, the officer's CAC-grade judgement, waiving a notice element) is never a default;
it is a decision with its rationale, who made it and when, and a SHA-256 over its content."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from incident_app.domain.clock import parse_time, record_time_problem, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.proof import canonical_json
from incident_app.domain.text import NAME_MAX, PROSE_MAX, text_problem
from incident_app.domain.wording import marker


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
# The statuses an officer may declare for an obligation ("overdue" is computed from the clock,
# never declared; "met_outside_tool" is what older versions of the form stored for met).
DECLARABLE_STATUSES = ("met", "not_applicable", "pending", "needs_judgement", "met_outside_tool")
# The declared statuses that say the duty was done (met_outside_tool: records of older versions).
MET_DECLARATIONS = ("met", "met_outside_tool")
DECISION_KEYS = ("kind", "rationale", "decided_by", "decided_at", "details")
RATIONALE_LANGUAGES = ("zh-CN", "en")


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
    # ``rationale`` is the zh-CN text ('' when the officer wrote only English); the English text
    # is what English notices print.
    rationale_en: str = ""

    @property
    def shown(self) -> str:
        """The rationale to show where one language is enough (tables, the timeline)."""
        return self.rationale or self.rationale_en

    def rationale_in(self, lang: str) -> str:
        """The rationale in ``lang`` ('' when it was not written in that language)."""
        return self.rationale_en if lang == "en" else self.rationale

    def rationale_for(self, lang: str) -> str:
        """The rationale as a reason in ``lang`` prints it: in English the English rationale, or the
        marker for missing English text where only Chinese was written (never the Chinese words); in
        Chinese the Chinese one, else the English one."""
        if lang == "en":
            return self.rationale_en or marker("rationale", "en")
        return self.shown

    def decider_for(self, lang: str) -> str:
        """Who decided, as a reason in ``lang`` names them: the name as recorded, in either language.
        A person's name is not text to translate, and an English record that hid a Chinese name
        behind a marker would no longer say who took the decision."""
        del lang  # the same in every language; kept so a reason asks for each fact by language
        return self.decided_by

    def rationale_value(self) -> str | dict[str, str]:
        """The rationale as the decision file takes it: a plain string when only Chinese was
        written (as before decisions were bilingual), else ``{"zh-CN": …, "en": …}``."""
        return rationale_value(self.rationale, self.rationale_en)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind.value, "rationale": self.rationale_value(),
            "decided_by": self.decided_by, "decided_at": to_iso(self.decided_at),
            "details": self.details, "signature": self.signature,
        }


def rationale_value(zh: str, en: str) -> str | dict[str, str]:
    """A plain string for a Chinese-only rationale (older records and hashes read the same), else
    the bilingual form."""
    return {"zh-CN": zh, "en": en} if en else zh


def rationale_text(value: Any, lang: str) -> tuple[str, bool]:
    """(the rationale in ``lang``, whether the other language has one) of a stored or snapshot
    value: a plain string is the zh-CN text."""
    if isinstance(value, Mapping):
        other = "zh-CN" if lang == "en" else "en"
        return str(value.get(lang) or ""), bool(value.get(other))
    text = str(value or "")
    return (text, False) if lang == "zh-CN" else ("", bool(text))


@dataclass(frozen=True)
class DecisionDraft:
    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_at: datetime | None
    details: dict[str, Any]
    rationale_en: str = ""


def sign_decision(incident_id: int, draft: DecisionDraft, decided_at: datetime) -> str:
    """SHA-256 over everything the decider committed to; any later edit changes it. A
    Chinese-only decision hashes as before decisions were bilingual."""
    body = canonical_json([incident_id, draft.kind.value, rationale_value(draft.rationale, draft.rationale_en),
                           draft.decided_by, to_iso(decided_at), draft.details])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DecisionScope:
    """What a decision is checked against: now (no time in the future), the obligation ids the
    rules know, and the incident's discovery (an obligation cannot be met before it)."""

    now: datetime
    obligation_ids: Collection[str] | None = None
    not_before: datetime | None = None


def parse_decision(data: Mapping[str, Any], scope: DecisionScope | None = None, *,
                   lang: str = "zh-CN") -> DecisionDraft:
    """Validate a decision mapping (the ``decide --json`` file, the GUI dialog's values). The
    rationale is ``{"zh-CN": …, "en": …}`` (either may be empty, not both) or a plain string
    written in ``lang``."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("(file)", "must be a JSON object with kind, rationale, decided_by")
    problems = [FieldProblem(str(k), "unknown key; allowed: " + ", ".join(DECISION_KEYS))
                for k in data if k not in DECISION_KEYS]
    kind = _kind(data.get("kind"), problems)
    rationale, rationale_en = _rationale(data.get("rationale"), lang, problems)
    decided_by = _required_text(data, "decided_by", problems)
    decided_at = _optional_time(data.get("decided_at"), problems, scope)
    details = data.get("details", {})
    if details is None:
        details = {}
    if not isinstance(details, Mapping):
        problems.append(FieldProblem("details", "must be an object"))
        details = {}
    _check_detail_texts(details, problems)
    if kind:
        _check_details(kind, details, problems, scope)
    if (kind == DecisionKind.OBLIGATION_STATUS and details.get("status") == "met" and not details.get("met_at")
            and decided_at is not None and scope is not None
            and (problem := record_time_problem(decided_at, scope.now, not_before=scope.not_before))):
        # Without met_at, the duty counts as met when it was decided: that must be a time that can be true.
        problems.append(FieldProblem("decided_at", problem))
    if problems or kind is None:
        raise ValidationError(problems)
    return DecisionDraft(kind, rationale, decided_by, decided_at, dict(details), rationale_en)


def _rationale(value: Any, lang: str, problems: list[FieldProblem]) -> tuple[str, str]:
    """(zh-CN, English) rationale texts from a plain string in ``lang`` or the bilingual form."""
    if not isinstance(value, Mapping):
        text = _required_text({"rationale": value}, "rationale", problems)
        return ("", text) if lang == "en" else (text, "")
    texts, found = {}, len(problems)
    for key, text in value.items():
        where = "rationale" if key == "zh-CN" else f"rationale.{key}"
        if key not in RATIONALE_LANGUAGES:
            problems.append(FieldProblem(where, "unknown language; use zh-CN and en"))
        elif not isinstance(text, str):
            problems.append(FieldProblem(where, "must be text"))
        elif text.strip() and (problem := text_problem(text, PROSE_MAX)):
            problems.append(FieldProblem(where, problem))
        else:
            texts[key] = text.strip()
    if not any(texts.values()) and len(problems) == found:
        problems.append(FieldProblem("rationale", "is required (explain the reasoning); a decision is never a default"))
    return texts.get("zh-CN", ""), texts.get("en", "")


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
    problem = text_problem(value, PROSE_MAX if key == "rationale" else NAME_MAX)
    if problem:
        problems.append(FieldProblem(key, problem))
        return ""
    return value.strip()


def _check_detail_texts(details: Mapping[str, Any], problems: list[FieldProblem], prefix: str = "details") -> None:
    """Every text inside ``details`` follows the shared text rule (they reach notices and the register)."""
    for key, value in details.items():
        where = f"{prefix}.{key}"
        if isinstance(value, str):
            problem = text_problem(value, PROSE_MAX)
            if problem:
                problems.append(FieldProblem(where, problem))
        elif isinstance(value, Mapping):
            _check_detail_texts(value, problems, where)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and (problem := text_problem(item, PROSE_MAX)):
                    problems.append(FieldProblem(where, problem))
                    break


def _optional_time(value: Any, problems: list[FieldProblem], scope: DecisionScope | None) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = parse_time(str(value))
    except ValueError as exc:
        problems.append(FieldProblem("decided_at", str(exc)))
        return None
    if scope is not None and (problem := record_time_problem(moment, scope.now)):
        problems.append(FieldProblem("decided_at", problem))
        return None
    return moment


def _check_details(kind: DecisionKind, details: Mapping[str, Any], problems: list[FieldProblem],
                   scope: DecisionScope | None = None) -> None:
    for key in REQUIRED_DETAILS.get(kind, ()):
        if details.get(key) in (None, ""):
            problems.append(FieldProblem(f"details.{key}", f"is required for a {kind.value} decision"))
    if kind == DecisionKind.CAC_GRADE_JUDGEMENT and details.get("level") not in (None, *CAC_LEVELS):
        problems.append(FieldProblem("details.level", "must be one of " + "/".join(CAC_LEVELS)))
    if kind == DecisionKind.OBLIGATION_STATUS:
        _check_obligation_status(details, problems, scope)


def _check_obligation_status(details: Mapping[str, Any], problems: list[FieldProblem],
                             scope: DecisionScope | None) -> None:
    """An obligation_status decision names a real obligation, a status one may declare, and a
    ``met_at`` (when the duty was done outside the tool) that can be true."""
    obligation_id = details.get("obligation_id")
    known = scope.obligation_ids if scope is not None else None
    if obligation_id not in (None, "") and known is not None and obligation_id not in known:
        problems.append(FieldProblem("details.obligation_id", f"'{obligation_id}' is not an obligation; use one "
                                                              f"of: {', '.join(known)}"))
    status = details.get("status")
    if status not in (None, "") and status not in DECLARABLE_STATUSES:
        problems.append(FieldProblem("details.status", f"'{status}' is not a status one can declare; use one of: "
                                                       + ", ".join(DECLARABLE_STATUSES[:-1])))
    if details.get("met_at") in (None, ""):
        return
    try:  # the register measures on-time from it, so it must be a time that can be true
        met_at = parse_time(str(details["met_at"]))
    except ValueError as exc:
        problems.append(FieldProblem("details.met_at", str(exc)))
        return
    if scope is not None and (problem := record_time_problem(met_at, scope.now, not_before=scope.not_before)):
        problems.append(FieldProblem("details.met_at", problem))


def declares_met(kind: DecisionKind, details: Mapping[str, Any]) -> str | None:
    """The obligation an ``obligation_status`` decision declares met, else None."""
    if kind == DecisionKind.OBLIGATION_STATUS and details.get("status") in MET_DECLARATIONS:
        return str(details.get("obligation_id") or "") or None
    return None
