"""Writing exported files so they are private and never half-written: a temporary file in the
same folder, created with mode 0600, synced, then renamed over the target."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE_MODE = 0o600


@contextmanager
def private_output(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """Yield (binary handle, final path); the file appears at ``path`` (mode 0600) only when the
    block finishes without an error."""
    target = path.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w+b") as handle:
            os.fchmod(handle.fileno(), PRIVATE_MODE)  # mkstemp already uses 0600; say so explicitly
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    os.chmod(target, PRIVATE_MODE)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` with mode 0600, atomically; returns the resolved path."""
    with private_output(path) as (handle, target):
        handle.write(data)
    return target


def precreate_private(path: Path) -> Path:
    """Create (or empty) ``path`` with mode 0600 before a library that opens files itself (Qt's PDF
    writer, python-docx) writes into it: opening an existing file keeps its mode, so the file is
    never readable by others, not even while a million letters are being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_MODE)
    os.close(fd)
    os.chmod(path, PRIVATE_MODE)
    return path
