"""The shared send-ledger key guard has no holes: following the refusal's own advice (correct the
second person's contact) gives that person a key of their own, not the first person's old contact
as a second kept key; two people keeping one key (a database written before) are refused by the
send, the hand-offs and the per-recipient e-mail files, and a correction of one of them lets its
key go; the preview warns. On the command line, a real database and a real aiosmtpd relay."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from platform_helpers import call
from smtp_sink import Sink

HEADER = "name,email,phone,age,data_types\n"
FIRST = HEADER + ("张三,zhang@example.test,13800138000,30,phone_number\n"
                  "李四,bad.li@example.test,,30,phone_number\n"
                  "王五,,13900139000,40,phone_number\n")
AGAIN = HEADER + "赵六,bad.li@example.test,,31,phone_number\n"
AGAIN_PHONE = HEADER + "孙七,,13900139000,33,phone_number\n"


def relay(sink: Sink) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--plain", "--from", "privacy@example.test",
            "--timeout", "2", "--retry-base", "0.05"]


def ok(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    code, out, err = call(capsys, db, *args)
    assert code == 0, (args, err)
    return out


def import_list(capsys: pytest.CaptureFixture[str], db: Path, path: Path, text: str, *extra: str) -> None:
    path.write_text(text, encoding="utf-8")
    ok(capsys, db, "import-people", "1", str(path), *extra)
    ok(capsys, db, "approve", "1", "--by", "王安全")


def person_id(db: Path, **where: str) -> int:
    column, value = next(iter(where.items()))
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT id FROM people WHERE incident_id = 1 AND {column} = ?", [value]).fetchone()[0])


def kept_keys(db: Path) -> dict[int, str | None]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT id, ledger_key FROM people WHERE incident_id = 1 AND id > 200"))


def edit(capsys: pytest.CaptureFixture[str], db: Path, person: int, change: str) -> str:
    """``people 1 --edit`` and its stderr (the warnings)."""
    code, _, err = call(capsys, db, "people", "1", "--edit", str(person), "--set", change, "--reason", "重号")
    assert code == 0, err
    return err


def told_and_corrected(tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> tuple[Path, int]:
    """李四 e-mailed at bad.li@, then corrected to li@ (keeping bad.li@ as key); a later list adds
    赵六 at bad.li@. Returns the database and 李四's id."""
    db = tmp_path / "d.sqlite3"
    ok(capsys, db, "demo")
    import_list(capsys, db, tmp_path / "first.csv", FIRST, "--replace")
    ok(capsys, db, "send", "1", *relay(sink))
    li = person_id(db, email="bad.li@example.test")
    edit(capsys, db, li, "email=li@example.test")
    import_list(capsys, db, tmp_path / "again.csv", AGAIN)
    return db, li


def test_following_the_refusal_gives_the_second_person_their_own_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> None:
    db, li = told_and_corrected(tmp_path, capsys, sink)
    zhao = person_id(db, email="bad.li@example.test")
    code, _, err = call(capsys, db, "send", "1", *relay(sink))
    assert code == 2 and f"person {zhao}" in err and f"person {li} was corrected from" in err
    warning = edit(capsys, db, zhao, "email=zhao@example.test")  # as the refusal says
    assert kept_keys(db)[zhao] is None and kept_keys(db)[li] == "bad.li@example.test"
    assert f"send-ledger key of person #{li}" in warning
    before = len(sink.received)
    ok(capsys, db, "approve", "1", "--by", "王安全")
    ok(capsys, db, "send", "1", *relay(sink))
    new = [r.address for r in sink.received[before:]]
    # 李四 at the corrected address (the first send since), 赵六 at his own, each once.
    assert new.count("zhao@example.test") == 1 and new.count("li@example.test") == 1, new
    again = len(sink.received)
    ok(capsys, db, "send", "1", *relay(sink))
    assert len(sink.received) == again  # nothing left waiting: nobody e-mailed on every send


