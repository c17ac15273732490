"""Writing exported files so they are private, never half-written and never redirected.

Every output (notices, evidence pack, register, people-import report, dry-run e-mails) is written
to a temporary file in the same folder — created fresh (O_EXCL, never through a symlink) with mode
0600 — synced, then renamed over the final name. Consequences, each tested:

- a crash, a kill or a full disk leaves nothing under the final name; at most a temporary file
  named ``.<final name>.<random>.part`` (removed on any error the process survives);
- a symbolic link planted at the final name is replaced by the new file; the file it pointed to
  is neither written nor chmod-ed;
- a symbolic link planted as a sub-folder the tool creates (``<out>/individual``) is refused
  (:class:`UnsafeOutputError`), since following it would write outside the chosen folder.

Limit: the folder the user names (``--out``) is taken as given, even when it is itself a link."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE_MODE = 0o600
TEMP_SUFFIX = ".part"


class UnsafeOutputError(OSError):
    """An output location the tool will not write through (a planted symbolic link)."""


def final_path(path: Path) -> Path:
    """``path`` with its folder resolved but its last part kept: resolving the whole path would
    follow a link at the final name to its target."""
    path = path.expanduser()
    if path.name in ("", ".", ".."):
        raise UnsafeOutputError(f"{path}: give a file name, not a folder")
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
def private_output(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """Yield (binary handle, final path); the file appears at ``path`` (mode 0600) only when the
    block finishes without an error."""
    fd, temp, target = new_private_temp(path)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())  # a full disk the writes did not report surfaces here
        # rename() replaces a link at the target name by this file; it never writes through it.
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def private_temp(path: Path) -> Iterator[tuple[Path, Path]]:
    """Yield (temporary path, final path) for a library that opens files by name itself (Qt's
    PDF writer): write into the temporary path; it is synced and renamed to ``path`` when the
    block finishes without an error, and removed otherwise."""
    fd, temp, target = new_private_temp(path)
    os.close(fd)
    try:
        yield temp, target
        _sync(temp)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def new_private_temp(path: Path) -> tuple[int, Path, Path]:
    """(open descriptor, temporary path, final path) of a new 0600 file beside ``path``; the
    caller renames the temporary path to the final one when the file is complete."""
    target = final_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp opens with O_CREAT|O_EXCL (never through an existing name or link) and mode 0600.
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.fchmod(fd, PRIVATE_MODE)
    return fd, Path(temp_name), target


def _sync(temp: Path) -> None:
    fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` with mode 0600, atomically; returns the final path."""
    with private_output(path) as (handle, target):
        handle.write(data)
    return target


class StagedOutputs:
    """Many output files that appear together: each is written and synced under its temporary
    name; :meth:`publish` renames them all into place once the caller has logged the export, so
    no exported file is ever on disk under its final name without its event. :meth:`discard`
    (on any error: a full disk, a refused input) removes every temporary file."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    @contextmanager
    def output(self, path: Path) -> Iterator[tuple[BinaryIO, Path]]:
        """Like :func:`private_output`, but the file waits under its temporary name."""
        fd, temp, target = new_private_temp(path)
        self._pending.append((temp, target))
        with os.fdopen(fd, "w+b") as handle:
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())

    @contextmanager
    def temp(self, path: Path) -> Iterator[tuple[Path, Path]]:
        """Like :func:`private_temp`, but the file waits under its temporary name."""
        fd, temp, target = new_private_temp(path)
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
        """Rename every staged file to its final name."""
        for temp, target in self._pending:
            temp.replace(target)
        self._pending.clear()

    def discard(self) -> None:
        """Remove every staged file (call on any error)."""
        for temp, _ in self._pending:
            temp.unlink(missing_ok=True)
        self._pending.clear()
