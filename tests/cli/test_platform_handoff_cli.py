"""The mass-messaging platform hand-off end to end on the command line: export-recipients, a
report built from the JSONL as a platform would, import-delivery, then the obligations, the
register and the evidence pack — in subprocesses, like an officer's shell — and every bad report
refused with its row and field and nothing written."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from platform_helpers import call

ROOT = Path(__file__).resolve().parents[2]
CANARY_EMAIL, CANARY_PHONE, CANARY_ADDRESS = "canary.platform@example.org", "13912345670", "金丝雀路77号"


def people_file(path: Path, count: int) -> None:
    """``count`` people: e-mail, SMS-only, letter-only, children with a guardian, teenagers, one
    without any contact, and the canaries."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["用户ID", "姓名", "邮箱", "手机号", "地址", "出生日期", "监护人", "监护人邮箱", "监护人手机号",
                      "语言"])
        out.writerow(["C0", "金丝雀", CANARY_EMAIL, "", "", "1990-01-01", "", "", "", "zh-CN"])
        out.writerow(["C1", "金丝雀乙", "", CANARY_PHONE, "", "1990-01-01", "", "", "", "zh-CN"])
        out.writerow(["C2", "金丝雀丙", "", "", f"上海市{CANARY_ADDRESS}", "1990-01-01", "", "", "", "zh-CN"])
        out.writerow(["C3", "无联系", "", "", "", "1990-01-01", "", "", "", "zh-CN"])
        for street in ("甲", "乙"):  # no user id, e-mail or phone: a letter by address alone, each its own reference
            out.writerow(["", f"无编号{street}", "", "", f"广州市{street}街1号", "1990-01-01", "", "", "", "zh-CN"])
        for i in range(4, count):
            kind = i % 10
            row = [f"U{i:06d}", f"用户{i}", "", "", "", "1985-05-05", "", "", "", "en" if i % 17 == 0 else "zh-CN"]
            if kind < 6:
                row[2] = f"user{i}@example.com"
            elif kind < 8:
                row[3] = f"13{i % 10}{i:08d}"
            elif kind == 8:
                row[4] = f"北京市海淀区中关村大街{i}号"
            else:  # a child under 14 told through the guardian, or a teenager with their own e-mail
                row[5] = "2016-03-03" if i % 20 == 9 else "2010-03-03"
                row[2] = f"teen{i}@example.com" if i % 20 != 9 else ""
                row[6], row[7] = f"家长{i}", f"parent{i}@example.cn"
            out.writerow(row)


