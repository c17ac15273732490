"""Minors and counts end to end: an imported list with a 16-year-old and a 13-year-old who has an
e-mail of their own; the regulator report PDF (read back with pdftotext) carries the imported
counts and the minors by band, never the intake's estimate; the child is e-mailed only through
the guardian and the teenager gets the notice written for them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services

pytestmark = pytest.mark.qt

PEOPLE = ("user_id,name,email,phone,birth_date,guardian_name,guardian_email\n"
          "A1,成年人,adult@example.com,,1990-01-01,,\n"
          "T1,韩梅梅,teen@example.com,,2010-05-01,韩父,teen.parent@example.com\n"   # sixteen
          "C1,李小雷,kid@example.com,,2013-06-01,李母,kid.parent@example.com\n")   # thirteen, own e-mail


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_report_pdf_and_personal_notices_use_the_imported_minors(services: Services, intake: dict[str, object],
                                                                 tmp_path: Path) -> None:
    incident = services.incidents.create(intake | {"affected_people": 3000, "affected_records": 0,
                                                   "affected_minors": 0})
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident.id, source)
    summary = services.people.summary(incident.id)
    assert (summary.total, summary.minors, summary.children, summary.teens) == (3, 2, 1, 1)

    assessment = services.assessment.assess(incident.id)
    assert assessment.minors_involved and assessment.people.total == 3

    out = tmp_path / "out"
    notice_set, result = services.notices.export(incident.id, out, ["pdf", "eml"], pdf_writer=QtPdfWriter())
    kinds = {p.kind.value for p in notice_set.plan}
    assert {"individual", "guardian", "minor", "regulator_initial"} <= kinds
    report = next(p for p in result.files if p.parent.name == "regulator_initial" and p.name.endswith("zh-CN.pdf"))
    text = "".join(pdf_text(report).split())
    assert "我单位用户，3人，记录数尚在核实中" in text
    assert "其中未成年人（未满十八周岁）2人（不满十四周岁1人，十四至十七周岁1人）" in text
    assert "约3,000人" not in text and "约0条" not in text
    english = next(p for p in result.files if p.parent.name == "regulator_initial" and p.name.endswith(".en.pdf"))
    assert "3 people, including 2 minors under 18 (1 children under 14; 1 aged 14-17)" in " ".join(
        pdf_text(english).split())

    sent_to = {p.parent.parent.name: [] for p in result.files if p.suffix == ".eml"}
    for eml in (p for p in result.files if p.suffix == ".eml"):
        sent_to[eml.parent.parent.name].append(eml.read_text(encoding="utf-8"))
    all_emails = "\n".join(text for texts in sent_to.values() for text in texts)
    assert "kid@example.com" not in all_emails  # the 13-year-old is never written to directly
    assert any("kid.parent@example.com" in t for t in sent_to["guardian"])
    assert any("teen.parent@example.com" in t for t in sent_to["guardian"])
    assert [t for t in sent_to["minor"] if "teen@example.com" in t]
    assert not any("teen@example.com" in t for t in sent_to.get("individual", []))
