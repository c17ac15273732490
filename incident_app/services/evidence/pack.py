"""The evidence pack: one ZIP per incident holding what the officer must be able to show later,
with a SHA-256 manifest (``manifest.json`` and a ``sha256sum``-compatible ``MANIFEST.sha256``).
The digest of ``MANIFEST.sha256`` goes into the event log, so a pack that was rebuilt with fresh
hashes after an edit no longer matches the log.

The pack is a list of sections: each is a function ``section(request) -> [(name, content)]``
(services/evidence/base.py), the content bytes or :class:`Streamed` chunks for a large file.
:data:`DEFAULT_SECTIONS` holds the facts snapshot, decisions,
remediation, the event log excerpt with its hash chain, the organisation profile, the assessment
with its inputs and rule versions, the approved notices with their approvals, the send ledger and
the people counts; a new kind of evidence is one more function there."""

from __future__ import annotations

import hashlib
import queue
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.domain.proof import (
    MANIFEST_JSON,
    MANIFEST_SHA256,
    ChainKeying,
    ChainKeyMissingError,
    Event,
    ManifestEntry,
    entry_for,
    expected_hash,
    member_name_problem,
    sha256sum_text,
)
from incident_app.services.audit import record_export
from incident_app.services.container import Services
from incident_app.services.evidence.base import (
    EvidenceContent,
    EvidenceFile,
    EvidenceRequest,
    EvidenceSection,
    Streamed,
    json_array_chunks,
    json_bytes,
)
from incident_app.services.evidence.enquiries import enquiries_section
from incident_app.services.evidence.notices import notices_section
from incident_app.services.evidence.records import assessment_section, people_section, send_ledger_section
from incident_app.services.incidents import incident_report
from incident_app.services.notices import PdfWriter
from incident_app.services.private_files import StagedOutputs
from incident_app.services.progress import Progress

PACK_FORMAT = "breach-desk-evidence/1"
T = TypeVar("T")
STREAMED_COMPRESSLEVEL = 1


@dataclass(frozen=True)
class EvidencePack:
    path: str
    files: tuple[ManifestEntry, ...]
    manifest_sha256: str


# -- sections about the incident itself ----------------------------------------------------
def facts_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The whole-incident snapshot exactly as ``show ID`` prints it now."""
    return [("incident.json", json_bytes(incident_report(req.services, req.incident_id)))]


def decisions_section(req: EvidenceRequest) -> list[EvidenceFile]:
    decisions = req.services.decisions.list(req.incident_id)
    return [("decisions.json", json_bytes([d.to_dict() for d in decisions]))]


def fulfilments_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """What was done outside the tool, the corrections, and each attached file as it was
    recorded (its SHA-256 in the manifest equals the one stored with the fulfilment)."""
    services, incident_id = req.services, req.incident_id
    fulfilments = services.fulfilments.list(incident_id)
    files: list[EvidenceFile] = []
    listed = []
    for f in fulfilments:
        entry = f.to_dict() | {"pack_file": None}
        content = services.fulfilments.file_content(f.id) if f.file_name else None
        if content is not None and f.file_name:
            name = f"fulfilments/files/{f.id}-{_safe_name(f.file_name)}"
            files.append((name, content))
            entry["pack_file"] = name
        listed.append(entry)
    if not fulfilments and not services.corrections.list(incident_id):
        return []
    record = {"fulfilments": listed, "corrections": [c.to_dict() for c in services.corrections.list(incident_id)]}
    return [("fulfilments/fulfilments.json", json_bytes(record)), *files]


def _safe_name(name: str) -> str:
    """A file name fit for a ZIP member: no folders, no control or reserved characters."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)
    return cleaned.strip("._") or "file"


def remediation_section(req: EvidenceRequest) -> list[EvidenceFile]:
    svc = req.services.remediation
    return [("remediation.json", json_bytes({
        "actions": [a.to_dict() for a in svc.actions(req.incident_id)],
        "notes": [n.to_dict() for n in svc.notes(req.incident_id)],
    }))]


