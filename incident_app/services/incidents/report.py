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
    report["remediation"] = _remediation(services, incident_id)
    report["decisions"] = [d.to_dict() for d in services.decisions.list(incident_id)]
    report["fulfilments"] = [f.to_dict() for f in services.fulfilments.list(incident_id)]
    report["corrections"] = [c.to_dict() for c in services.corrections.list(incident_id)]
    report["assessment"] = _assessment(services, incident_id)
    report["notices"] = _notices(services, incident_id)
    report["email_delivery"] = _email_delivery(services, incident_id)
    report["people"] = _people(services, incident_id)
    return report


def _notices(services: Services, incident_id: int) -> list[dict[str, Any]]:
    """The stored notice versions (newest per kind × channel × language) and their approvals."""
    store = services.ctx.store.notices
    approvals = store.approvals(incident_id)
    out = []
    for version in store.latest_versions(incident_id).values():
        signed = [a.to_dict() for a, v in approvals if v.id == version.id]
        out.append(version.to_dict() | {"approvals": signed})
    return sorted(out, key=lambda n: (n["kind"], n["channel"], n["lang"]))


def _remediation(services: Services, incident_id: int) -> dict[str, Any]:
    notes = services.remediation.notes(incident_id)
    return {
        "actions": [a.to_dict() for a in services.remediation.actions(incident_id)],
        "advice": [n.to_dict() for n in notes if n.kind.value == "advice"],
        "remedies": [n.to_dict() for n in notes if n.kind.value == "remedy"],
    }


def _assessment(services: Services, incident_id: int) -> dict[str, Any]:
    assessment = services.assessment.assess(incident_id)
    return services.assessment.to_json(assessment)


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


def _people(services: Services, incident_id: int) -> dict[str, Any]:
    """Counts from the imported list of affected people (no personal data) and the last import."""
    section: dict[str, Any] = services.people.summary(incident_id).to_dict()
    last = services.people.last_import(incident_id)
    section["last_import"] = None if last is None else {
        key: last[key] for key in ("file_name", "status", "finished_at", "counts", "report_path")}
    purged = services.people.purged_at(incident_id)
    section["contacts_purged_at"] = to_iso(purged) if purged else None
    started = services.people.purge_started_at(incident_id)  # a purge killed or cancelled half-way
    section["contacts_purge_started_at"] = to_iso(started) if started else None
    return section
