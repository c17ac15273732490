from __future__ import annotations

import email
import stat
from email.header import decode_header, make_header
from pathlib import Path
from typing import BinaryIO

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.completeness import CheckExpectations, check_extracted_text, check_rendered
from incident_app.domain.notices.kinds import Channel, NoticeKind
from incident_app.services.container import Services
from incident_app.services.notices.docx import docx_text
from tests.notice_helpers import person
from tests.services.notices.test_notices import REMEDIATION

CONTACT_ZH = ("021-38760448", "tousu@ooopic.com", "上海市浦东新区碧波路690号1号楼302室")


@pytest.fixture
def incident_id(services: Services, intake: dict[str, object]) -> int:
    incident = services.incidents.create(intake | {"drill": True})
    services.remediation.add(incident.id, REMEDIATION)
    return incident.id


def test_export_html_txt_docx_eml(services: Services, incident_id: int, tmp_path: Path) -> None:
    people = [person(1), person(2, lang="en"), person(3, guardian=True)]
    _, result = services.notices.export(incident_id, tmp_path, ["html", "txt", "docx", "eml"], recipients=people)
    names = {str(p.relative_to(tmp_path)) for p in result.files}
    assert {"individual/email_html.zh-CN.html", "individual/email_text.en.txt", "individual/sms.zh-CN.txt",
            "regulator_initial/document.zh-CN.docx", "regulator_initial/document.en.txt",
            "guardian/letter.en.docx"} <= names
    assert len([n for n in names if n.endswith(".eml")]) == 3
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in result.files)
    assert not any("测试人" in n or "example.com" in n for n in names)


def test_txt_export_keeps_identifiable_sections(services: Services, incident_id: int, tmp_path: Path) -> None:
    services.notices.export(incident_id, tmp_path, ["txt"])
    text = (tmp_path / "regulator_initial" / "document.zh-CN.txt").read_text(encoding="utf-8")
    report = check_rendered(text, NoticeKind.REGULATOR_INITIAL, Channel.EMAIL_TEXT, "zh-CN",
                            CheckExpectations(CONTACT_ZH, drill=True))
    assert report.complete, report.missing()
    sms = (tmp_path / "individual" / "sms.zh-CN.txt").read_text(encoding="utf-8")
    # a gateway's template may hold no 【】: the drill mark is in plain brackets
    assert sms.startswith("（演练）") and "【" not in sms


def test_docx_has_a_heading_per_element_and_the_drill_header(services: Services, incident_id: int,
                                                             tmp_path: Path) -> None:
    services.notices.export(incident_id, tmp_path, ["docx"])
    for kind, lang in ((NoticeKind.INDIVIDUAL, "zh-CN"), (NoticeKind.REGULATOR_INITIAL, "en")):
        channel = Channel.LETTER if kind == NoticeKind.INDIVIDUAL else Channel.DOCUMENT
        text = docx_text(tmp_path / kind.value / f"{channel.value}.{lang}.docx")
        contact = CONTACT_ZH if lang == "zh-CN" else ("+86 21 3876 0448", "tousu@ooopic.com", "Room 302, Building 1")
        report = check_extracted_text(text, kind, channel, lang, CheckExpectations(contact, drill=True))
        assert report.complete, report.missing()
        assert text.splitlines()[0].startswith(("【演练 DRILL】", "[DRILL]"))


def test_eml_is_one_message_per_recipient(services: Services, incident_id: int, tmp_path: Path) -> None:
    people = [person(1), person(2, lang="en")]
    services.notices.export(incident_id, tmp_path, ["eml"], recipients=people)
    files = sorted((tmp_path / "individual" / "eml").glob("*.eml"))
    assert len(files) == 2
    for path in files:
        message = email.message_from_bytes(path.read_bytes())
        to = message["To"]
        me = next(p for p in people if p.email == to)
        assert message["X-Breach-Desk-Reference"] == path.stem
        subject = str(make_header(decode_header(message["Subject"])))
        # A drill (this module's incident is one): the subject says so before anything else.
        assert subject.startswith(("【演练 DRILL】 关于您个人信息安全事件的告知",
                                   "[DRILL] A security incident involving your"))
        parts = [part.get_payload(decode=True).decode("utf-8") for part in message.walk()
                 if part.get_content_maintype() == "text"]
        assert len(parts) == 2 and all(me.display_name in p and path.stem in p for p in parts)


