"""Rows for the incident register on the home screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.assessment.engine import Assessment
from incident_app.domain.incident import Incident, IncidentStatus
from incident_app.services.container import Services

# Marks a grade still waiting for the officer's judgement (the register must not look final).
JUDGEMENT_MARK = " ⚠"
# Marks a clock that is an internal target (the law says 'immediately'/'promptly' with no number).
INTERNAL_MARK = "*"


@dataclass(frozen=True)
class RegisterRow:
    id: int
    title: str
    status: IncidentStatus
    discovered_at: datetime
    affected_people: int
    grade: str | None
    next_deadline: datetime | None
    next_deadline_label: str
    drill: bool


def register_rows(services: Services) -> list[RegisterRow]:
    """One row per incident, newest first, with its CAC grade and the next open deadline."""
    incidents = services.incidents.list()
    assessments = services.assessment.assess_all(incidents)
    return [_row(i, a) for i, a in zip(reversed(incidents), reversed(assessments), strict=True)]


def _row(incident: Incident, assessment: Assessment) -> RegisterRow:
    grade = assessment.grade
    nxt = assessment.next_deadline()
    label = ""
    if nxt is not None:
        label = nxt.regime.value + ("" if nxt.deadline.due else INTERNAL_MARK)
    return RegisterRow(
        id=incident.id, title=incident.facts.title, status=incident.status,
        discovered_at=incident.facts.discovered_at, affected_people=assessment.people.total,
        grade=grade.level.value + (JUDGEMENT_MARK if grade.needs_judgement else ""),
        next_deadline=nxt.deadline.clock if nxt else None, next_deadline_label=label,
        drill=incident.facts.drill,
    )
