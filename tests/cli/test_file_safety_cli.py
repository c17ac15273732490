"""File handling attacked from the command line: an export never replaces the database, a device,
a pipe or a folder; a set of files is refused before any is published and without an event; input
files must be regular files (a pipe or /dev/zero would hang or eat memory); a full disk and Ctrl+C
are plain messages. Devices are made with os.mknod inside the test's folder (never /dev itself)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from incident_app.cli.main import run
from tests.small_disk import files_under, small_disk

ROOT = Path(__file__).resolve().parents[2]
DEV_FULL = os.makedev(1, 7)   # the numbers of /dev/full and /dev/zero, recreated in tmp_path
DEV_ZERO = os.makedev(1, 5)


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(db: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a read that hangs fails the test by timeout, not the run."""
    return subprocess.run([sys.executable, "-m", "incident_app", *args, "--db", str(db)],
                          capture_output=True, text=True, timeout=timeout, env=_env(), check=False)


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], intake: dict[str, object]) -> Path:
    path = tmp_path / "db.sqlite3"
    (tmp_path / "intake.json").write_text(json.dumps(intake), encoding="utf-8")
    assert cli(capsys, path, "new", "--json", str(tmp_path / "intake.json"))[0] == 0
    return path


def export_events(db: Path) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE type = 'export.written'").fetchall()
    return [json.loads(r[0]) for r in rows]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def device(path: Path, number: int = DEV_FULL) -> Path:
    os.mknod(path, stat.S_IFCHR | 0o600, number)
    return path


# -- 1. the database is never an export's final name --------------------------------------------
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal", ".before-m0012.bak"])
def test_register_refuses_the_database_and_its_files(capsys: pytest.CaptureFixture[str], db: Path,
                                                      suffix: str) -> None:
    target = db.with_name(db.name + suffix)
    before = digest(db)
    code, out, err = cli(capsys, db, "register", "--format", "csv", "--out", str(target))
    assert code == 2 and out == "", err
    assert "that is the database file; choose another name" in err
    assert digest(db) == before and export_events(db) == []
    assert cli(capsys, db, "show", "1")[0] == 0  # still the database


