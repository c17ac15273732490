"""The SMS and phone hand-off on the command line: exit codes, the JSON, files written or not."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_export_sms_import_report_and_calls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    out = tmp_path / "sms.csv"
    code, _, err = cli(capsys, db, "export-sms", "1", "--out", str(out))
    assert code == 2 and "not approved" in err and not out.exists()
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    code, pack, _ = cli(capsys, db, "sms-pack", "1", "--provider", "tencent")
    notices = json.loads(pack)["notices"]
    assert code == 0 and all(n["problems"] == [] and "{1}" in n["provider_template"] for n in notices)
    code, _, err = cli(capsys, db, "export-sms", "1", "--out", str(out), "--signature", "我")
    assert code == 2 and "signature" in err and not out.exists()
    code, printed, err = cli(capsys, db, "export-sms", "1", "--out", str(out))
    result = json.loads(printed)
    assert code == 0 and result["rows"] > 0 and "import-sms-report 1" in err
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    rows = read(out)[1:]
    report = tmp_path / "report.csv"
    report.write_text("out_id,status\n" + "".join(f"{r[7]},delivered\n" for r in rows) + "nope,delivered\n",
                      encoding="utf-8")
    code, _, err = cli(capsys, db, "import-sms-report", "1", str(report))
    assert code == 2 and f"row {len(rows) + 2}" in err and "'nope'" in err
    report.write_text("out_id,status\n" + "".join(f"{r[7]},delivered\n" for r in rows), encoding="utf-8")
    code, printed, _ = cli(capsys, db, "import-sms-report", "1", str(report))
    assert code == 0 and json.loads(printed)["changed"] == len(rows)
    code, printed, _ = cli(capsys, db, "import-sms-report", "1", str(report))
    assert code == 0 and json.loads(printed)["changed"] == 0
    code, shown, _ = cli(capsys, db, "show", "1")
    assert json.loads(shown)["email_delivery"]["by_state"]["sent"] == len(rows)
    pack = tmp_path / "evidence.zip"
    assert cli(capsys, db, "evidence", "1", "--out", str(pack))[0] == 0
    with zipfile.ZipFile(pack) as archive:
        inputs = json.loads(archive.read("assessment/inputs.json"))
        ledger_csv = archive.read("send-ledger/ledger.csv").decode("utf-8-sig")
    assert [(b["channel"], b["rows"], b["sent"]) for b in inputs["send_ledger_batches"] if b["channel"] == "sms"
            and b["kind"] == "individual"] and ledger_csv.count("\n") > len(rows)
    assert rows[0][0] not in ledger_csv, "the masked pack shows no phone number"
    calls = tmp_path / "calls.csv"
    code, printed, _ = cli(capsys, db, "export-calls", "1", "--out", str(calls))
    assert code == 0 and json.loads(printed)["rows"] == len(read(calls)) - 1
