from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from incident_app.cli.main import run
from tests.services.notices.test_notices import REMEDIATION


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], intake: dict[str, object]) -> Path:
    path = tmp_path / "db.sqlite3"
    (tmp_path / "intake.json").write_text(json.dumps(intake), encoding="utf-8")
    assert cli(capsys, path, "new", "--json", str(tmp_path / "intake.json"))[0] == 0
    return path


def test_notices_prints_the_check_per_notice_and_writes_files(capsys: pytest.CaptureFixture[str], db: Path,
                                                              tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, db, "notices", "1", "--out", str(out_dir), "--lang", "zh-CN",
                         "--format", "html,txt,docx,eml")
    assert code == 0
    result = json.loads(out)
    individual = next(n for n in result["notices"] if (n["kind"], n["channel"]) == ("individual", "email_html"))
    assert individual["complete"] is False and individual["status"] == "incomplete"
    assert {"element": "remedies", "status": "empty", "detail": "the section has a heading but no content"} in \
        individual["elements"]
    assert {n["lang"] for n in result["notices"]} == {"zh-CN"}
    assert "regulator_initial/document.zh-CN.docx" in result["files"]
    assert (out_dir / "individual" / "letter.zh-CN.html").exists() and "incomplete" in err


def test_approve_refuses_listing_what_is_missing(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = cli(capsys, db, "approve", "1", "--notice", "individual", "--by", "王安全")
    assert code == 2 and out == ""
    assert "individual/email_html/zh-CN" in err and "remedies: empty" in err


def _table_counts(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(db)
    try:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("notice_versions", "notice_approvals", "events")}
    finally:
        connection.close()


def test_a_refused_approve_writes_nothing(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """Before: a refused approve stored every rendered version and an event while saying "nothing
    was saved". Now the rendering and the refusal share one transaction that rolls back."""
    before = _table_counts(db)
    code, _, err = cli(capsys, db, "approve", "1", "--by", "王安全")
    assert code == 2 and "nothing was saved" in err
    assert _table_counts(db) == before


def test_approve_binds_sha256(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    (tmp_path / "rem.json").write_text(json.dumps(REMEDIATION), encoding="utf-8")
    assert cli(capsys, db, "remediation", "1", "--json", str(tmp_path / "rem.json"))[0] == 0
    code, out, _ = cli(capsys, db, "approve", "1", "--notice", "regulator_initial", "--by", "王安全")
    assert code == 0
    result = json.loads(out)
    assert [a["approver"] for a in result["approved"]] == ["王安全", "王安全"]
    shas = {n["sha256"] for n in result["notices"]}
    assert {a["sha256"] for a in result["approved"]} == shas
    assert all(n["status"] == "approved" for n in result["notices"])


def test_bad_kind_and_format(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, err = cli(capsys, db, "approve", "1", "--notice", "pigeon")
    assert code == 2 and "individual" in err
    code, _, err = cli(capsys, db, "notices", "1", "--out", str(tmp_path), "--format", "odt")
    assert code == 2 and "odt" in err


def test_notices_reports_progress_on_stderr(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, out, err = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "n"), "--format", "html,txt")
    assert code == 0 and json.loads(out)["files"]
    # Captured stderr is not a terminal: no progress bar (tests/cli/test_progress_bar.py draws one
    # on a pseudo-terminal), and stdout stays the JSON above.
    assert "━" not in err and "ETA" not in err
