"""Every English PDF of the demo incident, read as its reader reads it (pdftotext): no Chinese
except the company's registered name and address."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services
from incident_app.services.demo.incident import load_demo

pytestmark = pytest.mark.qt
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_english_pdfs_carry_no_chinese(services: Services, tmp_path: Path) -> None:
    incident = load_demo(services)
    out = tmp_path
    notice_set, result = services.notices.export(incident.id, out, ["pdf"], langs=["en"], pdf_writer=QtPdfWriter())
    assert all(n.rendered.report.complete for n in notice_set.notices), [
        (n.rendered.kind, n.rendered.channel, n.rendered.report.missing()) for n in notice_set.notices
        if not n.rendered.report.complete]
    profile = services.profile.get()
    # letters.en.pdf holds one letter per imported person, addressed with their own (Chinese) name
    # and address: the recipient's data, not the notice's wording; the masters are all checked.
    pdfs = [p for p in result.files if p.suffix == ".pdf" and not p.name.startswith("letters.")]
    kinds = {p.parent.name for p in pdfs}
    assert {"individual", "guardian", "minor", "regulator_initial"} <= kinds
    for pdf in pdfs:
        text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                      text=True).stdout.split())
        for allowed in (profile.company_zh, profile.postal_address_zh):
            text = text.replace("".join(allowed.split()), "")
        assert not CJK.findall(text), (pdf.name, "".join(CJK.findall(text))[:80])
