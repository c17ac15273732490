"""The record of retention purges: one row per (incident, purge target)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso


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
