"""The record of retention purges: one row per (incident, purge target)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso


@dataclass(frozen=True)
class PurgeProgress:
    """How far a chunked purge of one target got: rows up to ``after_id`` are done, ``records``
    changed so far, since ``started_at``."""

    started_at: datetime
    after_id: int
    records: int


class RetentionRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def done_targets(self) -> dict[int, set[str]]:
        """For each incident, the purge targets already run on it."""
        done: dict[int, set[str]] = {}
        for incident_id, target in self._db.execute("SELECT incident_id, target FROM retention_purges"):
            done.setdefault(int(incident_id), set()).add(str(target))
        return done

    def record(self, incident_id: int, target: str, purged_at: datetime, records: int) -> None:
        self._db.table("retention_purges").insert(
            {"incident_id": incident_id, "target": target, "purged_at": to_iso(purged_at), "records": records},
        )

    def purged_at(self, incident_id: int, target: str) -> datetime | None:
        """When ``target`` was purged for the incident, or None."""
        row = self._db.execute("SELECT purged_at FROM retention_purges WHERE incident_id = ? AND target = ?",
                               [incident_id, target]).fetchone()
        return parse_time(row[0]) if row else None

    def progress(self, incident_id: int, target: str) -> PurgeProgress | None:
        """Where an unfinished chunked purge of ``target`` stands, or None (never started or done)."""
        row = self._db.execute("SELECT started_at, after_id, records FROM retention_purge_progress"
                               " WHERE incident_id = ? AND target = ?", [incident_id, target]).fetchone()
        return PurgeProgress(parse_time(row[0]), int(row[1]), int(row[2])) if row else None

    def save_progress(self, incident_id: int, target: str, progress: PurgeProgress) -> None:
        """Call in the transaction of the chunk it describes (they commit together)."""
        self._db.execute(
            "INSERT OR REPLACE INTO retention_purge_progress (incident_id, target, started_at, after_id, records)"
            " VALUES (?, ?, ?, ?, ?)",
            [incident_id, target, to_iso(progress.started_at), progress.after_id, progress.records])

    def clear_progress(self, incident_id: int, target: str) -> None:
        """The purge of ``target`` is complete (call in the transaction that records it)."""
        self._db.execute("DELETE FROM retention_purge_progress WHERE incident_id = ? AND target = ?",
                         [incident_id, target])
