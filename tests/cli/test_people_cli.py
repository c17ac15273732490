from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import open_services

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def people_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("用户ID,姓名,邮箱,手机号,出生日期,监护人手机号\n"
                    "U1,张三,zhang@example.com,13800138000,1990-01-01,\n"
                    "U2,李小四,bad@,13900139000,2015-06-01,13700137000\n"
                    "U1,张三,,,,\n", encoding="utf-8-sig")
    return path


def test_import_people_prints_counts_and_the_report_path(capsys: pytest.CaptureFixture[str], db: Path,
                                                         tmp_path: Path) -> None:
    code, out, err = cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    result = json.loads(out)
    assert code == 0
    assert {k: result[k] for k in ("rows_read", "imported", "duplicates_merged", "rejected_rows", "fields_dropped",
                                   "minors", "unreachable")} == {
        "rows_read": 3, "imported": 2, "duplicates_merged": 1, "rejected_rows": 0, "fields_dropped": 1,
        "minors": 1, "unreachable": 0}
    assert result["by_channel"] == {"email": 1, "guardian_sms": 1}
    report = Path(result["report"])
    assert report.parent == db.parent and f"report (row, field, masked value, reason): {report}" in err
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_people_is_masked_unless_unmask_which_is_logged(capsys: pytest.CaptureFixture[str], db: Path,
                                                        tmp_path: Path) -> None:
    cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    code, out, _ = cli(capsys, db, "people", "1")
    shown = json.loads(out)
    assert code == 0 and shown["masked"] is True and shown["summary"]["total"] == 2
    assert [(p["name"], p["phone"], p["email"], p["birth_date"]) for p in shown["people"]] == [
        ("张*", "138****8000", "z***@example.com", "1990-**-**"), ("李**", "139****9000", None, "2015-**-**")]
    code, out, _ = cli(capsys, db, "people", "1", "--unmask", "--reason", "regulator asked for the list")
    assert [p["name"] for p in json.loads(out)["people"]] == ["张三", "李小四"]
    services = open_services(db)
    unmasked, exported, masked_export = services.audit.timeline(1)[:3]
    services.close()
    # One export and one unmasking per listing, never a second record of the same thing.
    assert (unmasked.type, exported.type, masked_export.type) == (
        "personal_data.unmasked", "export.written", "export.written")
    assert unmasked.payload == {"what": "people_list", "where": "stdout", "count": 2,
                                "reason": "regulator asked for the list"}
    assert exported.payload["unmasked"] is True and masked_export.payload["unmasked"] is False


