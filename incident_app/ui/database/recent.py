"""The recent databases (File → Recent databases), newest first, kept in the desktop settings so
the list survives a restart. A file that no longer exists stays listed — marked missing — until
the officer removes it (it may be on a drive that is not plugged in)."""

from __future__ import annotations

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


def _save(paths: list[Path]) -> None:
    settings = app_settings()
    settings.setValue(KEY, [str(p) for p in paths[:MAX_RECENT]])
    settings.sync()


def add_recent(path: Path) -> None:
    """Put ``path`` (made absolute) first."""
    path = path.expanduser().absolute()
    _save([path, *[r.path for r in recent_databases() if r.path != path]])


def remove_recent(path: Path) -> None:
    _save([r.path for r in recent_databases() if r.path != path])


def remove_missing() -> int:
    """Drop every entry whose file is gone; returns how many."""
    entries = recent_databases()
    _save([r.path for r in entries if not r.missing])
    return sum(r.missing for r in entries)
