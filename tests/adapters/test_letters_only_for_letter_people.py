"""The letters PDF holds only the people whose channel is a letter — not everyone with an address —
and a guardian's letter is addressed to the guardian by name (real Qt PDF, read back with pdftotext)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PEOPLE = (
    "用户ID,姓名,邮箱,手机号,地址,出生日期,监护人姓名,监护人手机号\n"
    "U1,张一,u1@example.com,,北京市朝阳区一号,1980-01-01,,\n"       # e-mail (has an address too)
    "U2,张二,,13800138002,北京市朝阳区二号,1981-01-01,,\n"          # SMS (has an address too)
    "U3,张三,,,北京市朝阳区三号,1982-01-01,,\n"                     # letter
    "U4,李小四,,,北京市海淀区四号,2016-05-01,李大,\n"                # child: guardian letter, guardian named
    "U5,王五,,,上海市浦东新区五号,1983-01-01,,\n"                    # letter
)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_letters_pdf_holds_only_letter_recipients(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INCIDENT_APP_NO_QT"}
    env |= {"INCIDENT_APP_DB": str(tmp_path / "db.sqlite3"), "QT_QPA_PLATFORM": "offscreen"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
        return done

    intake = tmp_path / "intake.json"
    intake.write_text('{"title": "泄露", "summary": "存储桶公开", "occurred_at": "2026-11-18T08:00:00",'
                      ' "discovered_at": "2026-11-20T09:00:00+08:00", "breach_types": ["leak"],'
                      ' "likelihood": "actual", "cause": "misconfiguration", "recipients": "unknown",'
                      ' "data_types": ["phone_number"], "affected_people": 5, "affected_minors": 1}', encoding="utf-8")
    cli("new", "--json", str(intake))
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8-sig")
    cli("import-people", "1", str(people))
    out = tmp_path / "out"
    cli("notices", "1", "--out", str(out), "--format", "pdf", "--lang", "zh-CN")
    individual = subprocess.run(["pdftotext", str(out / "individual" / "letters.zh-CN.pdf"), "-"],
                                capture_output=True, text=True, check=True).stdout
    assert "尊敬的张三" in individual and "尊敬的王五" in individual
    assert "张一" not in individual and "张二" not in individual
    guardian = subprocess.run(["pdftotext", str(out / "guardian" / "letters.zh-CN.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "李大" in guardian and "尊敬的李大（监护人）" in guardian.replace("\n", "")
