"""A value-added telecom licence holder: the MIIT plan's grade in ``assess``, the obligation to
report to the communications administration, and the report document in both languages, with
the unconfirmed 较大 sensitive band shown as unconfirmed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import open_services


@pytest.fixture
def db(tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    # 150,000 people with sensitive information (children's data): 较大 on the unconfirmed band.
    services.incidents.create({**intake, "affected_people": 150_000})
    services.close()
    return path


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def assess(capsys: pytest.CaptureFixture[str], db: Path, lang: str = "zh-CN") -> dict[str, object]:
    code, out, _ = cli(capsys, db, "assess", "1", "--lang", lang)
    assert code == 0
    return dict(json.loads(out))


def test_without_a_licence_there_is_no_miit_grade_and_no_sector_report(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    result = assess(capsys, db)
    assert result["miit_grade"] is None
    report = next(o for o in result["obligations"] if o["id"] == "miit-sector-report")  # type: ignore[union-attr]
    assert report["status"] == "not_applicable"


def test_licence_holder_gets_the_miit_grade_obligation_and_report(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, db, "profile", "set", "telecom_licence", "true")
    assert code == 2 and "telecom_authority" in err  # a licence names its administration
    assert cli(capsys, db, "profile", "set", "telecom_authority", "上海市通信管理局")[0] == 0
    # the English report is addressed by the English name (without it the English report is held)
    assert cli(capsys, db, "profile", "set", "telecom_authority_en", "Shanghai Communications Administration")[0] == 0
    assert cli(capsys, db, "profile", "set", "telecom_licence", "true")[0] == 0
    result = assess(capsys, db, "en")
    miit = result["miit_grade"]
    assert isinstance(miit, dict)
    assert miit["level"] == "较大" and miit["unconfirmed"] is True and "unconfirmed" in miit["why"]
    assert "150,000 ≥ 100,000" in miit["why"] and "❓" in miit["why"]
    report = next(o for o in result["obligations"] if o["id"] == "miit-sector-report")  # type: ignore[union-attr]
    assert report["regime"] == "MIIT-2024" and report["recipient"] == "sector_regulator"
    assert report["status"] in ("pending", "overdue") and report["confidence"] == "unconfirmed"

    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "html")
    assert code == 0, err
    states = [n for n in json.loads(out)["notices"] if n["kind"] == "sector_regulator"]
    assert {n["lang"] for n in states} == {"zh-CN", "en"} and all(n["status"] == "complete" for n in states)
    zh = "".join(p.read_text(encoding="utf-8") for p in (out_dir / "sector_regulator").rglob("*.zh-CN.html"))
    en = "".join(p.read_text(encoding="utf-8") for p in (out_dir / "sector_regulator").rglob("*.en.html"))
    assert "上海市通信管理局" in zh and "较大" in zh and "未经证实" in zh and "❓" in zh
    assert "Shanghai Communications Administration" in en and "上海市通信管理局" not in en
    assert "unconfirmed" in en and "Grade under the MIIT" in en
    # The English report names the grade in English (no Chinese but the names of the company and the authority).
    assert "Grade: relatively major" in en and "较大" not in en and "(relatively major, ❓" in en