def event_log_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """The incident's events with their hashes, and the verification of the whole chain."""
    store = req.services.ctx.store
    report = store.events.verify()
    keying = store.events.keying
    chain = {
        "ok": report.ok, "status": report.status, "events_checked": report.checked,
        "first_bad_event": report.first_bad_seq, "reason": report.reason,
        "database_id": keying.database_id, "head": _head_dict(req),
        "keyed_from_event": keying.keyed_from,
        "how_to_check": "hash = HMAC-SHA256, with this database's secret key (kept outside the database), of "
                        "the canonical JSON [seq, at, actor, type, object_type, object_id, incident_id, payload, "
                        "prev_hash]; events before keyed_from_event (written before keying) use plain SHA-256. "
                        "prev_hash links run through the whole log, where other incidents' events sit between "
                        "these. Check against the database: incident-app --db DB evidence verify THIS.zip",
    }
    incident_id = req.incident_id

    def events() -> Iterator[bytes]:  # streamed: an incident may have a long history
        for_incident = store.events.iter_for_incident(incident_id)
        return json_array_chunks(_event_dict(e, keying) for e in _checked(req, for_incident))

    return [("event-log/events.json", Streamed(events)), ("event-log/chain.json", json_bytes(chain))]


def _checked(req: EvidenceRequest, items: Iterable[T], every: int = 1000) -> Iterator[T]:
    """``items``, checking for Cancel every ``every`` items."""
    for number, item in enumerate(items):
        if number % every == 0:
            req.check()
        yield item


def _head_dict(req: EvidenceRequest) -> dict[str, Any] | None:
    head = req.services.ctx.store.events.head()
    return head.to_dict() if head else None


def _event_dict(event: Event, keying: ChainKeying) -> dict[str, Any]:
    try:
        matches: bool | None = expected_hash(event, keying.key_for(event.seq)) == event.hash
    except ChainKeyMissingError:
        matches = None  # cannot be checked on this computer
    return {
        "seq": event.seq, "at": to_iso(event.at), "actor": event.actor, "type": event.type,
        "object_type": event.object_type, "object_id": event.object_id, "incident_id": event.incident_id,
        "payload": event.payload, "prev_hash": event.prev_hash, "hash": event.hash,
        "hash_matches_content": matches,
    }


def profile_section(req: EvidenceRequest) -> list[EvidenceFile]:
    return [("profile.json", json_bytes(req.services.profile.get().to_dict()))]


DEFAULT_SECTIONS: tuple[EvidenceSection, ...] = (
    facts_section,
    decisions_section,
    remediation_section,
    fulfilments_section,  # fulfilments/: done outside the tool, corrections, attached files
    event_log_section,
    profile_section,
    assessment_section,   # assessment/: the assess JSON (zh-CN, en), inputs.json, rule-versions.json
    notices_section,      # notices/: approved versions as stored, PDFs, specimen .eml, approvals.json
    send_ledger_section,  # send-ledger/: ledger.csv with the relay's replies (masked), overview.json
    people_section,       # people/summary.json: counts only
    enquiries_section,    # enquiries/: counts, reply metrics, complaints and requests with their status
)

__all__ = ["DEFAULT_SECTIONS", "EvidenceFile", "EvidencePack", "EvidenceRequest", "EvidenceSection",
           "build_evidence_pack", "collect_files", "json_bytes"]


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


# What the README says each part of the pack is (name, Chinese, English).
PACK_CONTENTS: tuple[tuple[str, str, str], ...] = (
    ("incident.json", "事件全貌（同 show ID）", "the incident as 'show ID' prints it"),
    ("decisions.json, remediation.json, profile.json", "决定、处置措施、组织信息", "decisions, remediation, profile"),
    ("fulfilments/", "在工具外的履行记录、更正记录及所附文件", "what was done outside the tool, corrections, "
                                                     "the attached files"),
    ("event-log/", "本事件的事件日志及整条哈希链的校验", "the incident's events and the hash-chain check"),
    ("assessment/", "评估结果（中、英）、评估输入、规则文件 SHA-256",
     "the assessment (zh-CN, en), inputs, rule versions"),
    ("notices/", "已批准的通知原文、PDF、样本邮件、批准记录", "approved notices as stored, PDFs, specimen e-mails, "
                                                   "approvals (approver, time, SHA-256)"),
    ("send-ledger/", "逐收件人发送记录及邮件服务器答复；contact_seq 为该收件人第几个联系方式"
                     "（0 为最初的，更正后依次加一），current 表示该行是否为其现行记录"
                     "（yes/no，no 为已被更正后的记录取代、仅作留档）",
     "per-recipient delivery with the relay's replies; contact_seq: which of the recipient's contacts the row "
     "went to (0 the first, 1, 2, ... each corrected one), current: yes when it is the row that counts now, "
     "no when a later row replaced it (kept as history)"),
    ("people/summary.json", "受影响人数统计（不含名单）", "people counts only, never the list"),
)