def test_specimen_eml_without_recipients_and_pdf_needs_the_writer(services: Services, incident_id: int,
                                                                  tmp_path: Path) -> None:
    services.notices.export(incident_id, tmp_path, ["eml"])
    assert (tmp_path / "individual" / "email.zh-CN.specimen.eml").exists()
    with pytest.raises(ValidationError, match="PDF"):
        services.notices.export(incident_id, tmp_path, ["pdf"])
    with pytest.raises(ValidationError, match="odt"):
        services.notices.export(incident_id, tmp_path, ["odt"])


class _ModeRecordingPdfWriter:
    """Stands in for the Qt adapter at the port: records the file's mode when writing starts."""

    def __init__(self) -> None:
        self.modes: list[int] = []

    def write_pdf(self, html_pages, path: Path, *, watermark: str = "") -> int:  # type: ignore[no-untyped-def]
        self.modes.append(stat.S_IMODE(path.stat().st_mode))
        with path.open("wb") as handle:
            handle.write(b"%PDF-1.4\n")
        return sum(1 for _ in html_pages)


def test_pdf_and_docx_files_are_private_before_any_content_is_written(
    services: Services, incident_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from incident_app.services.notices import export as notice_export

    docx_modes: list[int] = []
    real_write_docx = notice_export.write_docx

    def recording_write_docx(html: str, out: BinaryIO, **kwargs: object) -> None:
        docx_modes.append(stat.S_IMODE(os.fstat(out.fileno()).st_mode))
        real_write_docx(html, out, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notice_export, "write_docx", recording_write_docx)
    writer = _ModeRecordingPdfWriter()
    old_umask = os.umask(0o022)  # the usual default: new files readable by everyone
    try:
        services.notices.export(incident_id, tmp_path, ["pdf", "docx"], pdf_writer=writer,
                                recipients=[person(1), person(2)])
    finally:
        os.umask(old_umask)
    assert writer.modes and set(writer.modes) == {0o600}
    assert docx_modes and set(docx_modes) == {0o600}


def test_export_reports_counts_to_the_total(services: Services, incident_id: int, tmp_path: Path) -> None:
    from incident_app.services.progress import Progress

    seen: list[tuple[int, int | None, str]] = []
    progress = Progress(on_change=lambda s: seen.append((s.done, s.total, s.message)), min_interval_s=0)
    people = [person(i) for i in range(1, 31)]
    services.notices.export(incident_id, tmp_path, ["txt", "eml"], recipients=people, progress=progress)
    assert seen[0] == (0, None, "rendering")  # rendering first: the dialog is never silent
    totals = {t for _, t, m in seen if m != "rendering"}
    assert len(totals) == 1
    total = totals.pop()
    assert total is not None and total > 30 and seen[-1][0] == total
    assert [d for d, _, m in seen if m == "eml"] == sorted(d for d, _, m in seen if m == "eml")


def test_cancelled_export_leaves_no_file_and_no_event(services: Services, incident_id: int, tmp_path: Path) -> None:
    from incident_app.services.progress import Cancelled, Progress

    progress = Progress(min_interval_s=0)
    progress._on_change = lambda s: progress.cancel() if s.message == "eml" and s.done else None
    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        services.notices.export(incident_id, out, ["html", "txt", "eml"], recipients=[person(i) for i in range(1, 20)],
                                progress=progress)
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]
    assert not [e for e in services.ctx.store.events.for_incident(incident_id) if e.type == "notice.exported"]
