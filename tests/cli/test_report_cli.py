"""The CLI side of the report work: a ransom demand in the intake file reaches the CAC report, a
ransom for a non-malware cause is refused (exit 2, naming the field), and a late GDPR notification
is incomplete until a ``notification_delay`` decision gives the reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def eu_delay(result: dict[str, object]) -> dict[str, str] | None:
    notices = result["notices"]
    assert isinstance(notices, list)
    eu = next(n for n in notices if n["kind"] == "eu_authority" and n["lang"] == "en")
    return next((e for e in eu["elements"] if e["element"] == "delay_reasons"), None)


def test_ransom_and_late_gdpr_notification(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    # Discovered on 2026-11-20; the CLI runs on today's clock, far more than 72 hours later.
    facts = {**intake, "cause": "malware", "malicious": True, "eu_subjects": 3,
             "ransom": {"amount_cny": 300000, "method": "门罗币", "date": "2026-11-22"}}
    (tmp_path / "intake.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, db, "new", "--json", str(tmp_path / "intake.json"))[0] == 0
    out_dir = tmp_path / "out"
    code, out, _ = cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "html")
    assert code == 0
    assert eu_delay(json.loads(out)) == {"element": "delay_reasons", "status": "empty",
                                         "detail": "the section has a heading but no content"}
    report = (out_dir / "regulator_initial" / "document.zh-CN.html").read_text(encoding="utf-8")
    assert "要求支付的赎金金额：300,000元" in report and "门罗币" in report and "2026年11月22日" in report
    assert (out_dir / "police_report" / "document.zh-CN.html").exists()

    reason = {"kind": "notification_delay", "decided_by": "DPO",
              "rationale": "EU residents were identified only after the customer database was restored."}
    (tmp_path / "delay.json").write_text(json.dumps(reason), encoding="utf-8")
    assert cli(capsys, db, "decide", "1", "--json", str(tmp_path / "delay.json"), "--lang", "en")[0] == 0
    code, out, _ = cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "html")
    assert eu_delay(json.loads(out)) == {"element": "delay_reasons", "status": "present"}
    eu = (out_dir / "eu_authority" / "document.en.html").read_text(encoding="utf-8")
    assert "Reasons for the delay" in eu and "only after the customer database was restored" in eu


def test_ransom_for_another_cause_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             intake: dict[str, object]) -> None:
    (tmp_path / "intake.json").write_text(json.dumps({**intake, "ransom": {"amount_cny": 1}}), encoding="utf-8")
    code, out, err = cli(capsys, tmp_path / "db.sqlite3", "new", "--json", str(tmp_path / "intake.json"))
    assert code == 2 and "ransom" in err and "malware" in err and out == ""
