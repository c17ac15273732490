"""The diagnostic log: written, rotated, scrubbed, and free of the people's data after a whole
workflow run with canary names, phones and e-mails."""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_app import diagnostics
from incident_app.diagnostics import scrub

ROOT = Path(__file__).resolve().parents[2]
CANARY_NAMES = ["金丝雀甲", "Canaryname Zed"]
CANARY_EMAILS = ["canary.one@example.com", "CANARY.TWO@EXAMPLE.ORG"]
CANARY_PHONES = ["13912345678", "+86 139 8765 4321"]


def test_scrub_replaces_contacts_and_keeps_counts_and_times() -> None:
    text = ("send to zhang.san@example.com, ZHANG@EXAMPLE.COM and 用户@例子.中国 failed; phone +86 138-0013 8000, "
            "13800138000, id 11010519491231002X; at 2026-11-20T12:00:00+08:00 incident 12 imported 25000 people")
    out = scrub(text)
    for secret in ("zhang.san", "ZHANG@", "用户@", "0013", "13800138000", "11010519491231002X"):
        assert secret not in out
    assert "2026-11-20T12:00:00+08:00" in out and "incident 12 imported 25000 people" in out


def test_scrub_catches_the_forms_the_other_masks_catch() -> None:
    """The log's scrub uses the app's one set of contact patterns: a number straight after Chinese
    text, a full-width ＠, %40, digits split by tabs and an ID number's closing X are caught too."""
    cases = {"电话13800138000": "13800138000", "邮箱li.wei＠example.com": "li.wei",
             "see li%40example.com": "li%40", "tab 138\t0013\t8000": "0013", "证件11010519491231002X": "002X"}
    for text, secret in cases.items():
        assert secret not in scrub(text), text
    line = "2026-12-02 16:26:11,123 INFO incident_app.cli: import of 2026-11-20 done"
    assert scrub(line) == line


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env, capture_output=True, text=True,
                          check=False, cwd=ROOT)


def test_a_whole_workflow_leaves_no_personal_data_in_the_log(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    env = {**os.environ, "INCIDENT_APP_LOG_DIR": str(logs)}
    db = str(tmp_path / "w.sqlite3")
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["用户ID", "姓名", "邮箱", "手机号", "出生日期"])
        for i, (name, email, phone) in enumerate(zip(CANARY_NAMES, CANARY_EMAILS, CANARY_PHONES, strict=True)):
            out.writerow([f"C{i}", name, email, phone, "1990-01-01"])
        out.writerow(["C9", "坏邮箱", "not-an-address@", "", ""])  # a rejected field on the way
    steps = [("demo",), ("import-people", "1", str(people), "--replace"), ("people", "1", "--unmask", "--reason", "t"),
             ("notices", "1", "--out", str(tmp_path / "out"), "--format", "html,txt"), ("approve", "1"),
             ("send", "1", "--dry-run", str(tmp_path / "eml")), ("evidence", "1", "--out", str(tmp_path / "p.zip")),
             ("show", "1"), ("people", "1", "--edit", "999999", "--set", f"email={CANARY_EMAILS[0]}", "--reason", "x")]
    codes = [_cli(env, "--db", db, *step).returncode for step in steps]
    assert codes[:3] == [0, 0, 0]
    text = "".join(p.read_text(encoding="utf-8") for p in logs.glob("breach-desk.log*"))
    assert "command import-people exit 0" in text and "command show exit 0" in text  # the log is written
    for canary in [*CANARY_NAMES, *CANARY_EMAILS, *CANARY_PHONES, CANARY_EMAILS[1].lower(), "13987654321"]:
        assert canary not in text, canary


def test_an_unexpected_error_is_a_calm_message_and_a_scrubbed_traceback(tmp_path: Path, monkeypatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from incident_app.cli import main as cli_main
    from incident_app.cli.commands import show

    diagnostics.stop_logging()
    monkeypatch.setenv("INCIDENT_APP_LOG_DIR", str(tmp_path / "logs"))
    assert diagnostics.setup_logging() == tmp_path / "logs" / "breach-desk.log"
    db = tmp_path / "e.sqlite3"
    assert cli_main.run(["--db", str(db), "demo"]) == 0

    def broken(args, services):
        raise RuntimeError(f"boom for {CANARY_EMAILS[0]} at {CANARY_PHONES[0]}")

    monkeypatch.setattr(show, "handle", broken)
    try:
        code = cli_main.run(["--db", str(db), "show", "1"])
    finally:
        logging.getLogger("incident_app").handlers[-1].flush()
        diagnostics.stop_logging()
    err = capsys.readouterr().err
    assert code == 1 and "unexpected error; the details are in" in err and "Traceback" not in err
    log = (tmp_path / "logs" / "breach-desk.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: boom for <email> at <number>" in log
    assert CANARY_EMAILS[0] not in log and CANARY_PHONES[0] not in log


def test_logging_survives_an_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    diagnostics.stop_logging()
    assert diagnostics.setup_logging(blocker / "logs") is None  # the app runs on without a log
    json.dumps({})  # nothing else to clean up
