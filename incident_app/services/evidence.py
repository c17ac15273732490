"""The evidence pack: one ZIP per incident holding what the officer must be able to show later,
with a SHA-256 manifest (``manifest.json`` and a ``sha256sum``-compatible ``MANIFEST.sha256``).
The digest of ``MANIFEST.sha256`` goes into the event log, so a pack that was rebuilt with fresh
hashes after an edit no longer matches the log.

The pack is a list of sections: each is a function ``section(request) -> [(name, bytes)]``.
Phase 1 ships the facts snapshot, decisions, remediation, the event log excerpt with its hash
chain, and the organisation profile. Later capabilities append theirs to :data:`DEFAULT_SECTIONS`
(see the comment there); nothing else has to change."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.domain.events import Event, expected_hash, verify_chain
from incident_app.domain.manifest import (
    MANIFEST_JSON,
    MANIFEST_SHA256,
    ManifestEntry,
    entry_for,
    member_name_problem,
    sha256sum_text,
)
from incident_app.services.container import Services
from incident_app.services.export_log import record_export
from incident_app.services.private_files import private_output
from incident_app.services.report import incident_report

PACK_FORMAT = "breach-desk-evidence/1"


@dataclass(frozen=True)
class EvidenceRequest:
    """What a section gets: the services, which incident, whether contacts may appear unmasked."""

    services: Services
    incident_id: int
    unmask: bool
    generated_at: datetime


EvidenceFile = tuple[str, bytes]
EvidenceSection = Callable[[EvidenceRequest], Sequence[EvidenceFile]]


@dataclass(frozen=True)
class EvidencePack:
    path: str
    files: tuple[ManifestEntry, ...]
    manifest_sha256: str


def json_bytes(value: Any) -> bytes:
    """Readable, stable JSON for a pack member."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


# -- phase 1 sections ------------------------------------------------------------------------
def facts_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The whole-incident snapshot exactly as ``show ID`` prints it now."""
    return [("incident.json", json_bytes(incident_report(req.services, req.incident_id)))]


def decisions_section(req: EvidenceRequest) -> list[EvidenceFile]:
    decisions = req.services.decisions.list(req.incident_id)
    return [("decisions.json", json_bytes([d.to_dict() for d in decisions]))]


def remediation_section(req: EvidenceRequest) -> list[EvidenceFile]:
    svc = req.services.remediation
    return [("remediation.json", json_bytes({
        "actions": [a.to_dict() for a in svc.actions(req.incident_id)],
        "notes": [n.to_dict() for n in svc.notes(req.incident_id)],
    }))]


def event_log_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The incident's events with their hashes, and the verification of the whole chain."""
    store = req.services.ctx.store
    events = store.events.for_incident(req.incident_id, newest_first=False)
    head: list[Event] = []
    report = verify_chain(_remember_last(store.events.iter_all(), head))
    chain = {
        "ok": report.ok, "events_checked": report.checked, "first_bad_event": report.first_bad_seq,
        "reason": report.reason, "head": {"seq": head[0].seq, "hash": head[0].hash} if head else None,
        "how_to_check": "hash = SHA-256 of the canonical JSON [seq, at, actor, type, object_type, object_id, "
                        "incident_id, payload, prev_hash]; prev_hash links run through the whole log, where "
                        "other incidents' events sit between these",
    }
    return [("event-log/events.json", json_bytes([_event_dict(e) for e in events])),
            ("event-log/chain.json", json_bytes(chain))]


def _remember_last(events: Iterator[Event], last: list[Event]) -> Iterator[Event]:
    for event in events:
        last[:] = [event]
        yield event


def _event_dict(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq, "at": to_iso(event.at), "actor": event.actor, "type": event.type,
        "object_type": event.object_type, "object_id": event.object_id, "incident_id": event.incident_id,
        "payload": event.payload, "prev_hash": event.prev_hash, "hash": event.hash,
        "hash_matches_content": expected_hash(event) == event.hash,
    }


def profile_section(req: EvidenceRequest) -> list[EvidenceFile]:
    return [("profile.json", json_bytes(req.services.profile.get().to_dict()))]