def test_people_search_and_limit(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    _, out, _ = cli(capsys, db, "people", "1", "--search", "13900139000")
    assert [p["user_id"] for p in json.loads(out)["people"]] == ["U2"]
    _, out, _ = cli(capsys, db, "people", "1", "--limit", "1", "--offset", "1")
    assert [p["user_id"] for p in json.loads(out)["people"]] == ["U2"]


def test_map_corrects_the_header_mapping(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("编号,联系方式\nX1,13800138000\n", encoding="utf-8")
    code, _, err = cli(capsys, db, "import-people", "1", str(path))
    assert code == 2 and "no column recognised as user_id" in err and "nothing was saved" in err
    code, out, _ = cli(capsys, db, "import-people", "1", str(path),
                       "--map", "编号=user_id", "--map", "联系方式=phone")
    assert code == 0 and json.loads(out)["imported"] == 1
    code, _, err = cli(capsys, db, "import-people", "1", str(path), "--map", "编号")
    assert code == 2 and "write HEADER=FIELD" in err


@pytest.mark.parametrize(("content", "words"), [
    (b"", "the file is empty"),
    (b"user_id,name\r\n", "header row but no rows of people"),
    (b"\x00\x01\x02binary\xff\xfe\x00" * 50, "not a CSV or XLSX file"),
])
def test_unusable_files_exit_2(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                               content: bytes, words: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    code, out, err = cli(capsys, db, "import-people", "1", str(path))
    assert code == 2 and out == "" and words in err


def test_unknown_incident(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, err = cli(capsys, db, "import-people", "9", str(people_file(tmp_path)))
    assert code == 2 and "incident 9 does not exist" in err
    code, _, err = cli(capsys, db, "people", "9")
    assert code == 2 and "incident 9 does not exist" in err


def test_show_has_a_people_section(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    _, out, _ = cli(capsys, db, "show", "1")
    people = json.loads(out)["people"]
    assert (people["total"], people["minors"], people["last_import"]["status"]) == (2, 1, "done")


def test_demo_loads_people_in_a_real_process(tmp_path: Path) -> None:
    env = os.environ | {"INCIDENT_APP_DB": str(tmp_path / "p.sqlite3")}
    for args in (["demo"], ["people", "1", "--limit", "2"]):
        done = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    counts = (summary["total"], summary["minors"], summary["unreachable"], summary["duplicates_merged"])
    assert counts == (200, 16, 4, 1)
    # The demo has children under 14 (some with their own e-mail) and teenagers aged 14-17.
    assert (summary["children"], summary["teens"]) == (8, 8)


def test_people_strings_exist_in_both_languages() -> None:
    import re

    from incident_app.domain.i18n import Translator
    from incident_app.services.resources import load_messages

    catalogs = load_messages()
    assert Translator(catalogs).missing_keys() == {}
    used: set[str] = set()
    for module in ("people/tab.py", "people/model.py", "people/import_dialog.py"):
        used |= set(re.findall(r'"(people\.[a-z_.]+)"', (ROOT / "incident_app" / "ui" / module).read_text("utf-8")))
    channels = {f"people.channel.{c}" for c in ("email", "sms", "letter", "guardian_email", "guardian_sms",
                                                 "guardian_letter", "none")}
    fields = {f"people.field.{f}" for f in ("user_id", "name", "email", "phone", "address", "birth_date", "age",
                                             "guardian_name", "guardian_email", "guardian_phone", "data_types",
                                             "language")}
    for lang in ("zh-CN", "en"):
        assert not (used | channels | fields) - set(catalogs[lang]), lang


def test_replace_flag(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    other = tmp_path / "other.csv"
    other.write_text("user_id\nZ9\n", encoding="utf-8")
    code, out, _ = cli(capsys, db, "import-people", "1", str(other), "--replace")
    assert code == 0 and json.loads(out)["people_total"] == 1


def test_retention_purge_then_people_shows_the_purged_state(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    services = open_services(db)
    services.incidents.change_status(1, IncidentStatus.CLOSED, "summary report filed", force=True)
    services.close()
    assert cli(capsys, db, "retention", "set", "--days", "0")[0] == 0
    code, out, _ = cli(capsys, db, "retention", "purge")
    assert code == 0 and json.loads(out) == [
        {"incident_id": 1, "records_by_target": {"people.contacts": 2, "send_ledger.addresses": 0}}]
    code, out, err = cli(capsys, db, "people", "1", "--unmask", "--reason", "check the purge")
    data = json.loads(out)
    assert code == 0 and data["contacts_purged_at"] and "purged on" in err
    assert data["summary"]["total"] == 2
    assert all(p["name"] is None and p["email"] is None and p["user_id"] is None for p in data["people"])
    code, _, err = cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    assert code == 2 and "purged" in err
    code, out, _ = cli(capsys, db, "show", "1")
    assert json.loads(out)["people"]["contacts_purged_at"] == data["contacts_purged_at"]


def test_people_shows_an_unfinished_purge(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a purge killed half-way (the marker of its committed chunks): `people` and `show` say
    it did not finish, nothing says purged, and a new list is refused (exit 2)."""
    from incident_app.storage.retention import PurgeProgress

    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    services = open_services(db)
    store = services.ctx.store
    first = store.people.ranges(1)[0][0]
    with store.transaction():
        store.people.anonymise_chunk(1, first - 1, 1)
        store.retention.save_progress(1, "people.contacts", PurgeProgress(services.ctx.now(), first, 1))
    services.close()
    code, out, err = cli(capsys, db, "people", "1")
    data = json.loads(out)
    assert code == 0 and data["contacts_purged_at"] is None and data["contacts_purge_started_at"]
    assert "did not finish" in err and "retention purge" in err
    code, _, err = cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))
    assert code == 2 and "did not finish" in err
    code, out, _ = cli(capsys, db, "show", "1")
    assert json.loads(out)["people"]["contacts_purge_started_at"] == data["contacts_purge_started_at"]

# -- bad people files (issue 13 points 7, 9, 10): exit 2 naming the row or column, never a hang --
def test_a_file_mixing_encodings_exits_2_naming_the_row(capsys: pytest.CaptureFixture[str], db: Path,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("用户ID,姓名\nU1,王小明\nU2,李四\n".encode("gbk") + "U3,欧阳修\n".encode())
    code, out, err = cli(capsys, db, "import-people", "1", str(path))
    assert (code, out) == (2, "")
    assert "row 4, (file): this row is not gb18030 text like the rows before it (it reads as utf-8)" in err
    assert "tried gb18030, utf-8, big5, shift_jis" in err and "Traceback" not in err


def test_big5_imports_decoded_right_on_the_command_line(capsys: pytest.CaptureFixture[str], db: Path,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes("user_id,name\nU1,張三豐\nU2,歐陽修\nU3,陳美玲\n".encode("big5"))
    code, out, _ = cli(capsys, db, "import-people", "1", str(path))
    assert code == 0 and json.loads(out)["encoding"] == "big5", out
    code, out, _ = cli(capsys, db, "people", "1", "--unmask", "--reason", "check the import")
    assert code == 0 and "歐陽修" in out and "張三豐" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_exits_2_promptly(tmp_path: Path, db: Path) -> None:
    fifo = tmp_path / "people.csv"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "main.py", "import-people", "1", str(fifo), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "is not a regular file (a pipe, socket or device)" in done.stderr


def test_two_phone_columns_exit_2_until_mapped(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("用户ID,姓名,出生日期,手机号,联系电话\nU1,小明,2016-01-01,13800138000,13900139000\n",
                    encoding="utf-8")
    code, out, err = cli(capsys, db, "import-people", "1", str(path))
    assert (code, out) == (2, "")
    assert "columns '手机号' (column 4) and '联系电话' (column 5) both hold phone" in err
    assert "--map '联系电话='" in err and "--map '联系电话=guardian_phone'" in err
    code, out, _ = cli(capsys, db, "import-people", "1", str(path), "--map", "联系电话=guardian_phone")
    assert code == 0 and json.loads(out)["imported"] == 1


def test_user_id_twice_exits_2(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("用户ID,user_id,姓名\nU1,u-1,小明\n", encoding="utf-8")
    code, _, err = cli(capsys, db, "import-people", "1", str(path))
    assert code == 2 and "columns '用户ID' (column 1) and 'user_id' (column 2) both hold user_id" in err


def test_a_full_disk_exits_1_with_a_plain_message_and_no_report(tmp_path: Path, db: Path) -> None:
    # A real write failure: the import process may not grow any file past a limit just above
    # the database's size (EFBIG, the kernel's file-size limit; SIGXFSZ ignored like a daemon would).
    import resource
    import signal

    path = tmp_path / "p.csv"
    path.write_text("user_id,name,email\n" + "".join(f"U{i},张三{i},user{i}@example.com\n" for i in range(60_000)),
                    encoding="utf-8")
    limit = db.stat().st_size + 300_000

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "main.py", "import-people", "1", str(path), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False, preexec_fn=limited)
    assert done.returncode == 1, done.stderr
    assert "the disk is full (or a file-size limit was reached)" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.people-import-*")), "the report and its partial file are removed"
    services = open_services(db)
    try:
        assert services.people.count(1) == 0
    finally:
        services.close()


def test_a_list_smaller_than_the_estimate_is_flagged_in_assess_and_notices(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    """The intake estimated 1,200 people; a list of 2 is what the notices use, and both commands
    say so (JSON and a note on stderr) instead of replacing the estimate silently."""
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    code, out, err = cli(capsys, db, "assess", "1")
    people = json.loads(out)["people"]
    assert code == 0 and people["total"] == 2 and people["source"] == "import"
    assert people["intake_estimate"] == 1200 and people["gap_to_estimate"] == 1198
    assert "imported list holds 2 people but the intake estimated 1,200" in err
    code, out, err = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "txt")
    assert code == 0 and json.loads(out)["people_count"] == {
        "used": 2, "source": "import", "intake_estimate": 1200, "gap_to_estimate": 1198}
    assert "intake estimated 1,200" in err


def test_no_gap_note_before_an_import(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = cli(capsys, db, "assess", "1")
    assert code == 0 and json.loads(out)["people"]["gap_to_estimate"] == 0 and "intake estimated" not in err


def test_preview_prints_a_persons_notices_masked_and_logs_an_unmasking(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    listed = json.loads(cli(capsys, db, "people", "1")[1])
    adult = next(p for p in listed["people"] if p["user_id"] == "U1")
    code, out, _ = cli(capsys, db, "preview", "1", str(adult["id"]))
    result = json.loads(out)
    assert code == 0 and result["masked"] is True
    email = next(n for n in result["notices"] if n["channel"] == "email_text")
    assert email["to"] == "z***@example.com" and "张*" in email["text"] and "张三" not in out
    # only the channel the plan uses (e-mail); the SMS is what follows if the e-mail fails for good
    assert "13800138000" not in out and [n["channel"] for n in result["notices"]] == ["email_text"]
    assert email["fallback"]["channel"] == "sms" and "fails for good" in email["fallback"]["when"]
    code, _, err = cli(capsys, db, "preview", "1", str(adult["id"]), "--unmask")
    assert code == 2 and "reason" in err
    code, out, _ = cli(capsys, db, "preview", "1", str(adult["id"]), "--unmask", "--reason", "核对")
    assert code == 0 and "张三" in out
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE type = 'personal_data.unmasked'").fetchall()
    assert len(rows) == 1 and "核对" in rows[0][0] and "张三" not in rows[0][0]
