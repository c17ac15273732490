"""With the Qt PDF writer, the evidence pack holds a PDF of every approved printable notice; a
drill's PDFs carry the drill mark; pdftotext reads them back."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from proof_helpers import REMEDIATION

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services
from incident_app.services.evidence.pack import build_evidence_pack
from incident_app.services.evidence.verify import verify_evidence

pytestmark = pytest.mark.qt


def test_pack_has_a_pdf_per_approved_printable_notice(services: Services, intake: dict[str, object],
                                                      tmp_path: Path) -> None:
    incident = services.incidents.create(intake | {"drill": True})
    services.remediation.add(incident.id, REMEDIATION)
    services.notices.approve(incident.id, "王安全")
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident.id, out, pdf_writer=QtPdfWriter())
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        approvals = json.loads(archive.read("notices/approvals.json"))
        printable = [a["file"] for a in approvals if a["channel"] in ("letter", "document")]
        assert printable and all(f.removesuffix(".html") + ".pdf" in names for f in printable)
        report = next(f for f in printable if "regulator_initial/document.zh-CN" in f)
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(archive.read(report.removesuffix(".html") + ".pdf"))
        assert json.loads(archive.read("manifest.json"))["notes"] == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "演练" in text and "021-38760448" in text
    assert verify_evidence(out).ok
