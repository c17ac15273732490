"""The Qt PDF writer: pdftotext finds every required element's heading and the officer contacts in
every printable notice, in both languages; drill PDFs carry the banner and watermark."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.cli.main import run
from incident_app.domain.notices.completeness import CheckExpectations, check_extracted_text
from incident_app.domain.notices.kinds import CHANNELS, Channel, NoticeKind
from incident_app.services.notices.render import contact_expectations
from tests.notice_helpers import person, sample_renderer

pytestmark = pytest.mark.qt
PRINTABLE = [(kind, channel, lang) for kind, channels in CHANNELS.items() for channel in channels
             if channel in (Channel.LETTER, Channel.DOCUMENT) for lang in ("zh-CN", "en")]


def plain_pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def writer() -> QtPdfWriter:
    return QtPdfWriter()


@pytest.mark.parametrize(("kind", "channel", "lang"), PRINTABLE, ids=lambda v: str(v))
def test_pdftotext_finds_every_heading_and_the_contacts(writer: QtPdfWriter, tmp_path: Path, kind, channel,
                                                        lang) -> None:  # type: ignore[no-untyped-def]
    renderer = sample_renderer(drill=True)
    notice = renderer.render_master(kind, channel, lang)
    path = tmp_path / "notice.pdf"
    assert writer.write_pdf([notice.content], path, watermark="演练 DRILL") >= 1
    text = plain_pdftotext(path)
    contact = contact_expectations(renderer.builder)[lang]
    report = check_extracted_text(text, kind, channel, lang, CheckExpectations(tuple(contact.values()), drill=True))
    assert report.complete, report.missing()
    flat = "".join(text.split())
    assert all("".join(v.split()) in flat for v in contact.values())


def test_combined_letters_one_per_recipient(writer: QtPdfWriter, tmp_path: Path) -> None:
    from incident_app.services.notices.personal import PersonalRenderer

    renderer = sample_renderer()
    personal = PersonalRenderer({NoticeKind.INDIVIDUAL: renderer})
    people = [person(i) for i in range(5)]
    pages = [personal.render(NoticeKind.INDIVIDUAL, Channel.LETTER, p) for p in people]
    path = tmp_path / "letters.pdf"
    count = writer.write_pdf(pages, path)
    assert count >= 5
    text = plain_pdftotext(path)
    positions = [text.index(p.display_name) for p in people]
    assert positions == sorted(positions)  # in input order, each letter on its own pages


def test_no_page_numbers_and_no_stray_watermark_text(writer: QtPdfWriter, tmp_path: Path) -> None:
    notice = sample_renderer(drill=True).render_master(NoticeKind.INDIVIDUAL, Channel.LETTER, "zh-CN")
    path = tmp_path / "drill.pdf"
    writer.write_pdf([notice.content], path, watermark="演练 DRILL")
    lines = [line.strip() for line in plain_pdftotext(path).splitlines() if line.strip()]
    assert lines[0].startswith("【演练 DRILL】")
    assert not any(line.isdigit() for line in lines)  # Qt's page numbers would be bare digits
    assert not any(line in ("演", "练", "D", "R", "I", "L") for line in lines)  # the watermark is outlines


def test_cli_notices_writes_pdfs(tmp_path: Path, capsys: pytest.CaptureFixture[str], intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    (tmp_path / "intake.json").write_text(json.dumps(intake), encoding="utf-8")
    assert run(["new", "--json", str(tmp_path / "intake.json"), "--db", str(db)]) == 0
    capsys.readouterr()
    assert run(["notices", "1", "--out", str(tmp_path / "out"), "--format", "pdf", "--db", str(db)]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert "regulator_initial/document.en.pdf" in files and "guardian/letter.zh-CN.pdf" in files
    pdf_text = plain_pdftotext(tmp_path / "out" / "regulator_initial" / "document.zh-CN.pdf")
    assert "事发单位名称及发生事件的设施、系统、平台的基本情况" in pdf_text