def sms_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def number_given_away(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> int:
    """王五 told by SMS, his number corrected (he keeps +8613900139000 as his key), then a list gives
    that number to someone else: returns 王五's person id."""
    ok(capsys, db, "demo")
    import_list(capsys, db, tmp_path / "first.csv", FIRST, "--replace")
    ok(capsys, db, "export-sms", "1", "--out", str(tmp_path / "s1.csv"))
    wang = person_id(db, phone="+8613900139000")
    edit(capsys, db, wang, "phone=13900139001")  # keeps +8613900139000
    import_list(capsys, db, tmp_path / "again.csv", AGAIN_PHONE)
    return wang


def test_the_same_with_phones_the_sms_file_has_one_number_per_reference(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite3"
    number_given_away(capsys, db, tmp_path)
    sun = person_id(db, phone="+8613900139000")
    assert call(capsys, db, "export-sms", "1", "--out", str(tmp_path / "s2.csv"))[0] == 2
    edit(capsys, db, sun, "phone=13700137000")
    assert kept_keys(db)[sun] is None
    ok(capsys, db, "approve", "1", "--by", "王安全")
    ok(capsys, db, "export-sms", "1", "--out", str(tmp_path / "s3.csv"))
    rows = sms_rows(tmp_path / "s3.csv")
    # One row per person, each under their own reference (王五 at his corrected number).
    assert sorted(r["phone"] for r in rows) == ["+8613700137000", "+8613900139001"]
    assert len({r["code"] for r in rows}) == 2


def test_a_merge_does_not_keep_a_key_another_person_keeps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 王五 (told by SMS) corrected keeps his old number; 孙七 later has it; a third list joins 孙七
    # by that number and fills an e-mail: 孙七 is keyed by the e-mail now and must not keep 王五's key.
    db = tmp_path / "d.sqlite3"
    wang = number_given_away(capsys, db, tmp_path)
    sun = person_id(db, phone="+8613900139000")
    (tmp_path / "third.csv").write_text(HEADER + "孙七,sun@example.test,13900139000,33,phone_number\n",
                                        encoding="utf-8")
    out = ok(capsys, db, "import-people", "1", str(tmp_path / "third.csv"))
    assert json.loads(out)["duplicates_merged"] == 1
    assert kept_keys(db)[sun] is None and kept_keys(db)[wang] == "+8613900139000"


def two_keep_one_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> tuple[Path, int, int]:
    """A database in the state the old correction left: 赵六 corrected to zhao@ kept 李四's old
    address as its key too (written here as that code wrote it)."""
    db, li = told_and_corrected(tmp_path, capsys, sink)
    zhao = person_id(db, email="bad.li@example.test")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE people SET email = 'zhao@example.test', ledger_key = 'bad.li@example.test'"
                     " WHERE id = ?", [zhao])
    return db, li, zhao


def test_two_people_keeping_one_key_are_refused_and_one_correction_repairs_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> None:
    db, li, zhao = two_keep_one_key(tmp_path, capsys, sink)
    before = len(sink.received)
    for command in (["send", "1", *relay(sink)], ["send", "1", *relay(sink), "--dry-run", str(tmp_path / "dry")],
                    ["export-sms", "1", "--out", str(tmp_path / "s.csv")],
                    ["export-recipients", "1", "--out", str(tmp_path / "r.jsonl")]):
        code, _, err = call(capsys, db, *command)
        assert code == 2, (command, err)
        assert f"person {zhao}: keeps the same send-ledger key as person {li}" in err
    assert len(sink.received) == before
    assert not any((tmp_path / name).exists() for name in ("dry", "s.csv", "r.jsonl"))
    # 赵六 was never told at bad.li@: correcting him (his address typed again) lets the key go.
    warning = edit(capsys, db, zhao, "email=zhao@example.test")
    assert kept_keys(db)[zhao] is None and kept_keys(db)[li] == "bad.li@example.test"
    assert "let go" in warning
    ok(capsys, db, "send", "1", *relay(sink))
    new = [r.address for r in sink.received[before:]]
    assert new.count("zhao@example.test") == 1 and new.count("li@example.test") == 1, new
    again = len(sink.received)
    ok(capsys, db, "send", "1", *relay(sink))
    assert len(sink.received) == again


def eml_files(out: Path) -> list[Path]:
    return sorted(out.rglob("eml/*.eml"))


@pytest.mark.parametrize("state", ["kept and derived", "kept twice"])
def test_the_per_recipient_e_mail_files_are_refused_not_overwritten(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink, state: str) -> None:
    if state == "kept twice":
        db, li, other = two_keep_one_key(tmp_path, capsys, sink)
    else:
        db, li = told_and_corrected(tmp_path, capsys, sink)
        other = person_id(db, email="bad.li@example.test")
    out = tmp_path / "notices"
    code, printed, err = call(capsys, db, "notices", "1", "--out", str(out), "--format", "eml")
    assert code == 2 and f"person {other}" in err and str(li) in err, (printed, err)
    assert not eml_files(out)
    edit(capsys, db, other, "email=zhao@example.test")
    ok(capsys, db, "approve", "1", "--by", "王安全")
    result: dict[str, Any] = json.loads(ok(capsys, db, "notices", "1", "--out", str(out), "--format", "eml"))
    assert len(eml_files(out)) == 3 and "eml: 3 personal email file(s)" in result["notes"]


def test_the_preview_warns_of_a_shared_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], sink: Sink) -> None:
    db, li = told_and_corrected(tmp_path, capsys, sink)
    zhao = person_id(db, email="bad.li@example.test")
    code, printed, err = call(capsys, db, "preview", "1", str(zhao))
    assert code == 0 and f"with person #{li}" in err
    assert f"with person #{li}" in json.loads(printed)["warnings"][0]
    zhang = person_id(db, email="zhang@example.test")
    assert "warnings" not in json.loads(call(capsys, db, "preview", "1", str(zhang))[1])
