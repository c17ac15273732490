"""The record of retention purges: one row per (incident, purge target)."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


# (ledger channel, notice version) -> person channel -> people now on the list reached by it.
Reached = Mapping[tuple[str, str], Mapping[str, int]]


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

    def delivery_record(self, incident_id: int) -> dict[tuple[str, str], dict[str, int]] | None:
        """The people reached per ledger version, kept when the incident's purge began; None when
        no record was kept (never purged, or purged by a version of the tool that kept none)."""
        row = self._db.execute("SELECT reached FROM retention_delivery_record WHERE incident_id = ?",
                               [incident_id]).fetchone()
        return None if row is None else _reached(row[0])

    def delivery_records(self) -> dict[int, dict[tuple[str, str], dict[str, int]]]:
        """:meth:`delivery_record` of every incident that has one (the register)."""
        return {int(i): _reached(body)
                for i, body in self._db.execute("SELECT incident_id, reached FROM retention_delivery_record")}

    def keep_delivery_record(self, incident_id: int, reached: Reached, taken_at: datetime) -> None:
        """Keep what the ledger said before the purge, replacing a record kept by a purge that was
        cancelled before its first chunk (the caller never calls once a chunk is purged)."""
        body = json.dumps([[c, v, dict(sorted(counts.items()))] for (c, v), counts in sorted(reached.items())])
        self._db.execute("INSERT OR REPLACE INTO retention_delivery_record (incident_id, taken_at, reached)"
                         " VALUES (?, ?, ?)", [incident_id, to_iso(taken_at), body])


def _reached(body: str) -> dict[tuple[str, str], dict[str, int]]:
    """A kept delivery record as :meth:`RetentionRepository.keep_delivery_record` wrote it."""
    return {(str(channel), str(version)): {str(c): int(n) for c, n in counts.items()}
            for channel, version, counts in json.loads(body)}
