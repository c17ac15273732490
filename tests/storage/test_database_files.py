"""The database's own files: the backup before a migration never follows a link planted at its
name and never stays half-written on a full disk; the file is created fresh (never through a link)
and an existing private one is not chmod-ed (so it opens on a read-only disk)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import open_services
from incident_app.storage import database
from tests.small_disk import files_under, small_disk

LATE = 12  # a database from before this migration number is upgraded (and backed up) on open


def old_database(path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object]) -> int:
    """A database as an older version left it; returns the number of the first pending migration."""
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < LATE])
    services = open_services(path)
    services.incidents.create(intake)
    services.close()
    monkeypatch.setattr(database, "discover_migrations", lambda: real)
    return min(m.number for m in real if m.number >= LATE)


def backup_name(path: Path, number: int) -> Path:
    return path.with_name(f"{path.name}.before-m{number:04d}.bak")


def applied(path: Path) -> set[int]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT number FROM _migrations")}


def test_backup_replaces_a_planted_link_and_leaves_its_target_alone(tmp_path: Path, db_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   intake: dict[str, object]) -> None:
    number = old_database(db_path, monkeypatch, intake)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep\n", encoding="utf-8")
    precious.chmod(0o644)
    backup_name(db_path, number).symlink_to(precious)
    open_services(db_path).close()
    backup = backup_name(db_path, number)
    assert precious.read_text(encoding="utf-8") == "keep\n" and stat.S_IMODE(precious.stat().st_mode) == 0o644
    assert not backup.is_symlink() and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert LATE not in applied(backup) and number in applied(db_path)


def test_backup_never_creates_the_target_of_a_dangling_link(tmp_path: Path, db_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            intake: dict[str, object]) -> None:
    number = old_database(db_path, monkeypatch, intake)
    (tmp_path / "public").mkdir()
    victim = tmp_path / "public" / "copy.sqlite3"
    backup_name(db_path, number).symlink_to(victim)
    open_services(db_path).close()
    assert not victim.exists() and not backup_name(db_path, number).is_symlink()


def test_a_full_disk_during_the_backup_leaves_no_backup_and_migrates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        intake: dict[str, object]) -> None:
    outside = tmp_path / "old.sqlite3"
    number = old_database(outside, monkeypatch, intake)
    size = outside.stat().st_size
    with small_disk(tmp_path / "disk", f"{(size * 3) // 1024 + 256}k") as disk:
        db = disk / "db.sqlite3"
        db.write_bytes(outside.read_bytes())
        db.chmod(0o600)
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        # Room for the open (its -wal and -shm files) but not for a copy of the whole file.
        (disk / "filler").write_bytes(b"\0" * (free - size // 2 - 64 * 1024))
        before = applied(db)
        code = run(["show", "1", "--db", str(db)])
        _, err = capsys.readouterr()
        assert code == 1
        assert "the disk is full" in err and "another program" not in err and "Traceback" not in err
        assert not backup_name(db, number).exists()
        assert [n for n in files_under(disk) if n.endswith((".bak", ".part"))] == []
        assert applied(db) == before and number not in before


def test_a_new_database_is_not_created_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "public" / "victim.sqlite3"
    victim.parent.mkdir()
    link = tmp_path / "db.sqlite3"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        database.create_private_file(link)
    assert not victim.exists()


@pytest.mark.parametrize("mode", [0o600, 0o644])
def test_a_database_on_a_read_only_disk_is_a_plain_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            intake: dict[str, object], mode: int) -> None:
    (tmp_path / "intake.json").write_text(json.dumps(intake), encoding="utf-8")
    with small_disk(tmp_path / "disk", "2m") as disk:
        db = disk / "db.sqlite3"
        assert run(["new", "--json", str(tmp_path / "intake.json"), "--db", str(db)]) == 0
        db.chmod(mode)
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, check=False)
        if remounted.returncode != 0:
            pytest.skip("cannot remount read-only here")
        capsys.readouterr()
        code = run(["show", "1", "--db", str(db)])
        _, err = capsys.readouterr()
        assert "Traceback" not in err and "Errno 30" not in err
        assert code == 0 or (code == 1 and "read-only disk" in err), err
        assert stat.S_IMODE(db.stat().st_mode) == mode


def test_a_database_a_newer_version_migrated_is_not_opened_or_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "from-the-future.sqlite3"
    open_services(db).close()
    newest = max(m.number for m in database.discover_migrations())
    with sqlite3.connect(db) as conn:  # what the next version's migration leaves behind
        conn.execute("INSERT INTO _migrations VALUES (?, 'm9999_future', '2027-06-01T00:00:00+00:00')",
                     (newest + 1,))
    conn.close()
    before = db.read_bytes()
    with pytest.raises(database.NewerDatabaseError, match="newer version"):
        open_services(db)
    assert run(["db", "status", "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and f"migration {newest + 1}" in err and "Traceback" not in err
    assert db.read_bytes() == before
