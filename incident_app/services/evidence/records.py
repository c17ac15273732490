"""Evidence-pack sections for the assessment (with its inputs and the rule versions), the send
ledger (with the relay's replies) and the people counts. Contacts are masked unless the pack is
made with ``--unmask``; the people list itself never goes into a pack, only its counts."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from incident_app.domain.clock import to_iso
from incident_app.domain.exports import neutralise_row
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.mail import LedgerEntry, mask_email
from incident_app.domain.mail.sending import mask_phone_in_text, scrub_contacts
from incident_app.domain.notices import recipient_reference
from incident_app.services.evidence.base import EvidenceFile, EvidenceRequest, json_bytes
from incident_app.services.resources import RESOURCES_DIR

LEDGER_PAGE = 5000
LEDGER_COLUMNS = ("row", "recipient", "notice_kind", "notice_version", "to_address", "language", "message_id",
                  "state", "attempts", "in_doubt", "last_code", "last_reply", "reason", "queued_at", "sent_at",
                  "fallback")


def rule_versions() -> dict[str, str]:
    """SHA-256 of every rule file the assessment read (and the catalog), so a later reader knows
    exactly which rules produced the result."""
    files = [*sorted((RESOURCES_DIR / "rules").glob("*.json")), RESOURCES_DIR / "catalog.json"]
    return {p.relative_to(RESOURCES_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def assessment_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The assessment as ``assess`` prints it (both languages), the inputs it was computed from
    and the versions of the rules and code that computed it."""
    services, incident_id = req.services, req.incident_id
    assessment = services.assessment.assess(incident_id)
    files = [(f"assessment/assessment.{lang}.json", json_bytes(services.assessment.to_json(assessment, lang)))
             for lang in LANGUAGES]
    profile = services.profile.get()
    inputs = {
        "computed_at": to_iso(assessment.computed_at),
        "enisa_inputs": services.assessment.enisa_inputs(incident_id).to_dict(),
        "people_counts": {"total": assessment.people.total, "minors": assessment.people.minors,
                          "children": assessment.people.children, "teens": assessment.people.teens,
                          "unreachable": assessment.people.unreachable, "source": assessment.people.source},
        "profile": {"operator_type": profile.operator_type.value, "reply_working_days": profile.reply_working_days,
                    "handling_working_days": profile.handling_working_days},
        "send_ledger_batches": [
            {"kind": b.kind, "version": b.version, "channel": b.channel, "rows": b.rows, "sent": b.sent,
             "last_sent_at": to_iso(b.last_sent_at) if b.last_sent_at else None}
            for b in services.ctx.store.send_ledger.batches(
                incident_id, services.assessment.staff_keys()).get(incident_id, [])],
        "facts_and_decisions": "incident.json and decisions.json in this pack",
    }
    versions = {"rules_sha256": rule_versions(), "breach_desk": _package_version("incident-app"),
                "chinesecalendar": _package_version("chinesecalendar")}
    return [*files, ("assessment/inputs.json", json_bytes(inputs)),
            ("assessment/rule-versions.json", json_bytes(versions))]


def send_ledger_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """Every recipient's state and the relay's last reply (CSV, formulas neutralised) and the
    counts. Addresses are masked, in the replies too, unless the pack is unmasked."""
    mail = req.services.mail
    overview = mail.overview(req.incident_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    for entry in _ledger(req):
        writer.writerow(neutralise_row(_ledger_row(entry, req.unmask)))
    counts = overview.to_dict() | {"addresses": "unmasked" if req.unmask else "masked"}
    return [("send-ledger/ledger.csv", buffer.getvalue().encode("utf-8-sig")),
            ("send-ledger/overview.json", json_bytes(counts))]


def _ledger(req: EvidenceRequest) -> Iterator[LedgerEntry]:
    offset = 0
    while True:
        page = req.services.mail.page(req.incident_id, offset=offset, limit=LEDGER_PAGE)
        yield from page
        if len(page) < LEDGER_PAGE:
            return
        offset += len(page)


def _ledger_row(e: LedgerEntry, unmask: bool) -> list[Any]:
    def hide(text: str) -> str:
        # Relays echo addresses in any case and sometimes other contacts: mask every one found.
        return text if unmask else scrub_contacts(text, mask_email, mask_phone_in_text)

    # The recipient key may be a person's e-mail or phone (no user id on file): a masked pack shows
    # the reference printed in that person's notice instead, which is enough to find them later.
    recipient = e.recipient_key if unmask else recipient_reference(e.incident_id, e.recipient_key)
    return [e.id, recipient, e.notice_kind, e.notice_version, hide(e.to_address), e.language, e.message_id,
            e.state.value, e.attempts, e.in_doubt, e.last_code, hide(e.last_reply), hide(e.reason),
            to_iso(e.queued_at), to_iso(e.sent_at) if e.sent_at else None, e.fallback.value if e.fallback else None]


def people_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """How many people, minors, per channel, unreachable, and each import's counts — never a
    name or a contact."""
    people = req.services.people
    last = people.last_import(req.incident_id)
    last_import = None if last is None else {
        k: last.get(k) for k in ("file_name", "format", "encoding", "status", "started_at", "counts")}
    return [("people/summary.json", json_bytes({
        "summary": people.summary(req.incident_id).to_dict(), "last_import": last_import,
        "note": "counts only: the list of people is never part of an evidence pack"}))]
