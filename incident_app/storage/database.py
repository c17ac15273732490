"""Opening the SQLite database: file location, private permissions, pragmas, and numbered
migrations (a backup copy is taken before any migration touches an existing file)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import sqlite_utils

from incident_app.domain.clock import to_iso, utc_now

ENV_DB = "INCIDENT_APP_DB"
APP_NAME = "breach-desk"


def default_db_path() -> Path:
    """The database in the user data directory, or the path in $INCIDENT_APP_DB."""
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    import platformdirs  # deferred: only needed when no path is given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "breach-desk.sqlite3"


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def discover_migrations() -> list[Migration]:
    """Migrations are modules ``mNNNN_name.py`` in storage/migrations with ``apply(db)``.

    Discovering them (instead of a hand-kept list) lets each capability add its own file.
    """
    from incident_app.storage import migrations as package

    found: list[Migration] = []
    for info in pkgutil.iter_modules(package.__path__):
        if not (info.name.startswith("m") and info.name[1:5].isdigit()):
            continue
        module: ModuleType = importlib.import_module(f"{package.__name__}.{info.name}")
        found.append(Migration(int(info.name[1:5]), info.name, module.apply))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def create_private_file(path: Path) -> None:
    """Create the file with mode 0600 before SQLite opens it, so it is never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def connect(path: Path, connect_hook: Callable[[Path], sqlite3.Connection] | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database file with WAL and foreign keys on.

    ``connect_hook`` lets the encryption feature supply its own connection (SQLCipher).
    """
    create_private_file(path)
    conn = connect_hook(path) if connect_hook else sqlite3.connect(str(path), check_same_thread=True, timeout=10)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def applied_migrations(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row["number"] for row in db.table("_migrations").rows}


def migrate(db: sqlite_utils.Database, path: Path | None) -> list[str]:
    """Apply pending migrations, each in its own transaction; back the file up first.

    Returns the names applied. A failing migration rolls back and leaves the backup in place.
    """
    pending = [m for m in discover_migrations() if m.number not in applied_migrations(db)]
    if not pending:
        return []
    if path is not None and applied_migrations(db):
        backup_before_migration(db, path, pending[0].number)
    for migration in pending:
        with db.atomic():
            migration.apply(db)
            db.table("_migrations").insert(
                {"number": migration.number, "name": migration.name, "applied_at": to_iso(utc_now())},
                pk="number",
            )
    return [m.name for m in pending]


def backup_before_migration(db: sqlite_utils.Database, path: Path, number: int) -> Path:
    """Copy the live database (consistent, via the backup API) next to it, mode 0600."""
    target = path.with_name(f"{path.name}.before-m{number:04d}.bak")
    create_private_file(target)
    backup_to = getattr(db.conn, "backup_to", None)
    if backup_to is not None:  # an encrypted connection keeps its backup encrypted
        backup_to(target)
        return target
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def copy_file_private(source: Path, target: Path) -> None:
    """Copy a file and keep it private (used for exports of personal data)."""
    create_private_file(target)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