def cli(env: dict[str, str], db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--db", str(db)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_round_trip_in_subprocesses(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    env = {**os.environ, "INCIDENT_APP_LOG_DIR": str(logs)}
    db, people, out = tmp_path / "p.sqlite3", tmp_path / "people.csv", tmp_path / "recipients.jsonl"
    people_file(people, 2000)
    assert cli(env, db, "demo").returncode == 0
    assert cli(env, db, "import-people", "1", str(people), "--replace").returncode == 0
    refused = cli(env, db, "export-recipients", "1", "--out", str(out))
    assert refused.returncode == 2 and "individual/email_html/zh-CN" in refused.stderr
    assert "approve 1 --notice individual" in refused.stderr and not out.exists()
    assert cli(env, db, "approve", "1", "--by", "王安全").returncode == 0

    done = cli(env, db, "export-recipients", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    lines = lines_of(out)
    assert result["rows"] == len(lines) == result["new_ledger_rows"] and oct(out.stat().st_mode & 0o777) == "0o600"
    manifest = json.loads(Path(result["manifest"]).read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() and manifest["rows"] == len(lines)
    by_channel = {c: sum(1 for line in lines if line["channel"] == c) for c in ("email", "sms", "letter")}
    assert all(by_channel.values()) and result["skipped_unreachable"] == 1
    assert len({line["reference"] for line in lines}) == len(lines)
    assert {line["kind"] for line in lines} == {"individual", "guardian", "minor"}
    canary = next(line for line in lines if line["to"] == CANARY_EMAIL)
    assert canary["subject"] and "金丝雀" in str(canary["text"]) and canary["notice_version_id"]
    sms = next(line for line in lines if line["to"] == f"+86{CANARY_PHONE}")
    assert str(sms["text"]).startswith("【") and str(sms["recipient_reference"]) in str(sms["text"])
    letter = next(line for line in lines if CANARY_ADDRESS in str(line["to"]))
    assert letter["channel"] == "letter" and "<" in str(letter["html"])

    again = cli(env, db, "export-recipients", "1", "--out", str(out))
    assert again.returncode == 0 and json.loads(again.stdout)["new_ledger_rows"] == 0
    assert "Same approved notices" in again.stderr
    assert [line["reference"] for line in lines_of(out)] == [line["reference"] for line in lines]

    # The platform's report: Chinese header and words, saved as GB18030 by a Chinese Excel.
    when = datetime.now(UTC).astimezone().replace(microsecond=0)
    report = tmp_path / "report.csv"
    words = ["已送达", "delivered", "Sent", "发送成功"]
    body = "参考号,状态,时间,原因\r\n" + "".join(f"{line['reference']},{words[i % 4]},{when.isoformat()},\r\n"
                                          for i, line in enumerate(lines))
    report.write_bytes(body.encode("gb18030"))
    imported = cli(env, db, "import-delivery", "1", str(report))
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["changed"] == len(lines) == json.loads(imported.stdout)["delivered"]
    assert json.loads(cli(env, db, "import-delivery", "1", str(report)).stdout)["changed"] == 0

    assessed = {o["id"]: o for o in json.loads(cli(env, db, "assess", "1", "--lang", "en").stdout)["obligations"]}
    for rule in ("pipl57-individuals", "minors-guardians"):
        assert assessed[rule]["status"] == "met" and "mass-platform" in assessed[rule]["why"]
    row = json.loads(cli(env, db, "register").stdout)["incidents"][0]
    assert row["individuals_notified_at"] and row["pending_email"] == row["pending_sms"] == row["pending_letter"] == 0

    pack = tmp_path / "evidence.zip"
    assert cli(env, db, "evidence", "1", "--out", str(pack)).returncode == 0
    assert cli(env, db, "evidence", "verify", str(pack)).returncode == 0
    with zipfile.ZipFile(pack) as archive:
        ledger = list(csv.DictReader(archive.read("send-ledger/ledger.csv").decode("utf-8-sig").splitlines()))
    platform_rows = {r["message_id"]: r["state"] for r in ledger if r["notice_version"].startswith("platform:")}
    assert platform_rows == {str(line["reference"]): "sent" for line in lines}

    # The contacts left only in the file: never in the events, the log or the masked pack.
    with sqlite3.connect(db) as conn:
        events = "".join(str(r) for r in conn.execute("SELECT type, payload FROM events"))
    log = "".join(p.read_text(encoding="utf-8") for p in logs.glob("breach-desk.log*"))
    assert "platform.handed_off" in events and "platform.delivery_imported" in events and "export-recipients" in log
    for secret in (CANARY_EMAIL, CANARY_PHONE, CANARY_ADDRESS):
        assert secret not in events and secret not in log


@pytest.fixture
def exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[dict[str, object]]]:
    db, out = tmp_path / "d.sqlite3", tmp_path / "r.jsonl"
    call(capsys, db, "demo")
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    assert call(capsys, db, "export-recipients", "1", "--out", str(out), "--merge-fields")[0] == 0
    return db, lines_of(out)


def sent_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM send_ledger WHERE channel = 'platform' AND state != 'queued'"
                                ).fetchone()[0])


