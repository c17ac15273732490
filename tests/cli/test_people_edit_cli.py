"""``people ID --edit PERSON --set FIELD=VALUE --reason …`` and the listing's --band, --channel and
user-id prefix --search, through the real command-line entry point."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import open_services


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, intake: dict[str, object]) -> Path:
    # occurred_at 2026-11-18: C1 (2015) is a child, T1 (2010) a teen, the others adults.
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    incident_id = services.incidents.create(intake).id
    people = tmp_path / "people.csv"
    people.write_text("用户ID,姓名,邮箱,手机号,地址,出生日期\n"
                      "U1000,张三,,,上海市浦东新区碧波路690号,1990-01-01\n"
                      "U10001,李四,li@example.com,,,1985-05-05\n"
                      "XU1000,王五,,13800138000,,1980-02-02\n"
                      "C1,小明,,,,2015-06-01\n"
                      "T1,少年,,13900139000,,2010-03-01\n", encoding="utf-8")
    services.people.import_file(incident_id, people)
    services.close()
    return path


def listed(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> list[str]:
    code, out, err = cli(capsys, db, "people", "1", *args)
    assert code == 0, err
    return [p["user_id"] for p in json.loads(out)["people"]]


def person_id(capsys: pytest.CaptureFixture[str], db: Path, user_id: str) -> int:
    _, out, _ = cli(capsys, db, "people", "1", "--search", user_id, "--limit", "1")
    return int(json.loads(out)["people"][0]["id"])


def test_edit_sets_an_email_prints_the_person_masked_and_moves_the_channel(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    pid = person_id(capsys, db, "U1000")
    code, out, err = cli(capsys, db, "people", "1", "--edit", str(pid), "--set", "email=Zhang.San@Example.com",
                         "--set", "name=张三丰", "--reason", "the person wrote in")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["changed"] == ["name", "email"] and shown["channel"] == {"from": "letter", "to": "email"}
    assert (shown["person"]["email"], shown["person"]["name"], shown["masked"]) == ("z***@example.com", "张**", True)
    _, out, _ = cli(capsys, db, "people", "1")
    assert json.loads(out)["summary"]["by_channel"] == {"email": 2, "sms": 2, "none": 1}
    services = open_services(db)
    event = services.audit.timeline(1)[1]  # newest first; [0] is the listing's export record
    services.close()
    assert event.type == "people.corrected" and "zhang.san" not in json.dumps(event.payload).lower()


def test_a_contact_typed_into_the_reason_is_masked_in_the_event_log_and_the_evidence_pack(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    """The event log outlives the retention purge and goes into every pack: a reason such as
    "typo in 13912345678" keeps its words but not the number or address whole."""
    pid = person_id(capsys, db, "U1000")
    code, _, _ = cli(capsys, db, "people", "1", "--edit", str(pid), "--set", "email=a@example.com",
                     "--reason", "理由 13912345678 x.person@example.org 打错")
    assert code == 0
    services = open_services(db)
    event = next(e for e in services.audit.timeline(1) if e.type == "people.corrected")
    services.close()
    reason = event.payload["reason"]
    assert reason.startswith("理由 ") and reason.endswith(" 打错") and "***78" in reason
    assert "13912345678" not in reason and "x.person@example.org" not in reason
    pack = tmp_path / "pack.zip"
    assert cli(capsys, db, "evidence", "1", "--out", str(pack))[0] == 0
    with zipfile.ZipFile(pack) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    assert "13912345678" not in text and "x.person@example.org" not in text
    assert cli(capsys, db, "evidence", "verify", str(pack))[0] == 0


def test_adding_a_guardian_to_a_child(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    pid = person_id(capsys, db, "C1")
    code, out, _ = cli(capsys, db, "people", "1", "--edit", str(pid), "--set", "guardian_phone=137 0013 7000",
                       "--reason", "school records")
    assert code == 0 and json.loads(out)["channel"] == {"from": "none", "to": "guardian_sms"}
    assert json.loads(out)["person"]["guardian_phone"] == "137****7000"


@pytest.mark.parametrize(("args", "words"), [
    (["--set", "email=zhang@"], "email: is not an email address"),
    (["--set", "phone=12"], "phone: is not a valid phone number"),
    (["--set", "user_id=U9"], "user_id: cannot be corrected here"),
    (["--set", "email"], "write FIELD=VALUE"),
    (["--set", "email=a@example.com", "--set", "email=b@example.com"], "email: given twice"),
    ([], "at least one --set"),
    (["--set", "email=a@example.com", "--band", "adult"], "leave out --band"),
    (["--set", "name=张\u202e三"], "name: contains a text-direction override"),
    (["--set", "name=张\x1b三"], "name: contains an invisible control character"),
])
def test_bad_edits_exit_2_naming_the_field_and_change_nothing(
        capsys: pytest.CaptureFixture[str], db: Path, args: list[str], words: str) -> None:
    pid = person_id(capsys, db, "U1000")
    code, out, err = cli(capsys, db, "people", "1", "--edit", str(pid), *args, "--reason", "fix")
    assert code == 2 and out == "" and words in err
    services = open_services(db)
    assert "people.corrected" not in [e.type for e in services.audit.timeline(1)]
    assert services.people.summary(1).by_channel == {"email": 1, "letter": 1, "sms": 2, "none": 1}
    services.close()


def test_edit_reason_follows_the_text_rule(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    pid = person_id(capsys, db, "U1000")
    code, out, err = cli(capsys, db, "people", "1", "--edit", str(pid), "--set", "email=a@example.com",
                         "--reason", "the person wrote in\u202e")
    assert code == 2 and out == "" and "reason: contains a text-direction override" in err
    services = open_services(db)
    assert "people.corrected" not in [e.type for e in services.audit.timeline(1)]
    services.close()


def test_edit_needs_a_reason_and_set_needs_edit(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    pid = person_id(capsys, db, "U1000")
    code, _, err = cli(capsys, db, "people", "1", "--edit", str(pid), "--set", "email=a@example.com")
    assert code == 2 and "reason: say why" in err
    code, _, err = cli(capsys, db, "people", "1", "--set", "email=a@example.com")
    assert code == 2 and "--set needs --edit" in err
    code, _, err = cli(capsys, db, "people", "1", "--edit", "999", "--set", "email=a@example.com", "--reason", "x")
    assert code == 2 and "person 999" in err


def test_search_finds_a_user_id_by_its_beginning(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert listed(capsys, db, "--search", "U1000") == ["U1000", "U10001"]
    assert listed(capsys, db, "--search", "张") == ["U1000"]  # names still match anywhere


def test_band_and_channel_filters(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert listed(capsys, db, "--band", "child") == ["C1"]
    assert listed(capsys, db, "--band", "teen") == ["T1"]
    assert listed(capsys, db, "--band", "adult") == ["U1000", "U10001", "XU1000"]
    assert listed(capsys, db, "--channel", "sms") == ["XU1000", "T1"]
    assert listed(capsys, db, "--channel", "none") == ["C1"]
    assert listed(capsys, db, "--band", "adult", "--channel", "sms") == ["XU1000"]
    _, out, _ = cli(capsys, db, "people", "1", "--band", "adult", "--channel", "letter")
    assert json.loads(out)["matching"] == 1
    with pytest.raises(SystemExit) as refused:
        cli(capsys, db, "people", "1", "--band", "baby")
    err = capsys.readouterr().err
    assert refused.value.code == 2 and "--band" in err and "invalid choice" in err
