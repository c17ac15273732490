"""Writing exported files so they are private, never half-written and never redirected.

Every output (notices, evidence pack, register, people-import report, dry-run e-mails) is written
to a temporary file in the same folder — created fresh (O_EXCL, never through a symlink) with mode
0600 — synced, then renamed over the final name. Consequences, each tested:

- a crash, a kill or a full disk leaves nothing under the final name; at most a temporary file
  named ``.<final name>.<random>.part`` (removed on any error the process survives);
- a symbolic link planted at the final name is replaced by the new file; the file it pointed to
  is neither written nor chmod-ed;
- a symbolic link planted as a sub-folder the tool creates (``<out>/individual``) is refused
  (:class:`UnsafeOutputError`), since following it would write outside the chosen folder;
- a final name that is the database itself (or its -wal/-shm/-journal file or a migration
  backup), or where something other than a regular file or a link exists (a device, a pipe, a
  socket, a folder), is refused before anything is written (:class:`OutputRefusedError`);
- a set of files (:class:`StagedOutputs`) is renamed into place inside the transaction of its
  export event: a failed rename removes the files already renamed and the event rolls back.

Limit: the folder the user names (``--out``) is taken as given, even when it is itself a link."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from incident_app.platform_support import make_private

TEMP_SUFFIX = ".part"


class UnsafeOutputError(OSError):
    """An output location the tool will not write through (a planted symbolic link)."""


class OutputRefusedError(UnsafeOutputError):
    """A final name the officer chose that the tool refuses before writing anything (bad input):
    the database file, or something that is neither a regular file nor a link. ``reason`` (one
    of :data:`REFUSAL_REASONS`) and ``target`` let the GUI say it in the screen's language."""

    def __init__(self, message: str, reason: str = "", target: str = "") -> None:
        super().__init__(message)
        self.reason, self.target = reason, target


REFUSAL_REASONS = ("database", "not_a_file", "no_name")


NOT_A_FILE = "something other than a regular file is there (a folder, device, pipe or socket); choose another name"
DATABASE_NAME = "that is the database file; choose another name"


def _database_names(database: Path) -> list[Path]:
    """The database as named and as resolved (it may itself be a link): each is a final path."""
    names = [final_path(database)]
    with contextlib.suppress(OSError):
        names.append(database.expanduser().resolve())
    return names


def is_database_file(target: Path, database: Path) -> bool:
    """Whether writing ``target`` would replace the database, its -wal/-shm/-journal file or a
    migration backup of it (``<db>.before-mNNNN.bak``); ``target`` is a :func:`final_path`."""
    for db in _database_names(database):
        if target.parent != db.parent:
            continue
        companions = {db.name, f"{db.name}-wal", f"{db.name}-shm", f"{db.name}-journal"}
        if target.name in companions or re.fullmatch(re.escape(db.name) + r"\.before-m\d{4}\.bak", target.name):
            return True
    with contextlib.suppress(OSError):  # the same file under another name (a hard link)
        info = os.lstat(target)
        if not stat.S_ISLNK(info.st_mode) and os.path.samestat(info, database.stat()):
            return True
    return False


def check_final_name(target: Path, database: Path | None = None) -> None:
    """Refuse (:class:`OutputRefusedError`) a final name the output must not replace: the database
    (see :func:`is_database_file`), or an existing device, pipe, socket or folder. A regular file
    is replaced; a link is replaced (never followed)."""
    if database is not None and is_database_file(target, database):
        raise OutputRefusedError(f"{target}: {DATABASE_NAME}", "database", str(target))
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise OutputRefusedError(f"{target}: {NOT_A_FILE}", "not_a_file", str(target))


def final_path(path: Path) -> Path:
    """``path`` with its folder resolved but its last part kept: resolving the whole path would
    follow a link at the final name to its target."""
    path = path.expanduser()
    if path.name in ("", ".", ".."):  # the officer's choice (an empty --out is '.'): bad input
        shown = "an empty name" if str(path) == "." else str(path)
        raise OutputRefusedError(f"{shown}: give a file name, not a folder", "no_name", str(path))
    return path.parent.resolve() / path.name


def safe_folder(root: Path, *parts: str) -> Path:
    """``root/parts…``, creating each missing part (mode 0700); refuses a part that already
    exists as a symbolic link or as something other than a folder."""
    folder = root.expanduser()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for part in (p for name in parts for p in Path(name).parts):
        folder = folder / part
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            info = os.lstat(folder)
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
                raise UnsafeOutputError(f"{folder} is a link or a file, not a folder the tool made; "
                                        "remove it or choose another output folder") from None
    return folder


