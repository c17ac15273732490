"""Rows for the incident register on the home screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.incident import Incident, IncidentStatus
from incident_app.services.container import Services


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
    """One row per incident, newest first."""
    return [_row(i) for i in reversed(services.incidents.list())]


def _row(incident: Incident) -> RegisterRow:
    # Grade and next deadline come from the assessment engine once it is wired in.
    return RegisterRow(
        id=incident.id, title=incident.facts.title, status=incident.status,
        discovered_at=incident.facts.discovered_at,
        affected_people=incident.facts.affected_people, grade=None, next_deadline=None,
        next_deadline_label="", drill=incident.facts.drill,
    )
