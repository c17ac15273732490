"""Checking an evidence pack: every file listed in ``MANIFEST.sha256`` is present, readable and
has its digest; no file was added; ``manifest.json`` agrees with ``MANIFEST.sha256``. Against the
database (:func:`check_against_database`): the event log still verifies with its key, still holds
the chain head the pack recorded (seq and hash: nothing deleted or rewritten since), and records
the pack's manifest digest in its export event (the pack was not rebuilt)."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from incident_app.domain.proof import MANIFEST_JSON, MANIFEST_SHA256, ChainHead, parse_sha256sum
from incident_app.services.audit import EXPORT_EVENT
from incident_app.services.container import Services
from incident_app.services.private_files import open_regular_file


@dataclass(frozen=True)
class FileProblem:
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


@dataclass(frozen=True)
class EvidenceReport:
    ok: bool
    files_checked: int
    manifest_sha256: str | None
    problems: tuple[FileProblem, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "files_checked": self.files_checked, "manifest_sha256": self.manifest_sha256,
                "problems": [{"file": p.name, "problem": p.problem} for p in self.problems]}


# What opening or reading a tampered member raises: a broken CRC or deflate stream, a cut-off
# member, a header claiming encryption (RuntimeError) or an unknown compression method.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError)
# The manifests are read whole: a pack of 10,000,000 ledger rows has a few dozen lines; more than
# this is not a Breach Desk manifest (a bomb would fill the memory).
MANIFEST_LIMIT = 16 << 20


def _read(archive: zipfile.ZipFile, name: str, limit: int = MANIFEST_LIMIT) -> bytes | str:
    """The member's bytes (at most ``limit``), or why it cannot be read (a flipped byte usually
    breaks its CRC)."""
    try:
        with archive.open(name) as member:
            content = member.read(limit + 1)
    except _UNREADABLE as exc:
        return f"damaged, cannot be read ({exc})"
    if len(content) > limit:
        return f"larger than {limit >> 20} MiB, not a Breach Desk manifest"
    return content


def _digest(archive: zipfile.ZipFile, name: str) -> str | FileProblem:
    """The SHA-256 of the member, read in chunks (a 10,000,000-row ledger is gigabytes), or why it
    cannot be read (a flipped byte usually breaks its CRC, found when the member's end is read)."""
    digest = hashlib.sha256()
    try:
        with archive.open(name) as member:
            while chunk := member.read(_CHUNK):
                digest.update(chunk)
    except _UNREADABLE as exc:
        return FileProblem(name, f"damaged, cannot be read ({exc})")
    return digest.hexdigest()


_CHUNK = 1 << 20


def verify_evidence(path: Path) -> EvidenceReport:
    """Check the pack at ``path``; the report names every file that does not match."""
    try:
        # A regular file only (InputFileError otherwise): a pipe would hang, /dev/zero never end.
        with open_regular_file(path) as handle, zipfile.ZipFile(handle) as archive:
            return _verify_archive(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        return EvidenceReport(False, 0, None, (FileProblem(str(path), f"not a readable ZIP archive ({exc})"),))


def _verify_archive(archive: zipfile.ZipFile) -> EvidenceReport:
    names = archive.namelist()
    problems = [FileProblem(n, "appears more than once in the archive") for n in sorted(set(names))
                if names.count(n) > 1]
    if MANIFEST_SHA256 not in names:
        return EvidenceReport(False, 0, None, (*problems, FileProblem(MANIFEST_SHA256, "missing")))
    sums = _read(archive, MANIFEST_SHA256)
    if isinstance(sums, str):
        return EvidenceReport(False, 0, None, (*problems, FileProblem(MANIFEST_SHA256, sums)))
    digests, bad_lines = parse_sha256sum(sums.decode("utf-8", errors="replace"))
    problems += [FileProblem(MANIFEST_SHA256, f"line {n} is not '<sha256>  <name>'") for n in bad_lines]
    problems += _check_listed(archive, names, digests)
    problems += [FileProblem(n, "is not in the manifest (added after the pack was made)")
                 for n in sorted(set(names) - set(digests) - {MANIFEST_SHA256})]
    problems += _check_manifest_json(archive, digests)
    return EvidenceReport(not problems, len(digests), hashlib.sha256(sums).hexdigest(), tuple(problems))


def _check_listed(archive: zipfile.ZipFile, names: list[str], digests: dict[str, str]) -> list[FileProblem]:
    problems = []
    for name, expected in digests.items():
        if name not in names:
            problems.append(FileProblem(name, "missing"))
            continue
        actual = _digest(archive, name)
        if isinstance(actual, FileProblem):
            problems.append(actual)
        elif actual != expected:
            problems.append(FileProblem(name, f"changed: SHA-256 is {actual}, the manifest says {expected}"))
    return problems


def _check_manifest_json(archive: zipfile.ZipFile, digests: dict[str, str]) -> list[FileProblem]:
    """manifest.json must list the same files and digests as MANIFEST.sha256."""
    if MANIFEST_JSON not in digests:
        return [FileProblem(MANIFEST_JSON, "not listed in MANIFEST.sha256")]
    content = _read(archive, MANIFEST_JSON) if MANIFEST_JSON in archive.namelist() else "missing"
    if isinstance(content, str):
        return []  # already reported as missing or damaged
    try:
        listed = {f["name"]: f["sha256"] for f in json.loads(content)["files"]}
    except (ValueError, KeyError, TypeError):
        return [FileProblem(MANIFEST_JSON, "is not a Breach Desk manifest")]
    expected = {n: d for n, d in digests.items() if n != MANIFEST_JSON}
    return [] if listed == expected else [FileProblem(MANIFEST_JSON, "disagrees with MANIFEST.sha256")]


def find_in_event_log(services: Services, manifest_sha256: str) -> int | None:
    """The sequence number of the export event that recorded this manifest digest, if any."""
    for event in services.ctx.store.events.of_types([EXPORT_EVENT]):
        if event.payload.get("manifest_sha256") == manifest_sha256:
            return event.seq
    return None


@dataclass(frozen=True)
class DatabaseCheck:
    """The pack checked against the database: ``status`` is ``ok``, ``tampered`` (a problem was
    found) or ``cannot_verify`` (the key is missing, or the pack is from another database)."""

    status: str
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    recorded_in_event_log_seq: int | None = None
    head: ChainHead | None = None

    def to_dict(self) -> dict[str, object]:
        return {"status": self.status, "problems": list(self.problems), "notes": list(self.notes),
                "pack_chain_head": self.head.to_dict() if self.head else None}


def check_against_database(services: Services, path: Path, report: EvidenceReport) -> DatabaseCheck:
    """Check the pack at ``path`` (already checked as ``report``) against the open database."""
    chain = services.audit.verify()
    problems: list[str] = []
    blockers: list[str] = []
    if chain.key_missing:
        blockers.append(f"cannot verify the event log: {chain.reason}")
    elif not chain.ok:
        problems.append(f"the database's event log fails verification at event {chain.first_bad_seq}: {chain.reason}")
    export_seq = find_in_event_log(services, report.manifest_sha256) if report.manifest_sha256 else None
    recorded = _recorded_event_log(path)
    if recorded is None:  # a pack from before chain heads were recorded
        notes = () if export_seq else ("this database's event log has no record of this pack (made elsewhere, "
                                       "or rebuilt)",)
        return _result(problems, blockers, notes, export_seq, None)
    database_id, head = recorded
    if database_id != services.audit.database_id:
        blockers.append(f"the pack was made from another database (id {database_id}); this one "
                        f"(id {services.audit.database_id}) cannot confirm it")
        return _result(problems, blockers, (), export_seq, head)
    problems += _head_problems(services, head)
    if export_seq is None and report.manifest_sha256:
        problems.append("no export event in the event log records this pack's manifest digest (the pack was "
                        "rebuilt after it was made, or its export event was removed)")
    return _result(problems, blockers, (), export_seq, head)


def _head_problems(services: Services, head: ChainHead | None) -> list[str]:
    if head is None:
        return []
    stored = services.ctx.store.events.hash_at(head.seq)
    if stored is None:
        return [f"the database no longer contains event {head.seq}, the last event when the pack was made "
                "(events deleted after the pack)"]
    if stored != head.hash:
        return [f"event {head.seq} in the database differs from the one the pack recorded (event log rewritten "
                "after the pack was made)"]
    return []


def _result(problems: list[str], blockers: list[str], notes: tuple[str, ...], export_seq: int | None,
            head: ChainHead | None) -> DatabaseCheck:
    status = "tampered" if problems else "cannot_verify" if blockers else "ok"
    return DatabaseCheck(status, tuple(problems + blockers), notes, export_seq, head)


def _recorded_event_log(path: Path) -> tuple[str, ChainHead | None] | None:
    """The database id and chain head the pack's manifest.json recorded; None for an older pack
    (or one whose manifest cannot be read, which the file check already reports)."""
    try:
        with open_regular_file(path) as handle, zipfile.ZipFile(handle) as archive:
            content = _read(archive, MANIFEST_JSON)
        manifest = json.loads(content) if isinstance(content, bytes) else None
    except (OSError, KeyError, *_UNREADABLE):
        return None
    recorded = manifest.get("event_log") if isinstance(manifest, dict) else None
    if not isinstance(recorded, dict) or not isinstance(recorded.get("database_id"), str):
        return None
    return str(recorded["database_id"]), ChainHead.from_dict(recorded.get("head"))
