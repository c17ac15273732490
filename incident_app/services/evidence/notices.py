"""Evidence-pack section of the approved notices: every version an approver signed, exactly as
stored (so its file's SHA-256 in the manifest equals the SHA-256 the approval is bound to), a PDF
of each printable one when a PDF writer is available, a specimen e-mail (.eml) of each approved
personal e-mail, and the approvals themselves (who, when, which SHA-256)."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from incident_app.domain.notices import Channel, NoticeApproval, NoticeVersion
from incident_app.services.evidence.base import EvidenceFile, EvidenceRequest, json_bytes
from incident_app.services.notices import DRILL_WATERMARK, build_eml, subject_of

PRINTABLE = (Channel.LETTER, Channel.DOCUMENT)
NO_PDF_NOTE = ("notices: no PDF copies — the PDF writer (Qt) is not available here; the HTML files are the "
               "approved content itself")


def notice_stem(version: NoticeVersion) -> str:
    """``notices/<kind>/<channel>.<lang>.v<version id>`` — one name per approved version."""
    return f"notices/{version.kind.value}/{version.channel.value}.{version.lang}.v{version.id}"


def notices_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """Every approved notice version, its PDF and specimen e-mail, and ``notices/approvals.json``."""
    approvals = req.services.ctx.store.notices.approvals(req.incident_id)
    versions = _approved_versions(approvals)
    files: list[EvidenceFile] = [(f"{notice_stem(v)}.{v.channel.extension}", v.content.encode("utf-8"))
                                 for v in versions]
    files += _pdfs(req, [v for v in versions if v.channel in PRINTABLE])
    files += _specimen_emails(req, versions)
    files.append(("notices/approvals.json", json_bytes([_approval_dict(a, v) for a, v in approvals])))
    return files


def _approved_versions(approvals: Sequence[tuple[NoticeApproval, NoticeVersion]]) -> list[NoticeVersion]:
    seen: dict[int, NoticeVersion] = {}
    for _approval, version in approvals:
        seen.setdefault(version.id, version)
    return list(seen.values())


def _approval_dict(approval: NoticeApproval, version: NoticeVersion) -> dict[str, Any]:
    content_sha = hashlib.sha256(version.content.encode("utf-8")).hexdigest()
    return approval.to_dict() | {
        "kind": version.kind.value, "channel": version.channel.value, "lang": version.lang,
        "file": f"{notice_stem(version)}.{version.channel.extension}", "content_sha256": content_sha,
        "content_matches_approval": content_sha == approval.sha256,
        "snapshot_sha256": version.snapshot_sha256, "rendered_by": version.rendered_by,
    }


def _pdfs(req: EvidenceRequest, printable: Sequence[NoticeVersion]) -> list[EvidenceFile]:
    if not printable:
        return []
    if req.pdf_writer is None:
        req.notes.append(NO_PDF_NOTE)
        return []
    drill = req.services.incidents.get(req.incident_id).facts.drill
    files: list[EvidenceFile] = []
    with tempfile.TemporaryDirectory(prefix="breach-desk-evidence-") as folder:
        for version in printable:
            path = Path(folder) / f"v{version.id}.pdf"
            req.pdf_writer.write_pdf([version.content], path, watermark=DRILL_WATERMARK if drill else "")
            files.append((f"{notice_stem(version)}.pdf", path.read_bytes()))
    return files


def _specimen_emails(req: EvidenceRequest, versions: Sequence[NoticeVersion]) -> list[EvidenceFile]:
    """The approved HTML and text masters of each personal e-mail as one message, as a mail
    client shows it (addressed to nobody: the masters name a specimen recipient)."""
    profile = req.services.profile.get()
    texts = {(v.kind, v.lang): v for v in versions if v.channel == Channel.EMAIL_TEXT}
    files: list[EvidenceFile] = []
    for html in (v for v in versions if v.channel == Channel.EMAIL_HTML):
        text = texts.get((html.kind, html.lang))
        sender_name = profile.company_en if html.lang == "en" and profile.company_en else profile.company_zh
        body = build_eml(sender_name=sender_name, sender=profile.officer_email, to="undisclosed-recipients:;",
                         subject=subject_of(html.content), text_body=text.content if text else "",
                         html_body=html.content, reference=f"BD{req.incident_id}-SPECIMEN-v{html.id}",
                         date=req.generated_at)
        files.append((f"{notice_stem(html)}.specimen.eml", body))
    return files
