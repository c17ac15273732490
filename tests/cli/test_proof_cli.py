from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.register import COLUMN_KEYS


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], intake: dict[str, object]) -> Path:
    path = tmp_path / "db.sqlite3"
    assert cli(capsys, path, "demo")[0] == 0
    drill = tmp_path / "drill.json"
    drill.write_text(json.dumps(intake | {"title": "=1+1 演练", "drill": True}), encoding="utf-8")
    assert cli(capsys, path, "new", "--json", str(drill))[0] == 0
    return path


def test_register_json_to_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, db, "register")
    data = json.loads(out)
    assert code == 0 and len(data["incidents"]) == 2
    assert data["totals"]["incidents"] == 1 and data["totals"]["drills_excluded"] == 1
    assert data["totals"]["affected_people"] == 200 and data["metrics"]["incidents"] == 1


def test_register_csv_to_stdout_is_neutralised(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, db, "register", "--format", "csv")
    lines = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    rows = [dict(zip(COLUMN_KEYS, line, strict=True)) for line in lines[1:]]
    assert code == 0 and rows[1]["title"] == "'=1+1 演练" and rows[1]["drill"] == "是 / Yes"


def test_register_xlsx_needs_a_file(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(capsys, db, "register", "--format", "xlsx")
    assert code == 2 and "--out" in err
    code, _, err = cli(capsys, db, "register", "--out", str(tmp_path / "reg.xlsx"))
    assert code == 0 and "1 drill(s) listed" in err
    assert zipfile.is_zipfile(tmp_path / "reg.xlsx")


def test_evidence_pack_then_verify_then_tamper(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack = tmp_path / "evidence.zip"
    code, out, _ = cli(capsys, db, "evidence", "1", "--out", str(pack))
    assert code == 0 and json.loads(out)["files"] >= 8
    code, out, _ = cli(capsys, db, "evidence", "verify", str(pack))
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["recorded_in_event_log_seq"]
    with zipfile.ZipFile(pack) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(pack, "w") as dst:
        for info, data in items:
            dst.writestr(info, data.replace(b"SDK", b"SDX") if info.filename == "incident.json" else data)
    code, out, err = cli(capsys, db, "evidence", "verify", str(pack))
    assert code == 1 and json.loads(out)["problems"][0]["file"] == "incident.json"
    assert "incident.json: changed" in err


def test_evidence_pack_of_approved_notices_says_when_it_has_no_pdf(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli(capsys, db, "approve", "1")[0] == 0
    pack = tmp_path / "evidence.zip"
    assert cli(capsys, db, "evidence", "1", "--out", str(pack))[0] == 0
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert "notices/approvals.json" in names and "assessment/rule-versions.json" in names
    pdfs = [n for n in names if n.endswith(".pdf")]
    if os.environ.get("INCIDENT_APP_NO_QT") == "1":  # test.sh: the CLI runs without Qt here
        assert pdfs == [] and any("PDF writer" in note for note in manifest["notes"])
    else:
        assert pdfs and manifest["notes"] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [(("evidence", "1"), "--out"), (("evidence", "verify"), "which pack"), (("evidence", "x"), "neither")],
)
def test_evidence_usage_errors(db: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str) -> None:
    code, _, err = cli(capsys, db, *args)
    assert code == 2 and words in err


def test_evidence_for_unknown_incident(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(capsys, db, "evidence", "42", "--out", str(tmp_path / "x.zip"))
    assert code == 2 and "incident 42 does not exist" in err


def test_retention_commands(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, db, "retention", "status")
    assert code == 0 and json.loads(out)["days_after_close"] == 90 and json.loads(out)["due"] == []
    code, out, _ = cli(capsys, db, "retention", "set", "--days", "30")
    assert code == 0 and json.loads(out) == {"days_after_close": 30}
    code, _, err = cli(capsys, db, "retention", "set", "--days", "-5")
    assert code == 2 and "days_after_close" in err
    code, out, _ = cli(capsys, db, "retention", "purge")
    assert code == 0 and json.loads(out) == []
