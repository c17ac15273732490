from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from incident_app.__main__ import _wants_cli
from incident_app.cli import passphrase as cli_passphrase
from incident_app.cli.main import run

PASS = "correct horse battery staple"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def encrypted_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("BD_PASS", PASS)
    db = tmp_path / "secret.sqlite3"
    code, out, err = cli(capsys, "db", "init", "--encrypt", "--db", str(db), "--passphrase-env", "BD_PASS")
    assert code == 0, err
    assert json.loads(out)["encrypted"] is True
    return db


def test_encrypted_database_round_trip(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]
) -> None:
    intake_file = tmp_path / "intake.json"
    intake_file.write_text(json.dumps(intake), encoding="utf-8")
    common = ("--db", str(encrypted_db), "--passphrase-env", "BD_PASS")
    assert cli(capsys, "new", "--json", str(intake_file), *common)[0] == 0
    code, out, _ = cli(capsys, "show", "1", *common)
    assert code == 0 and json.loads(out)["facts"]["affected_people"] == 1200
    assert b"Test leak" not in encrypted_db.read_bytes()


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = hashlib.sha256(encrypted_db.read_bytes()).hexdigest()
    monkeypatch.setenv("BD_WRONG", "not the passphrase at all")
    code, out, err = cli(capsys, "show", "1", "--db", str(encrypted_db), "--passphrase-env", "BD_WRONG")
    assert code == 2 and out == ""
    assert "passphrase does not open" in err and "not changed" in err
    assert "not the passphrase" not in err
    assert hashlib.sha256(encrypted_db.read_bytes()).hexdigest() == before


def test_missing_passphrase_without_terminal_says_what_to_do(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "catalog", "--db", str(encrypted_db))
    assert code == 2 and "is encrypted" in err and "--passphrase-env" in err


def test_unset_environment_variable_is_named(encrypted_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "catalog", "--db", str(encrypted_db), "--passphrase-env", "BD_NOT_SET")
    assert code == 2 and "BD_NOT_SET" in err


def test_prompt_in_a_terminal_allows_retries(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["wrong one", PASS])
    monkeypatch.setattr(cli_passphrase, "interactive", lambda: True)
    monkeypatch.setattr(cli_passphrase, "ask", lambda prompt: next(answers))
    code, out, err = cli(capsys, "db", "status", "--db", str(encrypted_db))
    assert code == 0 and json.loads(out)["encrypted"] is True and "wrong passphrase; try again" in err


def test_rekey_then_only_the_new_passphrase_opens(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BD_NEW", "the second passphrase")
    common = ("--db", str(encrypted_db))
    code, _, err = cli(capsys, "db", "rekey", *common, "--passphrase-env", "BD_PASS", "--new-passphrase-env", "BD_NEW")
    assert code == 0, err
    assert cli(capsys, "db", "status", *common, "--passphrase-env", "BD_PASS")[0] == 2
    assert cli(capsys, "db", "status", *common, "--passphrase-env", "BD_NEW")[0] == 0


def test_plain_database_cannot_be_rekeyed_but_can_be_copied_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BD_NEW", PASS)
    plain, copy = tmp_path / "plain.sqlite3", tmp_path / "copy.sqlite3"
    assert cli(capsys, "demo", "--db", str(plain))[0] == 0
    code, _, err = cli(capsys, "db", "rekey", "--db", str(plain), "--new-passphrase-env", "BD_NEW")
    assert code == 2 and "not encrypted" in err
    code, _, err = cli(capsys, "db", "encrypt", "--db", str(plain), "--out", str(copy),
                       "--new-passphrase-env", "BD_NEW")
    assert code == 0, err
    code, out, _ = cli(capsys, "db", "status", "--db", str(copy), "--passphrase-env", "BD_NEW")
    status = json.loads(out)
    assert code == 0 and status["encrypted"] is True and status["incidents"] == 1


def test_encrypt_flag_on_an_existing_plain_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain.sqlite3"
    assert cli(capsys, "db", "init", "--db", str(plain))[0] == 0
    monkeypatch.setenv("BD_PASS", PASS)
    code, _, err = cli(capsys, "db", "init", "--encrypt", "--db", str(plain), "--passphrase-env", "BD_PASS")
    assert code == 2 and "db encrypt" in err


def test_passphrase_env_option_still_means_command_line() -> None:
    assert _wants_cli(["--passphrase-env", "BD_PASS", "show", "1"])
    assert _wants_cli(["--passphrase-env=BD_PASS", "show", "1"])
    assert not _wants_cli(["--passphrase-env", "show"])


@pytest.mark.parametrize("content", [b"hello\n", b"%PDF-1.4\n" + b"x" * 5000])
def test_a_file_that_is_not_a_database_is_named_so_not_called_encrypted(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incident_app.storage.encryption import DatabaseKind, detect_database_kind

    notes = tmp_path / "notes.txt"
    notes.write_bytes(content)
    monkeypatch.setenv("BD_PASS", PASS)
    for extra in ((), ("--passphrase-env", "BD_PASS")):
        code, out, err = cli(capsys, "db", "status", "--db", str(notes), *extra)
        assert code == 2 and out == ""
        assert "is not a Breach Desk database" in err and "encrypted:" not in err and "passphrase" not in err
    assert notes.read_bytes() == content  # nothing was written into it
    assert detect_database_kind(notes) is DatabaseKind.NOT_DATABASE


def test_an_encrypted_database_is_still_told_encrypted(encrypted_db: Path) -> None:
    from incident_app.storage.encryption import DatabaseKind, detect_database_kind

    assert detect_database_kind(encrypted_db) is DatabaseKind.ENCRYPTED
