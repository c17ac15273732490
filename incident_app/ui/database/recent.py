"""The recent databases (File → Recent databases), newest first, kept in the desktop settings so
the list survives a restart. A file that no longer exists stays listed — marked missing — until
the officer removes it (it may be on a drive that is not plugged in)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from incident_app.ui.common.app_settings import app_settings

KEY = "databases/recent"
MAX_RECENT = 8


@dataclass(frozen=True)
class RecentDatabase:
    path: Path

    @property
    def missing(self) -> bool:
        return not self.path.is_file()


def recent_databases() -> list[RecentDatabase]:
    """The list, newest first."""
    value = app_settings().value(KEY, [])
    names: list[object] = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [RecentDatabase(Path(str(name))) for name in names if name]


def last_used_database() -> Path | None:
    """The most recent database whose file still exists (opened at start when none is named)."""
    return next((r.path for r in recent_databases() if not r.missing), None)


def unavailable_last_used() -> Path | None:
    """The database used last when its file is gone (a drive not plugged in): the app then starts
    on an older one, and says so."""
    entries = recent_databases()
    return entries[0].path if entries and entries[0].missing else None


def _save(paths: list[Path]) -> None:
    settings = app_settings()
    settings.setValue(KEY, [str(p) for p in paths[:MAX_RECENT]])
    settings.sync()


def normal_path(path: Path) -> Path:
    """``path`` absolute with ``.`` and ``..`` folded (``/data/../data/x.db`` is ``/data/x.db``);
    links are kept as named (a link the officer chose stays their name for the file)."""
    return Path(os.path.abspath(path.expanduser()))  # noqa: PTH100 - resolve() would follow the link


def same_database(one: Path, other: Path) -> bool:
    """Whether the two names are one database: the same normal path, or one existing file
    reached through a link or another spelling."""
    if normal_path(one) == normal_path(other):
        return True
    try:
        return one.expanduser().samefile(other.expanduser())
    except OSError:  # one of them is missing (a drive not plugged in): only the names can tell
        return False


def add_recent(path: Path) -> None:
    """Put ``path`` (made absolute) first; an older entry for the same file under another name
    (a link, ``..``) is dropped, so the list never shows one database twice."""
    path = normal_path(path)
    _save([path, *[r.path for r in recent_databases() if not same_database(r.path, path)]])


def remove_recent(path: Path) -> None:
    _save([r.path for r in recent_databases() if normal_path(r.path) != normal_path(path)])


def remove_missing() -> int:
    """Drop every entry whose file is gone; returns how many."""
    entries = recent_databases()
    _save([r.path for r in entries if not r.missing])
    return sum(r.missing for r in entries)
