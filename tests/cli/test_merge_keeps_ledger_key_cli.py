"""An import that merges into a person already on the list keeps their send-ledger key: a person
without user id is keyed by their e-mail, else phone; a later file's row that fills a blank field
(a user id, joining them by phone or e-mail) would change the
key, and the ledger would no longer know them as told (the duty reopens, the next export hands the
notice off again). On the command line and a real database."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from platform_helpers import call

FIRST = ("name,phone,email\n"
         "张三,13800138001,\n"  # keyed by the phone
         "李四,13800138002,lisi@example.test\n")  # keyed by the e-mail


def export(capsys: pytest.CaptureFixture[str], db: Path, out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    code, printed, err = call(capsys, db, "export-recipients", "1", "--out", str(out))
    assert code == 0, err
    return json.loads(printed), [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def duty(capsys: pytest.CaptureFixture[str], db: Path) -> tuple[str, str | None]:
    found = next(o for o in json.loads(call(capsys, db, "assess", "1")[1])["obligations"]
                 if o["id"] == "pipl57-individuals")
    return found["status"], found["met_at"]


@pytest.mark.parametrize(("second", "key"), [
    ("user_id,name,phone\nU76,张三,13800138001\n", "+8613800138001"),  # joins by phone, fills the user id
    ("user_id,name,email\nU77,李四,lisi@example.test\n", "lisi@example.test"),  # joins by e-mail, likewise
])
def test_a_merge_keeps_the_key_the_person_was_told_under(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], second: str, key: str) -> None:
    db, told = told_list(tmp_path, capsys)
    merge(tmp_path, capsys, db, second)
    assert duty(capsys, db) == told  # still told, at the same moment
    result, _ = export(capsys, db, tmp_path / "r2.jsonl")
    assert (result["new_ledger_rows"], result["corrected_contacts"]) == (0, 0)  # nobody handed off again
    assert key in platform_keys(db) and len(platform_keys(db)) == 2
    assert duty(capsys, db) == told


def test_a_merge_that_gives_a_new_channel_hands_off_under_the_same_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An e-mail filled in for a person keyed by phone: they are now reached by e-mail (the channel
    # is decided again, as after a correction), handed off as a corrected contact of the same
    # person — their SMS row stays theirs, as history — never as a second recipient.
    db, _ = told_list(tmp_path, capsys)
    merge(tmp_path, capsys, db, "name,phone,email\n张三,13800138001,zhangsan@example.test\n")
    result, _ = export(capsys, db, tmp_path / "r2.jsonl")
    assert (result["new_ledger_rows"], result["corrected_contacts"]) == (1, 1)
    assert sorted(platform_keys(db)) == ["+8613800138001", "lisi@example.test"]


def told_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, tuple[str, str | None]]:
    """The demo incident with FIRST as its list, handed to the platform and reported delivered."""
    db = tmp_path / "d.sqlite3"
    call(capsys, db, "demo")
    (tmp_path / "a.csv").write_text(FIRST, encoding="utf-8")
    code, _, err = call(capsys, db, "import-people", "1", str(tmp_path / "a.csv"), "--replace")
    assert code == 0, err
    assert call(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    _, lines = export(capsys, db, tmp_path / "r1.jsonl")
    at = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0).isoformat()
    report = tmp_path / "d1.csv"
    report.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                      encoding="utf-8")
    assert call(capsys, db, "import-delivery", "1", str(report))[0] == 0
    told = duty(capsys, db)
    assert told[0] == "met"
    return db, told


def merge(tmp_path: Path, capsys: pytest.CaptureFixture[str], db: Path, second: str) -> None:
    (tmp_path / "b.csv").write_text(second, encoding="utf-8")
    code, out, err = call(capsys, db, "import-people", "1", str(tmp_path / "b.csv"))
    assert code == 0 and json.loads(out)["duplicates_merged"] == 1, (out, err)


def platform_keys(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [k for (k,) in conn.execute("SELECT DISTINCT recipient_key FROM send_ledger WHERE channel = 'platform'")]
