"""A drill incident's notices carry the 演练/DRILL mark in every format the tool writes or sends:
HTML, TXT, SMS, DOCX, PDF, the EML files (subject and both parts) and the e-mails the relay gets."""

from __future__ import annotations

import email
import subprocess
from email import policy
from pathlib import Path

import pytest
from proof_helpers import prepared_incident, send_all
from smtp_sink import Sink

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services
from incident_app.services.notices.docx import docx_text

pytestmark = pytest.mark.qt
MARKS = ("演练", "DRILL")


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    if path.suffix == ".docx":
        return docx_text(path)
    if path.suffix == ".eml":
        return "\n".join(eml_texts(path))
    return path.read_text(encoding="utf-8")


def eml_texts(path: Path) -> list[str]:
    """The subject and the text of each part (plain and HTML)."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return [str(message["Subject"]), *(p.get_content() for p in message.walk() if p.get_content_maintype() == "text")]


def test_every_format_of_a_drill_is_marked(services: Services, intake: dict[str, object], tmp_path: Path,
                                          sink: Sink) -> None:
    incident_id = prepared_incident(services, intake | {"drill": True}, tmp_path)
    out = tmp_path / "out"
    _, result = services.notices.export(incident_id, out, ["html", "txt", "docx", "eml", "pdf"],
                                        pdf_writer=QtPdfWriter())
    suffixes = {p.suffix for p in result.files}
    assert suffixes == {".html", ".txt", ".docx", ".eml", ".pdf"}
    assert any(p.name.startswith("sms.") for p in result.files)
    unmarked = [str(p.relative_to(out)) for p in result.files if not any(m in text_of(p) for m in MARKS)]
    assert unmarked == []
    for eml in (p for p in result.files if p.suffix == ".eml"):  # the subject and both parts, each on its own
        texts = eml_texts(eml)
        assert len(texts) == 3 and all(any(m in t for m in MARKS) for t in texts), eml
    send_all(services, incident_id, sink.port)
    for received in sink.received:
        message = email.message_from_bytes(received.data, policy=policy.default)
        assert str(message["Subject"]).startswith(("【演练 DRILL】", "[DRILL]"))


def test_a_real_incident_has_no_drill_mark(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident_id = prepared_incident(services, intake, tmp_path)
    _, result = services.notices.export(incident_id, tmp_path / "out", ["html", "eml"])
    assert not [p for p in result.files if any(m in text_of(p) for m in MARKS)]