DEFAULT_SECTIONS: tuple[EvidenceSection, ...] = (
    facts_section,
    decisions_section,
    remediation_section,
    event_log_section,
    profile_section,
    # Phase 2 registers here, each as its own function in its own module:
    #   assessment_section  -> assessment/assessment.json: inputs, severity, grade, obligations, rule versions
    #   notices_section     -> notices/<kind>/<lang>.{pdf,html,eml}: every approved notice as rendered,
    #                          with its approval (approver, SHA-256 bound at approval)
    #   send_ledger_section -> send-ledger/ledger.csv: per-recipient state and server replies; contacts
    #                          masked unless req.unmask (then the export is logged as unmasked)
)


# -- building the pack -----------------------------------------------------------------------
def collect_files(req: EvidenceRequest, sections: Sequence[EvidenceSection]) -> list[EvidenceFile]:
    """Run every section; a bad or duplicate name is a bug in that section and stops the pack."""
    files: list[EvidenceFile] = []
    seen: set[str] = set()
    for section in sections:
        for name, content in section(req):
            problem = member_name_problem(name) or ("is produced twice" if name in seen else "")
            if problem:
                raise ValueError(f"evidence section {section.__name__}: file name '{name}' {problem}")
            seen.add(name)
            files.append((name, content))
    return files


def _readme(req: EvidenceRequest) -> EvidenceFile:
    text = (
        f"Breach Desk 证据包 / evidence pack — 事件 incident {req.incident_id}\n"
        f"生成时间 generated {to_iso(req.generated_at)} 由 by {req.services.ctx.actor}\n\n"
        "校验 / To verify:\n"
        "  incident-app evidence verify THIS.zip\n"
        "  或解压后 / or unzip and run: sha256sum -c MANIFEST.sha256\n"
        "MANIFEST.sha256 的 SHA-256 记录在事件日志 (export.written) 中；重新生成哈希的篡改会与日志不符。\n"
        "The SHA-256 of MANIFEST.sha256 is recorded in the event log (export.written); a pack edited\n"
        "and re-hashed afterwards no longer matches the log.\n"
        f"联系人信息 contacts: {'未遮蔽 UNMASKED' if req.unmask else '已遮蔽 masked'}\n"
    )
    return "README.txt", text.encode("utf-8")


def _manifest(req: EvidenceRequest, entries: list[ManifestEntry], sections: Sequence[EvidenceSection]) -> bytes:
    incident = req.services.incidents.get(req.incident_id)
    return json_bytes({
        "format": PACK_FORMAT, "incident_id": req.incident_id, "title": incident.facts.title,
        "drill": incident.facts.drill, "generated_at": to_iso(req.generated_at),
        "generated_by": req.services.ctx.actor, "unmasked": req.unmask,
        "sections": [s.__name__ for s in sections],
        "files": [{"name": e.name, "sha256": e.sha256, "bytes": e.size} for e in entries],
    })


def _zip_info(name: str, moment: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=moment.astimezone(SHANGHAI).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def build_evidence_pack(
    services: Services, incident_id: int, out: Path, *, unmask: bool = False,
    sections: Sequence[EvidenceSection] = DEFAULT_SECTIONS,
) -> EvidencePack:
    """Write the pack for ``incident_id`` to ``out`` (mode 0600, atomically) and log the export
    with the manifest digest. Raises NotFoundError for an unknown incident."""
    services.incidents.get(incident_id)
    req = EvidenceRequest(services, incident_id, unmask, services.ctx.now())
    files = [*collect_files(req, sections), _readme(req)]
    entries = [entry_for(name, content) for name, content in files]
    manifest = _manifest(req, entries, sections)
    entries.append(entry_for(MANIFEST_JSON, manifest))
    sums = sha256sum_text(entries).encode("utf-8")
    with private_output(out) as (handle, target), zipfile.ZipFile(handle, "w") as archive:
        for name, content in [*files, (MANIFEST_JSON, manifest), (MANIFEST_SHA256, sums)]:
            archive.writestr(_zip_info(name, req.generated_at), content)
    digest = entry_for(MANIFEST_SHA256, sums).sha256
    record_export(services.ctx, what="evidence_pack", where=str(target), count=len(entries), unmasked=unmask,
                  incident_id=incident_id, details={"manifest_sha256": digest})
    return EvidencePack(str(target), tuple(entries), digest)
