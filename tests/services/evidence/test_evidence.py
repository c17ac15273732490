from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from incident_app.domain.errors import NotFoundError
from incident_app.services.container import Services
from incident_app.services.evidence.pack import (
    DEFAULT_SECTIONS,
    EvidenceRequest,
    build_evidence_pack,
)
from incident_app.services.evidence.verify import find_in_event_log, verify_evidence


@pytest.fixture
def pack(services: Services, intake: dict[str, object], tmp_path: Path) -> Path:
    incident = services.incidents.create(intake)
    services.decisions.record(incident.id, {"kind": "other", "rationale": "告知全部用户", "decided_by": "王安全"})
    services.incidents.create(intake | {"title": "another incident"})  # its events sit in the chain too
    services.remediation.add(incident.id, [{"description": "关闭存储桶"}])
    out = tmp_path / "evidence.zip"
    build_evidence_pack(services, incident.id, out)
    return out


def rewrite_member(pack: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(pack) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(pack, "w") as dst:
        for info, data in items:
            dst.writestr(info, change(data) if info.filename == name else data)


def test_pack_holds_every_phase1_section_and_verifies(pack: Path, services: Services) -> None:
    names = set(zipfile.ZipFile(pack).namelist())
    assert {"incident.json", "decisions.json", "remediation.json", "event-log/events.json",
            "event-log/chain.json", "profile.json", "README.txt", "manifest.json", "MANIFEST.sha256"} <= names
    report = verify_evidence(pack)
    assert report.ok and report.problems == () and report.files_checked == len(names) - 1
    assert find_in_event_log(services, report.manifest_sha256 or "") is not None
    assert stat.S_IMODE(pack.stat().st_mode) == 0o600


def test_event_log_excerpt_carries_the_chain(pack: Path) -> None:
    archive = zipfile.ZipFile(pack)
    events = json.loads(archive.read("event-log/events.json"))
    chain = json.loads(archive.read("event-log/chain.json"))
    assert [e["type"] for e in events] == ["incident.created", "decision.recorded", "remediation.added"]
    assert all(e["hash_matches_content"] and len(e["hash"]) == 64 for e in events)
    assert {e["incident_id"] for e in events} == {1}
    assert chain["ok"] is True and chain["head"]["seq"] == 4


def flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def test_one_byte_change_in_a_member_is_caught_and_named(pack: Path) -> None:
    rewrite_member(pack, "decisions.json", flip_one_byte)
    report = verify_evidence(pack)
    assert not report.ok
    assert [p.name for p in report.problems] == ["decisions.json"]
    assert "changed" in report.problems[0].problem


def test_flipped_byte_in_the_raw_archive_is_caught_and_named(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo("incident.json")
    raw = bytearray(pack.read_bytes())
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[data_start + info.compress_size // 2] ^= 0x01
    pack.write_bytes(bytes(raw))
    report = verify_evidence(pack)
    assert not report.ok and [p.name for p in report.problems] == ["incident.json"]


def test_added_and_missing_files_are_named(pack: Path) -> None:
    with zipfile.ZipFile(pack) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist() if i.filename != "profile.json"]
    with zipfile.ZipFile(pack, "w") as dst:
        for info, data in items:
            dst.writestr(info, data)
        dst.writestr("later.txt", b"slipped in")
    problems = {p.name: p.problem for p in verify_evidence(pack).problems}
    assert problems["profile.json"] == "missing"
    assert "not in the manifest" in problems["later.txt"]


def test_rehashed_forgery_verifies_internally_but_is_unknown_to_the_log(pack: Path, services: Services) -> None:
    rewrite_member(pack, "decisions.json", lambda data: data.replace("告知".encode(), "隐瞒".encode(), 1))
    with zipfile.ZipFile(pack) as src:
        items = {i.filename: src.read(i.filename) for i in src.infolist()}
    new_digest = hashlib.sha256(items["decisions.json"]).hexdigest()
    manifest = json.loads(items["manifest.json"])
    for entry in manifest["files"]:
        if entry["name"] == "decisions.json":
            entry["sha256"] = new_digest
    items["manifest.json"] = json.dumps(manifest).encode()
    items["MANIFEST.sha256"] = "".join(
        f"{hashlib.sha256(items[n]).hexdigest()}  {n}\n" for n in items if n != "MANIFEST.sha256").encode()
    with zipfile.ZipFile(pack, "w") as dst:
        for name, data in items.items():
            dst.writestr(name, data)
    report = verify_evidence(pack)
    assert report.ok  # internally consistent…
    assert find_in_event_log(services, report.manifest_sha256 or "") is None  # …but not the pack the log knows


def test_manifest_works_with_sha256sum(pack: Path, tmp_path: Path) -> None:
    target = tmp_path / "unzipped"
    zipfile.ZipFile(pack).extractall(target)
    result = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=target, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_export_is_logged_with_the_manifest_digest(pack: Path, services: Services) -> None:
    event = services.ctx.store.events.of_types(["export.written"])[-1]
    assert event.payload["what"] == "evidence_pack" and event.payload["where"] == str(pack.resolve())
    assert event.payload["unmasked"] is False and event.incident_id == 1
    assert event.payload["manifest_sha256"] == verify_evidence(pack).manifest_sha256


def test_unmasked_pack_is_logged_as_an_unmask(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = services.incidents.create(intake)
    build_evidence_pack(services, incident.id, tmp_path / "p.zip", unmask=True)
    assert [e.type for e in services.ctx.store.events.for_incident(incident.id)][:2] == [
        "personal_data.unmasked", "export.written"]
    assert json.loads(zipfile.ZipFile(tmp_path / "p.zip").read("manifest.json"))["unmasked"] is True


def test_extra_sections_plug_in(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = services.incidents.create(intake)

    def answers_section(req: EvidenceRequest) -> list[tuple[str, bytes]]:
        return [("extra/answers.csv", b"question,answer\r\nwho,me\r\n")]

    out = tmp_path / "p.zip"
    build_evidence_pack(services, incident.id, out, sections=(*DEFAULT_SECTIONS, answers_section))
    assert verify_evidence(out).ok
    assert "answers_section" in json.loads(zipfile.ZipFile(out).read("manifest.json"))["sections"]

    def bad_section(req: EvidenceRequest) -> list[tuple[str, bytes]]:
        return [("../escape.txt", b"")]

    with pytest.raises(ValueError, match="bad_section"):
        build_evidence_pack(services, incident.id, tmp_path / "q.zip", sections=(bad_section,))
    assert not (tmp_path / "q.zip").exists()


def test_unknown_incident(services: Services, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        build_evidence_pack(services, 99, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()


def test_not_a_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"hello")
    report = verify_evidence(bogus)
    assert not report.ok and "not a readable ZIP" in report.problems[0].problem
