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
    report["email_delivery"] = _email_delivery(services, incident_id)
    return report


def _email_delivery(services: Services, incident_id: int) -> dict[str, object]:
    """The send ledger's counts by state and by fallback channel (no addresses)."""
    return services.mail.overview(incident_id).to_dict()


def _header(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.facts.title,
        "status": incident.status.value,
        "created_at": to_iso(incident.created_at),
        "updated_at": to_iso(incident.updated_at),
        "handling_closed_at": to_iso(incident.handling_closed_at) if incident.handling_closed_at else None,
    }