def _readme(req: EvidenceRequest, names: Sequence[str]) -> EvidenceFile:
    contents = "".join(f"  {what}\n      {zh} / {en}\n" for what, zh, en in PACK_CONTENTS
                       if any(n.startswith(part.strip()) for part in what.split(",") for n in names))
    notes = "".join(f"  - {note}\n" for note in req.notes)
    text = (
        f"Breach Desk 证据包 / evidence pack — 事件 incident {req.incident_id}\n"
        f"生成时间 generated {to_iso(req.generated_at)} 由 by {req.services.ctx.actor}\n"
        f"联系人信息 contacts: {'未遮蔽 UNMASKED' if req.unmask else '已遮蔽 masked'}\n\n"
        f"内容 / Contents:\n{contents}\n"
        + (f"说明 / Notes:\n{notes}\n" if notes else "")
        + "校验 / To verify:\n"
        "  incident-app evidence verify THIS.zip\n"
        "  或解压后 / or unzip and run: sha256sum -c MANIFEST.sha256\n"
        "notices/ 下每个已批准文件的 SHA-256 与 approvals.json 中批准时绑定的 SHA-256 相同。\n"
        "Each approved notice file's SHA-256 equals the SHA-256 its approval is bound to (approvals.json).\n"
        "MANIFEST.sha256 的 SHA-256 记录在事件日志 (export.written) 中；重新生成哈希的篡改会与日志不符。\n"
        "The SHA-256 of MANIFEST.sha256 is recorded in the event log (export.written); a pack edited\n"
        "and re-hashed afterwards no longer matches the log.\n"
        "manifest.json 记录了生成时事件日志的最后一条（序号与哈希）；用 incident-app --db 数据库 evidence verify\n"
        "检查数据库是否仍含这一条（之后删除或改写事件会被发现）。\n"
        "manifest.json records the event log's last event (seq and hash) when the pack was made;\n"
        "incident-app --db DB evidence verify THIS.zip checks the database still holds it.\n"
    )
    return "README.txt", text.encode("utf-8")


def _manifest(req: EvidenceRequest, entries: list[ManifestEntry], sections: Sequence[EvidenceSection]) -> bytes:
    incident = req.services.incidents.get(req.incident_id)
    return json_bytes({
        "format": PACK_FORMAT, "incident_id": req.incident_id, "title": incident.facts.title,
        "drill": incident.facts.drill, "generated_at": to_iso(req.generated_at),
        "generated_by": req.services.ctx.actor, "unmasked": req.unmask,
        "sections": [s.__name__ for s in sections], "notes": list(req.notes),
        # The chain head when the pack was made: 'evidence verify --db' checks the log still holds it.
        "event_log": {"database_id": req.services.audit.database_id, "head": _head_dict(req),
                      "hash": "HMAC-SHA256"},
        "files": [{"name": e.name, "sha256": e.sha256, "bytes": e.size} for e in entries],
    })


