"""What the notices take from the assessment: the obligations (which notices are required) and the
CAC grade (stated in regulator reports). Kept apart so the notice service does not need to know
how the assessment engine is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from incident_app.domain.assessment.deadlines import DueKind
from incident_app.services.assessment import AssessmentService
from incident_app.services.notices.brief import brief_basis


@dataclass(frozen=True)
class NoticeInputs:
    """Obligations as plain mappings (recipient, regime, why, source) and the grade's level."""

    obligations: tuple[dict[str, Any], ...]
    grade: str
    # The internal brief's part of the assessment (services/notices/brief.py).
    brief: dict[str, Any] | None = None
    # The MIIT grade in both languages and the report-time note, for the report to the
    # communications administration (None without a value-added telecom licence).
    sector: dict[str, Any] | None = None


NoticeInputsSource = Callable[[int], NoticeInputs]


def assessed_notice_inputs(assessment: AssessmentService,
                           people: Callable[[int], Any] | None = None) -> NoticeInputsSource:
    """A source that assesses the incident now. Obligations that do not apply (GDPR without EU
    residents, a notice exempted by a recorded decision) call for no notice, and neither does one
    whose clock has not started (the CAC summary report before handling closes)."""

    def source(incident_id: int) -> NoticeInputs:
        result = assessment.assess(incident_id, people(incident_id) if people else None)
        applicable = tuple(
            {"id": o.id, "recipient": o.recipient.value, "regime": o.regime.value, "why": o.why.zh,
             "why_en": o.why.en, "source": o.citation.source}
            for o in result.obligations
            if o.status.value != "not_applicable" and o.deadline.kind != DueKind.AWAITING_ANCHOR)
        return NoticeInputs(applicable, result.grade.level.value, brief_basis(result), _sector(assessment, result))

    return source


def _sector(assessment: AssessmentService, result: Any) -> dict[str, Any] | None:
    miit, rules = result.miit, assessment.rules.miit
    if miit is None or rules is None:
        return None
    return {"zh-CN": miit.to_dict("zh-CN") | {"report_time": rules.report_time.zh, "plan": rules.plan.zh},
            "en": miit.to_dict("en") | {"report_time": rules.report_time.en, "plan": rules.plan.en}}