def test_every_bad_report_is_refused_with_its_row_and_nothing_written(
        exported: tuple[Path, list[dict[str, object]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    assert "merge_fields" in lines[0] and "template_id" in lines[0] and "text" not in lines[0]
    refs = [str(line["reference"]) for line in lines]
    now = datetime.now(UTC).replace(microsecond=0)
    good = [f"{r},delivered,{now.isoformat()}," for r in refs[:3]]
    cases = {
        "unknown reference": ([*good, f"bdnope,delivered,{now.isoformat()},"], "row 5, reference", "'bdnope'"),
        "bad status": ([*good, f"{refs[3]},maybe,{now.isoformat()},"], "row 5, status", "'maybe' not understood"),
        "bad time": ([*good, f"{refs[3]},failed,yesterday,"], "row 5, time", "'yesterday' is not an ISO 8601"),
        "future time": ([*good, f"{refs[3]},failed,{(now + timedelta(hours=2)).isoformat()},"], "row 5, time",
                        "in the future"),
        "before the export": ([*good, f"{refs[3]},sent,2020-01-01T00:00:00+08:00,"], "row 5, time",
                              "before the export"),
        "duplicate rows": ([*good, good[1]], "row 5, reference", "the same reference as row 3"),
        "truncated file": ([*good, f"{refs[3]},deliv"], "row 5", "only 2 of 4 columns"),
        "open quote": ([*good, f'{refs[3]},"delivered'], "row 5", "cut off inside a quoted cell"),
        # A reason with an unquoted comma: its second half would have been dropped unseen.
        "extra cell": ([*good, f"{refs[3]},failed,{now.isoformat()},mailbox full, try later"], "row 5",
                       "5 cells but the header has 4 columns"),
        "extra separator": ([*good, f"{refs[3]},delivered,{now.isoformat()},,"], "row 5",
                            "put that cell in double quotes"),
    }
    for name, (rows, where, what) in cases.items():
        report = tmp_path / "report.csv"
        report.write_text("reference,status,time,reason\n" + "\n".join(rows) + "\n", encoding="utf-8")
        code, _, err = call(capsys, db, "import-delivery", "1", str(report))
        assert code == 2 and where in err and what in err, (name, err)
        assert sent_rows(db) == 0, name
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("reference,status,time\n" + "\n".join(good), encoding="utf-16")
    code, _, err = call(capsys, db, "import-delivery", "1", str(utf16))
    assert code == 2 and "UTF-16" in err and sent_rows(db) == 0
    headless = tmp_path / "headless.csv"
    headless.write_text("ref,outcome\n" + refs[0] + ",delivered\n", encoding="utf-8")
    code, _, err = call(capsys, db, "import-delivery", "1", str(headless))
    assert code == 2 and "no column for status, time" in err

    unapproved = tmp_path / "u.jsonl"
    assert call(capsys, db, "edit", "1", "--element", "situation", "--audience", "individual", "--lang",
                "zh-CN", "--value", "我们发现一个接口泄露了部分用户的手机号。")[0] == 0
    code, _, err = call(capsys, db, "export-recipients", "1", "--out", str(unapproved))
    assert code == 2 and "not approved" in err and "approve 1 --notice" in err and not unapproved.exists()


def test_later_reports_update_in_order_and_a_new_version_says_what_changed(
        exported: tuple[Path, list[dict[str, object]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lines = exported
    refs = [str(line["reference"]) for line in lines]
    first = datetime.now(UTC).replace(microsecond=0)
    later = first + timedelta(minutes=1)  # within the platform clock's allowance
    report = tmp_path / "r1.csv"
    report.write_text("reference,status,time\n" + "".join(f"{r},sent,{first.isoformat()}\n" for r in refs),
                      encoding="utf-8-sig")
    assert json.loads(call(capsys, db, "import-delivery", "1", str(report))[1])["changed"] == len(refs)
    met = {o["id"]: o["status"] for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]}
    assert met["pipl57-individuals"] == "met"
    bounce = tmp_path / "r2.csv"
    bounce.write_text(f"reference,status,time,reason\n{refs[0]},hard bounce,{later.isoformat()},mailbox full\n",
                      encoding="utf-8")
    assert json.loads(call(capsys, db, "import-delivery", "1", str(bounce))[1])["changed"] == 1
    with sqlite3.connect(db) as conn:
        state, reason = conn.execute("SELECT state, reason FROM send_ledger WHERE message_id = ?", [refs[0]]).fetchone()
    assert (state, reason) == ("failed", "mailbox full")
    met = {o["id"]: o["status"] for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]}
    assert met["pipl57-individuals"] != "met"
    # The first report imported again is older than the bounce: it changes nothing.
    assert json.loads(call(capsys, db, "import-delivery", "1", str(report))[1])["changed"] == 0

    for lang, text in (("zh-CN", "我们发现一个接口泄露了部分用户的手机号。"),
                       ("en", "An endpoint leaked some phone numbers.")):
        assert call(capsys, db, "edit", "1", "--element", "situation", "--audience", "individual", "--lang",
                    lang, "--value", text)[0] == 0
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    code, out, err = call(capsys, db, "export-recipients", "1", "--out", str(tmp_path / "v2.jsonl"))
    changes = json.loads(out)["changes"]
    assert code == 0 and not changes["same_version"] and "new approved version" in err
    assert any(c["notice"].startswith("individual/") for c in changes["notices_changed"])
    assert changes["previous_rows_by_state"] == {"sent": len(refs) - 1, "failed": 1}
    assert json.loads(out)["new_ledger_rows"] == len(refs)
