from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from incident_app.cli.main import run

REGIMES = {"PIPL-57", "CAC-2025", "MINORS-2024", "GBT-35273", "GDPR-33", "GDPR-34", "MIIT-2024", "POLICY"}
RECIPIENTS = {"regulator", "individuals", "guardians", "public", "partners", "police", "eu_authority",
              "responsible_persons", "sector_regulator"}
STATUSES = {"pending", "met", "not_applicable", "needs_judgement", "overdue"}


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def create(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "new", "--json", str(path))[0] == 0
    return db


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_assess_prints_the_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    intake: dict[str, object], lang: str) -> None:
    db = create(capsys, tmp_path, intake | {"eu_subjects": 2, "malicious": True})
    code, out, _ = cli(capsys, db, "assess", "1", "--lang", lang)
    assert code == 0
    data = json.loads(out)
    severity = data["severity"]
    assert {"method", "score", "band", "factors"} <= set(severity)
    assert severity["band"] in {"low", "medium", "high", "very_high"}
    assert all(f["rationale"] and f["source"] for f in severity["factors"])
    grade = data["cac_grade"]
    assert grade["level"] in {"一般", "较大", "重大", "特别重大"}
    assert isinstance(grade["reportable"], bool) and isinstance(grade["needs_judgement"], bool) and grade["why"]
    assert grade["needs_judgement"]  # 3 minors below 1,000,000 people
    for o in data["obligations"]:
        assert {"id", "regime", "recipient", "channels", "anchor", "due", "status", "why", "source",
                "confidence"} <= set(o)
        assert o["why"].strip() and o["source"].strip(), o["id"]
        assert o["regime"] in REGIMES and o["recipient"] in RECIPIENTS and o["status"] in STATUSES
        assert o["confidence"] in {"confirmed", "secondary", "unconfirmed"}
        if o["due"] is not None:
            assert datetime.fromisoformat(o["due"]).utcoffset() is not None
        else:
            assert o["due_kind"] in {"immediate", "prompt", "awaiting_anchor", "none"}
        if o["due_kind"] in {"immediate", "prompt"}:
            assert o["internal_target"] and o["internal_target_label"]
    assert {o["regime"] for o in data["obligations"]} == REGIMES
    assert {item["item"] for item in data["needs_judgement"]} >= {"cac_grade", "severity"}


def test_assess_unknown_incident(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(capsys, tmp_path / "db.sqlite3", "demo")[0] == 0
    code, _, err = cli(capsys, tmp_path / "db.sqlite3", "assess", "9")
    assert code == 2 and "incident 9 does not exist" in err


def test_judgement_recorded_with_decide_reaches_assess(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       intake: dict[str, object]) -> None:
    db = create(capsys, tmp_path, intake)
    path = tmp_path / "decision.json"
    path.write_text(json.dumps({"kind": "cac_grade_judgement", "rationale": "3 名儿童手机号，影响有限",
                                "decided_by": "王安全", "details": {"level": "一般"}}), encoding="utf-8")
    assert cli(capsys, db, "decide", "1", "--json", str(path))[0] == 0
    data = json.loads(cli(capsys, db, "assess", "1")[1])
    assert data["cac_grade"]["needs_judgement"] is False and data["cac_grade"]["reportable"] is False
    report = next(o for o in data["obligations"] if o["id"] == "cac-initial-report")
    assert report["status"] == "not_applicable"
    minors = next(o for o in data["obligations"] if o["id"] == "minors-report")
    assert minors["status"] in {"pending", "overdue"}


def test_the_english_assessment_marks_a_chinese_only_judgement_instead_of_printing_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> None:
    db = create(capsys, tmp_path, intake)  # 1,200 people with minors: the grade needs a judgement
    judgement = tmp_path / "judgement.json"
    judgement.write_text(json.dumps({"kind": "cac_grade_judgement", "rationale": "涉及三名儿童的手机号码，判为较大",
                                     "decided_by": "王安全", "details": {"level": "较大"}}), encoding="utf-8")
    assert cli(capsys, db, "decide", "1", "--json", str(judgement))[0] == 0
    code, out, _ = cli(capsys, db, "assess", "1", "--lang", "en")
    assert code == 0
    why = json.loads(out)["cac_grade"]["why"]
    assert "Officer's judgement (decision #1, 王安全): relatively major (较大); " \
           "rationale: [English text missing: rationale]." in why
    assert "涉及三名儿童" not in out
    code, out, _ = cli(capsys, db, "assess", "1", "--lang", "zh-CN")
    zh = json.loads(out)["cac_grade"]["why"]
    assert "负责人判断（决定 #1，王安全）：较大；理由：涉及三名儿童的手机号码，判为较大。" in zh
    # The English brief cites it with the marker, so approval is refused, saying how to close the gap.
    assert cli(capsys, db, "notices", "1", "--out", str(tmp_path / "n"), "--lang", "en", "--format", "txt")[0] == 0
    code, _, err = cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "王安全")
    assert code == 2 and "English text missing: rationale" in err
    assert "record that decision again with its rationale in both languages" in err

    # The same judgement given in both languages by a name in Latin letters reads in English.
    judgement.write_text(json.dumps({"kind": "cac_grade_judgement", "decided_by": "Wang Anquan",
                                     "rationale": {"zh-CN": "涉及三名儿童的手机号码，判为较大",
                                                   "en": "three children's phone numbers: relatively major"},
                                     "details": {"level": "较大"}}), encoding="utf-8")
    assert cli(capsys, db, "decide", "1", "--json", str(judgement))[0] == 0
    code, out, _ = cli(capsys, db, "assess", "1", "--lang", "en")
    why = json.loads(out)["cac_grade"]["why"]
    assert "(decision #2, Wang Anquan): relatively major (较大); rationale: three children's phone numbers" in why
    assert "English text missing" not in why