def test_evidence_refuses_the_database_by_another_spelling(capsys: pytest.CaptureFixture[str], db: Path,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(db)
    monkeypatch.chdir(tmp_path / "..")
    code, _, err = cli(capsys, db, "evidence", "1", "--out", f"{tmp_path.name}/./{db.name}")
    assert code == 2 and "that is the database file" in err
    assert digest(db) == before and export_events(db) == []
    hard_link = tmp_path / "pack.zip"
    os.link(db, hard_link)  # the same file under another name
    code, _, err = cli(capsys, db, "evidence", "1", "--out", str(hard_link))
    assert code == 2 and "that is the database file" in err and digest(db) == before


# -- 2. a device, a pipe or a folder at the final name ------------------------------------------
def test_register_refuses_a_device_a_pipe_and_a_folder(capsys: pytest.CaptureFixture[str], db: Path,
                                                       tmp_path: Path) -> None:
    full = device(tmp_path / "full")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    for target in (full, fifo, folder):
        code, out, err = cli(capsys, db, "register", "--format", "csv", "--out", str(target))
        assert code == 2 and out == "", err
        assert "something other than a regular file is there" in err and "Traceback" not in err
    assert stat.S_ISCHR(full.lstat().st_mode) and stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir()
    assert export_events(db) == [] and not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_evidence_into_a_folder_is_refused_without_an_event(capsys: pytest.CaptureFixture[str], db: Path,
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "pack.zip"
    folder.mkdir()
    code, _, err = cli(capsys, db, "evidence", "1", "--out", str(folder))
    assert code == 2 and "something other than a regular file" in err
    assert export_events(db) == [] and list(folder.iterdir()) == []


# -- 6. a set of files: refused before any is published ------------------------------------------
def test_notices_with_a_folder_at_one_final_name_publish_nothing(capsys: pytest.CaptureFixture[str], db: Path,
                                                                 tmp_path: Path) -> None:
    first = tmp_path / "nd1"
    assert cli(capsys, db, "notices", "1", "--out", str(first), "--format", "html,txt")[0] == 0
    names = files_under(first)
    assert len(names) > 3
    events_before = export_events(db)
    second = tmp_path / "nd2"
    (second / names[len(names) // 2]).mkdir(parents=True)  # a folder where a middle file would go
    code, out, err = cli(capsys, db, "notices", "1", "--out", str(second), "--format", "html,txt")
    assert code == 2 and out == "", err
    assert "something other than a regular file" in err
    assert files_under(second) == []  # no file published, no temporary file left
    assert export_events(db) == events_before


# -- 3b/4. db encrypt --out ------------------------------------------------------------------------
def test_db_encrypt_refuses_a_dangling_link(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_PASS", "correct horse battery staple 42")
    victim = tmp_path / "elsewhere" / "victim.db"
    victim.parent.mkdir()
    link = tmp_path / "copy.db"
    link.symlink_to(victim)
    code, _, err = cli(capsys, db, "db", "encrypt", "--out", str(link), "--new-passphrase-env", "NEW_PASS")
    assert code == 2 and "already exists" in err
    assert not victim.exists() and link.is_symlink()


def test_db_encrypt_on_a_full_disk_leaves_nothing_and_a_retry_works(capsys: pytest.CaptureFixture[str], db: Path,
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_PASS", "correct horse battery staple 42")
    with small_disk(tmp_path / "disk", "16k") as disk:
        target = disk / "copy.db"
        code, out, err = cli(capsys, db, "db", "encrypt", "--out", str(target), "--new-passphrase-env", "NEW_PASS")
        assert code == 1 and out == ""
        assert "the disk is full" in err and "another program" not in err and "Traceback" not in err
        assert files_under(disk) == []
    target = tmp_path / "copy.db"  # the same command with room enough
    code, _, err = cli(capsys, db, "db", "encrypt", "--out", str(target), "--new-passphrase-env", "NEW_PASS")
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# -- 7. input files must be regular files -----------------------------------------------------------
@pytest.mark.parametrize("args", [
    ("fulfil", "1", "cac-initial-report", "--at", "2026-11-20T12:10:00", "--channel", "fax", "--by", "王伟",
     "--file", "{input}"),
    ("import-people", "1", "{input}"),
    ("evidence", "verify", "{input}"),
    ("send", "1", "--bounces", "{input}"),
], ids=["fulfil", "import-people", "evidence-verify", "send-bounces"])
@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_pipe_or_device_as_input_is_refused_at_once(db: Path, tmp_path: Path, args: tuple[str, ...],
                                                      kind: str) -> None:
    source = tmp_path / "input"
    if kind == "fifo":
        os.mkfifo(source)  # nobody writes: a plain open would block for ever
    else:
        device(source, DEV_ZERO)  # endless zeros: a plain read would fill the memory
    result = cli_process(db, *(a.replace("{input}", str(source)) for a in args), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


# -- 8. a full database disk and Ctrl+C --------------------------------------------------------------
def test_a_full_disk_under_the_database_is_the_plain_message(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                              intake: dict[str, object]) -> None:
    (tmp_path / "intake.json").write_text(json.dumps(intake), encoding="utf-8")
    # Room for a new database and the write-ahead log of its migrations (migration 32's indexes
    # outgrew 512k); the filler takes the rest.
    with small_disk(tmp_path / "disk", "640k") as disk:
        db = disk / "db.sqlite3"
        assert cli(capsys, db, "new", "--json", str(tmp_path / "intake.json"))[0] == 0
        filler = disk / "filler"
        with filler.open("wb", buffering=0) as handle:  # take every free block: the next write finds none
            while True:
                try:
                    handle.write(b"\0" * 4096)
                except OSError:
                    break
        code, out, err = cli(capsys, db, "new", "--json", str(tmp_path / "intake.json"))
        assert code == 1 and out == ""
        assert "the disk is full" in err and "another program" not in err and "Traceback" not in err
