"""Output safety seen from the command line: a full disk is exit 1 with a plain message and no
file left; a planted link is replaced, not followed; a planted sub-folder link is refused."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from incident_app.cli.main import run
from tests.small_disk import files_under, small_disk

# A zip library closing half-way after a full disk used to print "Exception ignored" at exit.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


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


def test_a_full_disk_is_a_plain_message_and_leaves_nothing(capsys: pytest.CaptureFixture[str], db: Path,
                                                           tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "24k") as disk:
        code, out, err = cli(capsys, db, "notices", "1", "--out", str(disk), "--format", "html,txt,docx")
        assert code == 1 and out == ""
        assert "the disk is full" in err and "Traceback" not in err
        assert files_under(disk) == []
        code, _, err = cli(capsys, db, "evidence", "1", "--out", str(disk / "pack.zip"))
        assert code == 1 and "the disk is full" in err
        assert files_under(disk) == []


def test_register_out_replaces_a_planted_link(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep\n", encoding="utf-8")
    precious.chmod(0o644)
    out = tmp_path / "register.csv"
    out.symlink_to(precious)
    code, _, err = cli(capsys, db, "register", "--format", "csv", "--out", str(out))
    assert code == 0, err
    assert precious.read_text(encoding="utf-8") == "keep\n" and stat.S_IMODE(precious.stat().st_mode) == 0o644
    assert not out.is_symlink() and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_notices_refuse_a_planted_sub_folder_link(capsys: pytest.CaptureFixture[str], db: Path,
                                                  tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "individual").symlink_to(elsewhere)
    code, _, err = cli(capsys, db, "notices", "1", "--out", str(out), "--format", "html")
    assert code == 1 and "is a link or a file, not a folder the tool made" in err
    assert files_under(elsewhere) == []


def test_a_full_disk_during_a_dry_run_leaves_no_emails(capsys: pytest.CaptureFixture[str], db: Path,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.services.mail.sources import ENV_SOURCE, ENV_SYNTHETIC_COUNT

    monkeypatch.setenv(ENV_SOURCE, "incident_app.services.mail.sources:synthetic_source_from_env")
    monkeypatch.setenv(ENV_SYNTHETIC_COUNT, "300")
    with small_disk(tmp_path / "disk", "64k") as disk:
        code, _, err = cli(capsys, db, "send", "1", "--dry-run", str(disk / "eml"), "--from", "privacy@example.test")
        assert code == 1 and "the disk is full" in err
        assert files_under(disk) == []