def _zip_info(name: str, moment: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=moment.astimezone(SHANGHAI).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def build_evidence_pack(
    services: Services, incident_id: int, out: Path, *, unmask: bool = False,
    sections: Sequence[EvidenceSection] = DEFAULT_SECTIONS, pdf_writer: PdfWriter | None = None,
    progress: Progress | None = None,
) -> EvidencePack:
    """Write the pack for ``incident_id`` to ``out`` (mode 0600, atomically) and log the export
    with the manifest digest (an unmasked pack is also logged as an unmasking). Raises
    NotFoundError for an unknown incident. Without ``pdf_writer`` the pack has no PDFs and its
    manifest says so.

    The ZIP is written to a temporary file beside ``out`` as it is made — the large files
    (send ledger, events) chunk by chunk, each hashed on the way — and the manifest last; the
    file takes its name only when complete. A full disk, another write error or Cancel
    (``progress``) removes the temporary file: no pack, and nothing logged."""
    services.incidents.get(incident_id)
    req = EvidenceRequest(services, incident_id, unmask, services.ctx.now(), pdf_writer, progress=progress)
    files = collect_files(req, sections)
    # The pack takes its name inside the transaction of its export event (never the database's).
    staged = StagedOutputs(services.ctx.store.path)
    try:
        with staged.output(out) as (handle, target):
            entries = _write_zip(handle, req, files, sections)
        digest = entries[-1].sha256
        with staged.committing(), services.ctx.store.transaction():
            record_export(services.ctx, what="evidence_pack", where=str(target), count=len(entries) - 1,
                          unmasked=unmask, incident_id=incident_id, details={"manifest_sha256": digest})
            staged.publish()
    except BaseException:
        staged.discard()
        raise
    return EvidencePack(str(target), tuple(entries[:-1]), digest)


def _write_zip(handle: BinaryIO, req: EvidenceRequest, files: Sequence[EvidenceFile],
               sections: Sequence[EvidenceSection]) -> list[ManifestEntry]:
    """Every file, the README, ``manifest.json`` and ``MANIFEST.sha256`` into the archive on
    ``handle``; returns the manifest entries, the last one that of ``MANIFEST.sha256``."""
    moment = req.generated_at
    entries: list[ManifestEntry] = []
    with zipfile.ZipFile(handle, "w") as archive:
        for name, content in [*files, _readme(req, [name for name, _ in files])]:
            entries.append(_write_member(archive, name, content, moment))
        manifest = _manifest(req, entries, sections)
        entries.append(_write_member(archive, MANIFEST_JSON, manifest, moment))
        sums = sha256sum_text(entries).encode("utf-8")
        entries.append(_write_member(archive, MANIFEST_SHA256, sums, moment))
    return entries


def _write_member(archive: zipfile.ZipFile, name: str, content: EvidenceContent, moment: datetime) -> ManifestEntry:
    """Write one member; a streamed one chunk by chunk, its SHA-256 and size counted as it goes
    (ZIP64 headers, since a 10,000,000-row ledger is larger than 4 GiB uncompressed)."""
    info = _zip_info(name, moment)
    if isinstance(content, bytes):
        archive.writestr(info, content)
        return entry_for(name, content)
    # Fast compression for the large files: deflate at level 6 alone took longer than reading
    # the ledger; level 1 is three times faster for a pack about 15% larger (same format).
    # ZipFile.open takes the level from the ZipInfo: ``_compresslevel``, ``compress_level`` from 3.13.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", STREAMED_COMPRESSLEVEL)
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as member:
        def write(chunk: bytes) -> None:
            nonlocal size
            digest.update(chunk)
            size += len(chunk)
            member.write(chunk)

        pump(content, write)
    return ManifestEntry(name, digest.hexdigest(), size)


def pump(chunks: Iterable[bytes], sink: Callable[[bytes], None], depth: int = 4) -> None:
    """Feed ``chunks`` (made on this thread: they read the database) to ``sink`` on a writer
    thread, so hashing, compressing and writing (which release the GIL) overlap with making
    the next chunk. At most ``depth`` chunks wait. An error on either side stops both and is
    raised here: a full disk stops the reading, Cancel stops the writing."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
    failed: list[BaseException] = []
    stop = threading.Event()

    def drain() -> None:
        while (chunk := waiting.get()) is not None:
            if stop.is_set():
                continue  # keep taking chunks so the reader never blocks on a full queue
            try:
                sink(chunk)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
                failed.append(exc)
                stop.set()

    writer = threading.Thread(target=drain, name="evidence-pack-writer", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if stop.is_set():
                break
            waiting.put(chunk)
    except BaseException:
        stop.set()  # the writer skips what is still queued
        raise
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]