@contextmanager
def private_output(path: Path, database: Path | None = None) -> Iterator[tuple[BinaryIO, Path]]:
    """Yield (binary handle, final path); the file appears at ``path`` (mode 0600) only when the
    block finishes without an error. ``database`` (the open database file) is never replaced."""
    fd, temp, target = new_private_temp(path, database)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())  # a full disk the writes did not report surfaces here
        # rename() replaces a link at the target name by this file; it never writes through it.
        _replace(temp, target, database)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def private_temp(path: Path, database: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (temporary path, final path) for a library that opens files by name itself (Qt's
    PDF writer): write into the temporary path; it is synced and renamed to ``path`` when the
    block finishes without an error, and removed otherwise."""
    fd, temp, target = new_private_temp(path, database)
    os.close(fd)
    try:
        yield temp, target
        _sync(temp)
        _replace(temp, target, database)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def new_private_temp(path: Path, database: Path | None = None) -> tuple[int, Path, Path]:
    """(open descriptor, temporary path, final path) of a new 0600 file beside ``path``; the
    caller renames the temporary path to the final one when the file is complete. The final
    name is checked first (:func:`check_final_name`), so a refused one costs no write at all."""
    target = final_path(path)
    check_final_name(target, database)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp opens with O_CREAT|O_EXCL (never through an existing name or link) and mode 0600.
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    # Through the platform module: os.fchmod does not exist on Windows before Python 3.13.
    make_private(fd)
    return fd, Path(temp_name), target


def _replace(temp: Path, target: Path, database: Path | None) -> None:
    """Rename ``temp`` over ``target``, checking the final name again: a device or folder may
    have appeared there while the file was being written."""
    check_final_name(target, database)
    temp.replace(target)


def _sync(temp: Path) -> None:
    fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes, database: Path | None = None) -> Path:
    """Write ``data`` to ``path`` with mode 0600, atomically; returns the final path."""
    with private_output(path, database) as (handle, target):
        handle.write(data)
    return target


# -- input files -------------------------------------------------------------------------------
class InputFileError(ValueError):
    """An input path that is not a regular file (a pipe, a device, a socket, a folder), or one
    larger than the command accepts: bad input, refused before anything is read."""


NOT_REGULAR_INPUT = "not a regular file (a pipe, device, socket or folder); give the file itself"


def open_regular_file(path: Path, max_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file of at most ``max_bytes``; raises
    :class:`InputFileError` otherwise, IsADirectoryError for a folder (FileNotFoundError and
    PermissionError pass through).

    Opened non-blocking and checked on the open descriptor: a pipe without a writer would block
    the open itself, and /dev/zero or a pipe would be read forever."""
    # O_BINARY: Windows would otherwise open the descriptor in text mode and translate line ends.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # callers already word "that is a folder" their own way
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{path}: {NOT_REGULAR_INPUT}")
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputFileError(f"{path}: {_megabytes(info.st_size)} MB is too large for an input file "
                                 f"(at most {_megabytes(max_bytes)} MB)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular_file`), at most
    ``max_bytes`` even if the file grows while it is read."""
    with open_regular_file(path, max_bytes) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputFileError(f"{path}: too large for an input file (at most {_megabytes(max_bytes)} MB)")
    return data


def _megabytes(size: int) -> int:
    return max(1, size // (1024 * 1024))


def remove_leftover_temps(path: Path, idle_seconds: float = 120.0) -> int:
    """Remove the temporary files ``.<name>.<random>.part`` that a killed run writing ``path``
    left beside it (a SIGKILL skips every clean-up), unless one was modified in the last
    ``idle_seconds`` (another run may still be writing it). Only regular files of that exact
    pattern, never through a link. Returns how many were removed."""
    pattern = re.compile(re.escape(f".{path.name}.") + r"[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
    removed = 0
    cutoff = time.time() - idle_seconds
    try:
        entries = list(os.scandir(path.parent if str(path.parent) else "."))
    except OSError:
        return 0
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                Path(entry.path).unlink()
                removed += 1
    return removed


class StagedOutputs:
    """Many output files that appear together: each is written and synced under its temporary
    name (its final name checked first, see :func:`check_final_name`); :meth:`publish` renames
    them all into place. Call it inside the transaction that logs the export, wrapped in
    :meth:`committing`, so the event commits only once every file is in place::

        with staged.committing(), store.transaction():
            record_export(...)
            staged.publish()

    A failed rename (or a failed commit) takes back the files already renamed and the event
    rolls back. :meth:`discard` (on any error: a full disk, a refused input) removes every
    temporary file."""

    def __init__(self, database: Path | None = None) -> None:
        self.database = database
        self._pending: list[tuple[Path, Path]] = []
        self._published: list[Path] = []

    @contextmanager
    def output(self, path: Path) -> Iterator[tuple[BinaryIO, Path]]:
        """Like :func:`private_output`, but the file waits under its temporary name."""
        fd, temp, target = new_private_temp(path, self.database)
        self._pending.append((temp, target))
        with os.fdopen(fd, "w+b") as handle:
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())

    @contextmanager
    def temp(self, path: Path) -> Iterator[tuple[Path, Path]]:
        """Like :func:`private_temp`, but the file waits under its temporary name."""
        fd, temp, target = new_private_temp(path, self.database)
        os.close(fd)
        self._pending.append((temp, target))
        yield temp, target
        _sync(temp)

    def write(self, path: Path, data: bytes) -> Path:
        """Stage ``data`` for ``path``; returns the final path."""
        with self.output(path) as (handle, target):
            handle.write(data)
        return target

    def publish(self) -> None:
        """Rename every staged file to its final name; every final name is checked again first,
        and a failed rename takes back the files already renamed (then re-raises)."""
        for _, target in self._pending:
            check_final_name(target, self.database)
        try:
            # From the end: a pop(0) per file made publishing a million e-mail files quadratic.
            self._pending.reverse()
            while self._pending:
                temp, target = self._pending[-1]
                temp.replace(target)
                self._pending.pop()
                self._published.append(target)
        except BaseException:
            self._take_back()
            self.discard()
            raise

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Wrap the transaction that logs the export and calls :meth:`publish`: when the block
        fails, even at its commit, the files it published are taken back."""
        try:
            yield
        except BaseException:
            self._take_back()
            raise
        finally:
            self._published.clear()

    def _take_back(self) -> None:
        for target in self._published:  # best effort: no file stays without its event
            with contextlib.suppress(OSError):
                target.unlink(missing_ok=True)
        self._published.clear()

    def discard(self) -> None:
        """Remove every staged file not yet published (call on any error)."""
        for temp, _ in self._pending:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        self._pending.clear()
