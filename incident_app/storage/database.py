"""Opening the SQLite database: file location, private permissions, pragmas, and numbered
migrations (a backup copy is taken before any migration touches an existing file)."""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import pkgutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import sqlite_utils

from incident_app.domain.clock import to_iso, utc_now
from incident_app.platform_support import make_private

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
        # Imported only to be applied: an up-to-date file (every open but the first after an
        # upgrade) needs the names alone, not the ~35 modules' code.
        found.append(Migration(int(info.name[1:5]), info.name, partial(_apply, f"{package.__name__}.{info.name}")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def _apply(module_name: str, db: sqlite_utils.Database) -> None:
    module: ModuleType = importlib.import_module(module_name)
    module.apply(db)


PRIVATE_MODE = 0o600


def create_private_file(path: Path) -> None:
    """Make sure the database file exists with mode 0600 before SQLite opens it, so it is never
    world-readable. A new file is created fresh (O_EXCL|O_NOFOLLOW: never through a planted link);
    an existing one is chmod-ed only when others can read it, so a private database on a
    read-only medium still opens."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, PRIVATE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
        return
    # The database path is the officer's own choice (--db), so a link there is followed on purpose.
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        try:
            os.chmod(path, PRIVATE_MODE)
        except OSError as exc:
            if exc.errno != errno.EROFS:  # read-only: nothing can change it (or write to it) anyway
                raise


def private_temp_beside(target: Path) -> Path:
    """A new empty 0600 file ``.<name>.<random>.part`` beside ``target`` (O_EXCL: never through
    a link), to be renamed over ``target`` once complete."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        make_private(fd)  # the platform module's helper: no os.fchmod on Windows before Python 3.13
    finally:
        os.close(fd)
    return Path(name)


def finish_private_temp(temp: Path, target: Path) -> None:
    """Sync ``temp`` and rename it over ``target`` (a link at ``target`` is replaced, never followed)."""
    fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)  # a full disk the writes did not report surfaces here
    finally:
        os.close(fd)
    temp.replace(target)


def remove_private_temp(temp: Path) -> None:
    """Remove an unfinished temporary database file and the journal SQLite may have left."""
    for leftover in (temp, temp.with_name(temp.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def connect(path: Path, connect_hook: Callable[[Path], sqlite3.Connection] | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database file with WAL and foreign keys on.

    ``connect_hook`` lets the encryption feature supply its own connection (SQLCipher).
    """
    create_private_file(path)
    conn = connect_hook(path) if connect_hook else sqlite3.connect(str(path), check_same_thread=True, timeout=10)
    # No sqlite-utils plugins: the app uses none, and finding them scans every installed package's
    # metadata (~60 ms of each process's start, the register's helper processes included).
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def applied_migrations(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row["number"] for row in db.table("_migrations").rows}


class NewerDatabaseError(sqlite3.DatabaseError):
    """The file was migrated by a newer version of the application: this one does not know its
    schema (new tables, columns, meanings), so it does not open it rather than write into it."""

    def __init__(self, path: Path | None, newest: int, known: int) -> None:
        self.path, self.newest, self.known = path, newest, known
        super().__init__(f"{path or 'the database'} was last opened by a newer version of Breach Desk "
                         f"(its schema is at migration {newest}; this version knows up to {known}); "
                         "open it with that newer version, or open a backup made before it")


def migrate(db: sqlite_utils.Database, path: Path | None) -> list[str]:
    """Apply pending migrations, each in its own transaction; back the file up first.

    Returns the names applied. A failing migration rolls back and leaves the backup in place.
    Raises :class:`NewerDatabaseError` (nothing written) for a file a newer version migrated.
    """
    known = discover_migrations()
    applied = applied_migrations(db)
    newest_known = max((m.number for m in known), default=0)
    if applied and max(applied) > newest_known:
        raise NewerDatabaseError(path, max(applied), newest_known)
    pending = [m for m in known if m.number not in applied]
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
    """Copy the live database (consistent, via the backup API) next to it, mode 0600.

    The copy is written under a temporary name and renamed into place when complete: a link
    planted at the backup's name is replaced, never written through, and a full disk leaves no
    partial backup that looks valid (the error propagates, so nothing is migrated)."""
    target = path.with_name(f"{path.name}.before-m{number:04d}.bak")
    temp = private_temp_beside(target)
    try:
        _backup_into(db, temp)
        finish_private_temp(temp, target)
    except BaseException:
        remove_private_temp(temp)
        raise
    return target


def _backup_into(db: sqlite_utils.Database, temp: Path) -> None:
    copy_database_into(db, temp)


BACKUP_STEP_PAGES = 256


def copy_database_into(db: sqlite_utils.Database, temp: Path,
                       on_pages: Callable[[int, int], None] | None = None) -> None:
    """A consistent copy of the open database into the empty file ``temp``: SQLite's online
    backup API for a plain file (in steps of pages, ``on_pages(done, total)`` after each; an
    exception it raises aborts the copy), SQLCipher's export for an encrypted one, so the copy
    stays encrypted under the same key (one step: the export reports no progress)."""
    backup_to = getattr(db.conn, "backup_to", None)
    if backup_to is not None:  # an encrypted connection keeps its backup encrypted
        backup_to(temp)
        return
    dest = sqlite3.connect(str(temp))
    try:
        if on_pages is None:
            db.conn.backup(dest)
        else:
            db.conn.backup(dest, pages=BACKUP_STEP_PAGES,
                           progress=lambda _status, remaining, total: on_pages(total - remaining, total))
    finally:
        dest.close()
