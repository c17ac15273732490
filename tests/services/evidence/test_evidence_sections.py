"""The evidence pack of the demo incident after its notices were approved and its e-mails sent to a
real loopback SMTP sink: the assessment with inputs and rule versions, every approved notice bound
to its approval's SHA-256, the send ledger with the relay's replies (masked), the people counts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from proof_helpers import send_all
from smtp_sink import Sink

from incident_app.services.container import Services
from incident_app.services.demo.incident import load_demo
from incident_app.services.evidence.pack import build_evidence_pack
from incident_app.services.evidence.verify import verify_evidence
from incident_app.services.resources import RESOURCES_DIR
from tests.services.evidence.test_evidence import flip_one_byte, rewrite_member


@pytest.fixture
def sent_demo(services: Services, sink: Sink) -> int:
    incident = load_demo(services)
    services.notices.approve(incident.id, "王安全")
    summary = send_all(services, incident.id, sink.port)
    assert summary.overview.by_state["sent"] > 100  # type: ignore[index]
    return incident.id


@pytest.fixture
def pack(services: Services, sent_demo: int, tmp_path: Path) -> Path:
    out = tmp_path / "demo-evidence.zip"
    build_evidence_pack(services, sent_demo, out)
    return out


def members(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_every_section_is_in_the_pack_and_it_verifies(pack: Path) -> None:
    names = set(members(pack))
    assert {"assessment/assessment.zh-CN.json", "assessment/assessment.en.json", "assessment/inputs.json",
            "assessment/rule-versions.json", "notices/approvals.json", "send-ledger/ledger.csv",
            "send-ledger/overview.json", "people/summary.json"} <= names
    assert any(n.startswith("notices/individual/email_html.zh-CN.") and n.endswith(".specimen.eml") for n in names)
    assert verify_evidence(pack).ok
    readme = members(pack)["README.txt"].decode("utf-8")
    assert "send-ledger/" in readme and "people/summary.json" in readme and "PDF writer" in readme


def test_assessment_carries_its_inputs_and_the_rule_files_digests(pack: Path, services: Services,
                                                                 sent_demo: int) -> None:
    files = members(pack)
    assessment = json.loads(files["assessment/assessment.zh-CN.json"])
    assert assessment == services.assessment.to_json(services.assessment.assess(sent_demo))
    assert json.loads(files["assessment/assessment.en.json"])["lang"] == "en"
    versions = json.loads(files["assessment/rule-versions.json"])["rules_sha256"]
    for name in ("rules/obligations.json", "rules/grading.json", "rules/enisa.json", "rules/deadlines.json"):
        assert versions[name] == hashlib.sha256((RESOURCES_DIR / name).read_bytes()).hexdigest()
    inputs = json.loads(files["assessment/inputs.json"])
    assert inputs["people_counts"]["source"] == "import" and inputs["send_ledger_batches"]


def test_each_approved_notice_is_bound_to_its_approval(pack: Path, services: Services, sent_demo: int) -> None:
    files = members(pack)
    manifest = {f["name"]: f["sha256"] for f in json.loads(files["manifest.json"])["files"]}
    approvals = json.loads(files["notices/approvals.json"])
    assert len(approvals) == len(services.ctx.store.notices.approvals(sent_demo)) > 10
    for approval in approvals:
        assert approval["approver"] == "王安全" and approval["content_matches_approval"]
        assert manifest[approval["file"]] == approval["sha256"]  # the file is what was signed, byte for byte
    kinds = {a["kind"] for a in approvals}
    assert {"individual", "guardian", "regulator_initial"} <= kinds


def test_ledger_has_every_reply_and_no_contact_or_name_leaks(pack: Path, services: Services, sink: Sink,
                                                             sent_demo: int) -> None:
    files = members(pack)
    rows = list(csv.DictReader(io.StringIO(files["send-ledger/ledger.csv"].decode("utf-8-sig"))))
    assert len(rows) == sink.count() and all(r["last_reply"].startswith("250") for r in rows)
    assert all(r["to_address"].count("***") == 1 and r["recipient"].startswith(f"BD{sent_demo}-") for r in rows)
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    addresses = {r.address for r in sink.received}
    leaked = [a for a in addresses if a in everything]
    assert not leaked
    names = [p.name for p in services.people.page(sent_demo, 0, 300) if p.name]
    assert not [n for n in names if n in files["people/summary.json"].decode("utf-8")]
    summary = json.loads(files["people/summary.json"])["summary"]
    assert summary == services.people.summary(sent_demo).to_dict()


def test_unmasked_pack_shows_addresses_and_is_logged_once(services: Services, sent_demo: int, sink: Sink,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "unmasked.zip"
    build_evidence_pack(services, sent_demo, out, unmask=True)
    ledger = members(out)["send-ledger/ledger.csv"].decode("utf-8-sig")
    assert all(r.address in ledger for r in sink.received) and "D000001" in ledger  # user ids, unmasked
    types = [e.type for e in services.audit.timeline(sent_demo)[:2]]
    assert sorted(types) == ["export.written", "personal_data.unmasked"]


def test_a_one_byte_change_in_any_new_section_is_caught(pack: Path, tmp_path: Path) -> None:
    notice = next(n for n in members(pack) if n.startswith("notices/regulator_initial/") and n.endswith(".html"))
    for member in ("send-ledger/ledger.csv", "notices/approvals.json", "assessment/rule-versions.json", notice):
        copy = tmp_path / f"copy-{hashlib.sha256(member.encode()).hexdigest()[:8]}.zip"
        copy.write_bytes(pack.read_bytes())
        rewrite_member(copy, member, flip_one_byte)
        assert [p.name for p in verify_evidence(copy).problems] == [member]
