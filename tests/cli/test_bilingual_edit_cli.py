"""``edit --field/--lang/--value``, ``--from-other-language`` and ``--element --audience``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def test_edit_one_language_of_a_fact(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "edit", "1", "--field", "location", "--lang", "zh-CN", "--value", "上海机房")
    assert code == 0 and json.loads(out)["changed"]["location"]["to"] == "上海机房"
    code, out, _ = cli(capsys, db, "edit", "1", "--field", "location", "--lang", "en", "--from-other-language")
    assert code == 0
    copied = json.loads(out)["changed"]["location"]["to"]
    assert copied == {"zh-CN": "上海机房", "en": "上海机房", "untranslated": ["en"]}
    code, out, _ = cli(capsys, db, "edit", "1", "--field", "location", "--lang", "en", "--value", "Shanghai DC")
    assert json.loads(out)["changed"]["location"]["to"] == {"zh-CN": "上海机房", "en": "Shanghai DC"}
    code, out, _ = cli(capsys, db, "edit", "1", "--field", "systems", "--lang", "en", "--value", "CRM, Billing")
    assert json.loads(out)["changed"]["systems"]["to"]["en"] == ["CRM", "Billing"]


def test_edit_refuses_unclear_requests(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = cli(capsys, db, "edit", "1", "--field", "cause", "--lang", "en", "--value", "x")
    assert code == 2 and "fields with two languages" in err
    code, _, err = cli(capsys, db, "edit", "1", "--field", "summary", "--value", "x")
    assert code == 2 and "--lang" in err
    code, _, err = cli(capsys, db, "edit", "1", "--field", "summary", "--lang", "en")
    assert code == 2 and "--from-other-language" in err


def test_edit_an_audience_text(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "edit", "1", "--element", "situation", "--lang", "en", "--audience", "individual",
                       "--value", "Some of your details were visible to others.")
    assert code == 0 and json.loads(out)["audience"] == "individual"
    code, _, err = cli(capsys, db, "edit", "1", "--element", "situation", "--lang", "en", "--audience", "police",
                       "--value", "x")
    assert code == 2 and "not an audience" in err
