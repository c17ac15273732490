from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from incident_app.services.container import Services, open_services
from incident_app.storage import database


def test_new_database_is_private_and_in_wal(services: Services, db_path: Path) -> None:
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    mode = services.ctx.store.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert services.ctx.store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_env_var_chooses_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INCIDENT_APP_DB", str(tmp_path / "x.sqlite3"))
    assert database.default_db_path() == tmp_path / "x.sqlite3"


@pytest.mark.parametrize("without_fchmod", [False, True])
def test_pending_migration_backs_up_first(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object], without_fchmod: bool
) -> None:
    svc = open_services(db_path)
    svc.incidents.create(intake)
    svc.close()
    real = database.discover_migrations()
    if without_fchmod:  # Windows before Python 3.13: the backup is still made (and 0600 on POSIX)
        monkeypatch.delattr(os, "fchmod")

    def apply_new(db):  # type: ignore[no-untyped-def]
        db["extra"].create({"id": int}, pk="id")

    newer = [*real, database.Migration(9999, "m9999_test", apply_new)]
    monkeypatch.setattr(database, "discover_migrations", lambda: newer)
    svc = open_services(db_path)
    svc.close()
    backup = db_path.with_name(db_path.name + ".before-m9999.bak")
    assert backup.exists()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
        assert "extra" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_failing_migration_rolls_back(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_services(db_path).close()
    real = database.discover_migrations()

    def broken(db):  # type: ignore[no-untyped-def]
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    monkeypatch.setattr(
        database, "discover_migrations", lambda: [*real, database.Migration(9998, "m9998_broken", broken)]
    )
    with pytest.raises(RuntimeError):
        open_services(db_path)
    with sqlite3.connect(db_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        applied = {r[0] for r in conn.execute("SELECT number FROM _migrations")}
    assert "half" not in tables
    assert 9998 not in applied
