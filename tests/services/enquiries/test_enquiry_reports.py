"""Complaints and requests in the evidence pack and the 30-day summary report: counts and
statuses, masked contacts in the pack, no personal data in the report; new enquiries change no
fact the other notices state."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from incident_app.domain.enquiries import ReplyKind
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.notices.completeness import html_sections
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack


def log(services: Services, incident_id: int, topic: str, contact: str = "lisi@example.com") -> int:
    return services.enquiries.add(incident_id, {"channel": "email", "contact": contact, "topic": topic,
                                                "received_at": "2026-11-20T10:00:00+08:00",
                                                "text": "私人内容 13800138000"}).id


def handled(services: Services, enquiry_id: int, outcome: str) -> None:
    services.enquiries.reply(enquiry_id, via=ReplyKind.PHONE, note="已电话回复")
    services.enquiries.close(enquiry_id, outcome)


def test_the_evidence_pack_lists_requests_with_their_status(services: Services, incident_id: int,
                                                            tmp_path: Path) -> None:
    handled(services, log(services, incident_id, "deletion"), "done")
    log(services, incident_id, "compensation")
    log(services, incident_id, "protect")
    pack = build_evidence_pack(services, incident_id, tmp_path / "pack.zip")
    with zipfile.ZipFile(pack.path) as archive:
        summary = json.loads(archive.read("enquiries/summary.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("enquiries/requests.csv").decode("utf-8"))))
        everything = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("enquiries/"))
    assert summary["enquiries"] == 3 and summary["requests"] == {"compensation": {"pending": 1},
                                                                 "deletion": {"done": 1}}
    assert {(r["topic"], r["request_status"]) for r in rows} == {("deletion", "done"), ("compensation", "pending")}
    assert rows[0]["contact_masked"] == "l***@example.com"
    assert b"lisi@" not in everything and "私人内容".encode() not in everything


def test_the_summary_report_counts_requests_without_personal_data(services: Services, incident_id: int) -> None:
    before = services.notices.snapshot(incident_id)
    handled(services, log(services, incident_id, "deletion"), "refused")
    log(services, incident_id, "deletion", contact="13800138000")
    log(services, incident_id, "complaint")
    after = services.notices.snapshot(incident_id)
    from incident_app.domain.notices.fact_snapshot import diff_snapshots

    assert diff_snapshots(before.data, after.data) == []  # no notice is 'changed' by people asking
    services.incidents.change_status(incident_id, IncidentStatus("closed"), "handled", force=True)
    rendered = {(n.rendered.kind.value, n.rendered.lang): n.rendered.content
                for n in services.notices.prepare(incident_id, kinds=[NoticeKind.REGULATOR_SUMMARY]).notices}
    zh, en = rendered[("regulator_summary", "zh-CN")], rendered[("regulator_summary", "en")]
    measures = next(s for s in html_sections(zh)[0] if s.element == "measures_effect").text
    assert "共收到用户询问 3 个" in measures and "删除请求：待处理 1，已拒绝 1" in measures
    assert "投诉：待处理 1" in measures
    assert "3 enquiries were received" in en and "deletion requests: pending 1, refused 1" in en
    for text in (zh, en):
        assert "lisi" not in text and "13800138000" not in text and "私人内容" not in text
