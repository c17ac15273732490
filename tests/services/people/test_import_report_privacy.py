"""The people import's report beside the database holds no contact or name in full, wherever the
file put it (a user id that is a phone number or an e-mail, a data type or language cell holding
someone's address, number or name), and it is created private through the platform module's
helper — so the import also works where ``os.fchmod`` does not exist (Windows before Python 3.13)."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from incident_app.domain.people.fields import MESSAGES
from incident_app.services.container import Services

CONTACTS = ("13700137000", "+8613700137000", "wang.wu@example.com", "li.si@example.com", "13900139000",
            "zhao.liu@example.org", "赵六", "张三丰", "Wang Wu", "15800158000")


def people_file(tmp_path: Path) -> Path:
    rows = [
        "user_id,name,email,phone,data_types,language",
        # A user id that is the person's mobile number, merged with the row after it.
        "13700137000,钱七,,,,",
        "13700137000,钱七,,,,",
        # A user id that is an e-mail address; a data types cell holding an address and a name.
        "wang.wu@example.com,Wang Wu,,,li.si@example.com;张三丰,",
        "wang.wu@example.com,Wang Wu,,,,",
        # A language cell holding a phone number, another a name; a data type with a number in it.
        "U4,孙八,,,,13900139000",
        "U5,周九,,,phone 15800158000,赵六",
        # A language cell holding an e-mail address.
        "U6,吴十,,,,zhao.liu@example.org",
    ]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def report_lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_report_masks_contacts_and_names_wherever_the_file_put_them(
        services: Services, incident_id: int, tmp_path: Path) -> None:
    result = services.people.import_file(incident_id, people_file(tmp_path))
    text = result.report_path.read_text(encoding="utf-8-sig")
    leaked = [c for c in CONTACTS if c in text]
    assert not leaked, (leaked, text)
    lines = report_lines(result.report_path)
    # Still the officer's guide: each problem by row, field and reason, the value masked.
    assert ["3", "user_id", "137****7000", MESSAGES["duplicate"].format(row=2, key="user_id")] in lines
    assert ["5", "user_id", "w***@example.com", MESSAGES["duplicate"].format(row=4, key="user_id")] in lines
    assert [line[:2] for line in lines[1:]] == [["3", "user_id"], ["4", "data_types"], ["4", "data_types"],
                                                ["5", "user_id"], ["6", "language"], ["7", "data_types"],
                                                ["7", "language"], ["8", "language"]]
    assert all(line[3] for line in lines[1:])


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_report_is_created_private_even_without_os_fchmod(
        services: Services, incident_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows before Python 3.13 has no os.fchmod: the report goes through
    # platform_support.make_private, which does not need it, and is still 0600 (mkstemp's mode).
    monkeypatch.delattr(os, "fchmod")
    old_umask = os.umask(0o022)
    try:
        result = services.people.import_file(incident_id, people_file(tmp_path))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(result.report_path.stat().st_mode) == 0o600
    assert not list(result.report_path.parent.glob(".*.part"))
