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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import sqlite_utils

from incident_app.domain.clock import to_iso, utc_now
from incident_app.platform_support import make_private

ENV_DB = "INCIDENT_APP_DB"
APP_NAME = "breach-desk"
# How long a writer waits for another connection's write (a GUI window's save, a command in
# another terminal) to finish before giving up; $INCIDENT_APP_BUSY_TIMEOUT (seconds) changes it.
ENV_BUSY_TIMEOUT = "INCIDENT_APP_BUSY_TIMEOUT"
BUSY_TIMEOUT_S = 10.0
MAX_BUSY_TIMEOUT_S = 3600.0


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


class BusyTimeoutSettingError(ValueError):
    """$INCIDENT_APP_BUSY_TIMEOUT is not a number of seconds in the allowed range."""


def busy_timeout_ms() -> int:
    """The busy timeout in milliseconds: $INCIDENT_APP_BUSY_TIMEOUT seconds (0.1–3600), else 10 s.

    Raises :class:`BusyTimeoutSettingError` naming the variable for anything else."""
    raw = os.environ.get(ENV_BUSY_TIMEOUT, "").strip()
    if not raw:
        return int(BUSY_TIMEOUT_S * 1000)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0.1 <= seconds <= MAX_BUSY_TIMEOUT_S:  # NaN fails every comparison
        raise BusyTimeoutSettingError(f"${ENV_BUSY_TIMEOUT} must be a number of seconds from 0.1 to "
                                      f"{MAX_BUSY_TIMEOUT_S:g}, not {raw!r}")
    return int(seconds * 1000)


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another connection's write lock (SQLITE_BUSY, "database is
    locked"), also when SQLCipher raised it."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    return str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_BUSY") or "database is locked" in str(exc)


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose write transactions start with ``BEGIN IMMEDIATE``.

    A deferred ``BEGIN`` that reads first and writes later must upgrade its read to a write; in WAL
    mode SQLite refuses that upgrade at once (SQLITE_BUSY, busy handler never called) when another
    connection is writing or has committed since the read began, so two concurrent writers failed
    within milliseconds despite the busy timeout. Taking the write lock up front makes the second
    writer wait (up to the busy timeout) instead. Reads outside :meth:`atomic` (``query``,
    ``execute`` of a SELECT) stay deferred, so reading never waits for a writer."""

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction holding the write lock from its start; nested blocks use savepoints."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()  # a no-op when the error already ended the transaction
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def connect(path: Path, connect_hook: Callable[[Path], sqlite3.Connection] | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database file with WAL and foreign keys on.

    ``connect_hook`` lets the encryption feature supply its own connection (SQLCipher).
    """
    timeout_ms = busy_timeout_ms()  # a bad setting is refused before the file is touched
    create_private_file(path)
    conn = connect_hook(path) if connect_hook else sqlite3.connect(str(path), check_same_thread=True,
                                                                   timeout=timeout_ms / 1000)
    # No sqlite-utils plugins: the app uses none, and finding them scans every installed package's
    # metadata (~60 ms of each process's start, the register's helper processes included).
    db = Database(conn, execute_plugins=False)
    # First, so that switching a new file to WAL waits for another opener too.
    db.execute(f"PRAGMA busy_timeout={timeout_ms}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
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


def pending_migrations(db: sqlite_utils.Database, path: Path | None, *,
                       until: int | None = None) -> list[Migration]:
    """The migrations ``db`` still lacks (only those numbered up to ``until`` when given: tests
    and benchmarks build a database as an older version left it). Raises
    :class:`NewerDatabaseError` for a file a newer version migrated."""
    known = discover_migrations()
    applied = applied_migrations(db)
    newest_known = max((m.number for m in known), default=0)
    if applied and max(applied) > newest_known:
        raise NewerDatabaseError(path, max(applied), newest_known)
    return [m for m in known if m.number not in applied and (until is None or m.number <= until)]


UpgradeNotice = Callable[[list["Migration"]], None]


def migrate(db: sqlite_utils.Database, path: Path | None, *, until: int | None = None,
            before_upgrade: UpgradeNotice | None = None) -> list[str]:
    """Apply pending migrations, all in one transaction; back the file up first.

    Returns the names applied. A failing migration rolls back every pending one (the file is as
    it was, and the backup stays in place). ``before_upgrade(pending)`` is called first when an
    existing database (not a new file) is upgraded, so a caller can say why opening takes longer.
    Raises :class:`NewerDatabaseError` (nothing written) for a file a newer version migrated.
    """
    pending = pending_migrations(db, path, until=until)
    if not pending:
        return []
    upgrading = bool(applied_migrations(db))
    if upgrading and before_upgrade is not None:
        before_upgrade(pending)
    if path is not None and upgrading:
        backup_before_migration(db, path, pending[0].number)
    # One transaction for them all: a failure in a later one does not leave the file half
    # upgraded (an older version could then no longer open it, this one would resume midway).
    # It holds the write lock (BEGIN IMMEDIATE): another process opening the file waits here,
    # and each migration is skipped if that process applied it meanwhile.
    done: list[str] = []
    with db.atomic():
        already = set(applied_migrations(db))
        for migration in pending:
            if migration.number in already:
                continue
            with db.atomic():
                migration.apply(db)
                db.table("_migrations").insert(
                    {"number": migration.number, "name": migration.name, "applied_at": to_iso(utc_now())},
                    pk="number",
                )
            done.append(migration.name)
    return done


def upgrade_pending(path: Path, connect_hook: Callable[[Path], sqlite3.Connection] | None = None) -> list[Migration]:
    """The migrations the existing database at ``path`` still lacks: none for a current file and
    none for a new (missing or empty) one, whose creation is quick. Cheap (reads ``_migrations``),
    so a caller can ask before deciding to upgrade off its own thread. Raises
    :class:`NewerDatabaseError` for a file a newer version migrated."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    db = connect(path, connect_hook)
    try:
        return pending_migrations(db, path) if applied_migrations(db) else []
    finally:
        db.close()


def upgrade_file(path: Path, connect_hook: Callable[[Path], sqlite3.Connection] | None = None, *,
                 before_upgrade: UpgradeNotice | None = None) -> list[str]:
    """Open ``path`` on this thread's own connection, apply what :func:`migrate` finds pending
    (backup first, one transaction) and close it again. Returns the names applied."""
    db = connect(path, connect_hook)
    try:
        return migrate(db, path, before_upgrade=before_upgrade)
    finally:
        db.close()


def migration_backup_path(path: Path, number: int) -> Path:
    """Where the copy taken before migration ``number`` is written: ``<file>.before-mNNNN.bak``."""
    return path.with_name(f"{path.name}.before-m{number:04d}.bak")


def backup_before_migration(db: sqlite_utils.Database, path: Path, number: int) -> Path:
    """Copy the live database (consistent, via the backup API) next to it, mode 0600.

    The copy is written under a temporary name and renamed into place when complete: a link
    planted at the backup's name is replaced, never written through, and a full disk leaves no
    partial backup that looks valid (the error propagates, so nothing is migrated)."""
    target = migration_backup_path(path, number)
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
