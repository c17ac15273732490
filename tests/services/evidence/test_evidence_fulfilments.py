"""Fulfilments go into the evidence pack with their attached files; each file's SHA-256 in the
manifest equals the one recorded with the fulfilment (and in its event)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from incident_app.services.container import Services
from incident_app.services.evidence.pack import build_evidence_pack
from incident_app.services.evidence.verify import verify_evidence


def test_fulfilment_and_its_file_are_in_the_pack(services: Services, incident_id: int, tmp_path: Path) -> None:
    shot = tmp_path / "12387 回执.png"
    shot.write_bytes(b"\x89PNG screenshot of the receipt page")
    f = services.fulfilments.record(incident_id, {"obligation_id": "cac-initial-report", "channel": "website_12387",
                                                  "reference": "12387-7", "done_by": "王伟"}, file=shot)
    other = services.fulfilments.record(incident_id, {"obligation_id": "pipl57-regulator", "channel": "police_station",
                                                      "done_by": "王伟"})
    services.corrections.correct(incident_id, "fulfilment", other.id, "recorded on the wrong obligation", "王伟")
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    archive = zipfile.ZipFile(out)
    record = json.loads(archive.read("fulfilments/fulfilments.json"))
    member = record["fulfilments"][0]["pack_file"]
    assert member.startswith(f"fulfilments/files/{f.id}-") and member.endswith(".png")
    assert archive.read(member) == shot.read_bytes()
    manifest = {e["name"]: e["sha256"] for e in json.loads(archive.read("manifest.json"))["files"]}
    assert manifest[member] == f.file_sha256 == hashlib.sha256(shot.read_bytes()).hexdigest()
    assert record["corrections"][0]["target_id"] == other.id
    assert record["fulfilments"][1]["pack_file"] is None
    assert verify_evidence(out).ok
    assert "fulfilments/" in archive.read("README.txt").decode("utf-8")
