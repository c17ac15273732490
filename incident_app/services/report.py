"""The whole-incident JSON used by ``show`` (and the evidence pack): one function per section so
each capability adds its own section."""

from __future__ import annotations

from typing import Any

from incident_app.domain.clock import to_iso
from incident_app.domain.incident import Incident
from incident_app.services.container import Services


def incident_report(services: Services, incident_id: int) -> dict[str, Any]:
    """Facts, status and every recorded section of one incident."""
    incident = services.incidents.get(incident_id)
    report = _header(incident)
    report["facts"] = incident.facts.to_dict()
    report["people"] = _people(services, incident_id)
    return report


def _header(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.facts.title,
        "status": incident.status.value,
        "created_at": to_iso(incident.created_at),
        "updated_at": to_iso(incident.updated_at),
        "handling_closed_at": to_iso(incident.handling_closed_at) if incident.handling_closed_at else None,
    }


def _people(services: Services, incident_id: int) -> dict[str, Any]:
    """Counts from the imported list of affected people (no personal data) and the last import."""
    section: dict[str, Any] = services.people.summary(incident_id).to_dict()
    last = services.people.last_import(incident_id)
    section["last_import"] = None if last is None else {
        key: last[key] for key in ("file_name", "status", "finished_at", "counts", "report_path")}
    return section
