"""Builders shared by the assessment tests: an incident from intake changes, decisions, and a
one-call assessment with the shipped rules (resources/rules/*.json)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from incident_app.domain.assessment.deadlines import WorkdayCalendar
from incident_app.domain.assessment.delivery import EmailDelivery
from incident_app.domain.assessment.engine import Assessment, AssessmentInput, assess
from incident_app.domain.assessment.enisa_rules import EnisaInputs
from incident_app.domain.assessment.enquiries import EnquiryLoad
from incident_app.domain.assessment.people import PeopleCounts
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.incident import Incident, parse_intake
from incident_app.domain.profile import OperatorType
from incident_app.services.resources import load_assessment_rules, load_catalog, load_default_profile

NOW = parse_time("2026-11-20T12:00:00+08:00")
RULES = load_assessment_rules()
CATALOG = load_catalog()

BASE_INTAKE: dict[str, Any] = {
    "title": "Test leak",
    "occurred_at": "2026-11-18T08:00:00+08:00",
    "discovered_at": "2026-11-20T09:00:00+08:00",
    "aware_at": "2026-11-20T09:30:00+08:00",
    "breach_types": ["leak"],
    "likelihood": "actual",
    "cause": "misconfiguration",
    "recipients": "unknown",
    "data_types": ["phone_number"],
    "affected_people": 1200,
}


def make_incident(handling_closed_at: datetime | None = None, **changes: Any) -> Incident:
    facts = parse_intake(BASE_INTAKE | changes, CATALOG.ids(), now=NOW)
    return Incident(id=1, facts=facts, handling_closed_at=handling_closed_at)


def decision(kind: DecisionKind, decision_id: int = 1, at: str = "2026-11-20T11:00:00+08:00",
             **details: Any) -> Decision:
    return Decision(id=decision_id, incident_id=1, kind=kind, rationale="reasoned", decided_by="王安全",
                    decided_at=parse_time(at), details=details, signature="0" * 64)


def run(incident: Incident, *, operator: OperatorType = OperatorType.ORDINARY, decisions: tuple[Decision, ...] = (),
        inputs: EnisaInputs | None = None, now: datetime = NOW, people: PeopleCounts | None = None,
        calendar: WorkdayCalendar | None = None, delivery: EmailDelivery | None = None,
        enquiries: EnquiryLoad | None = None) -> Assessment:
    profile = replace(load_default_profile(), operator_type=operator)
    data = AssessmentInput(incident, profile, decisions, inputs or EnisaInputs(), now, people, delivery,
                           enquiries=enquiries)
    return assess(data, CATALOG, RULES, calendar)
