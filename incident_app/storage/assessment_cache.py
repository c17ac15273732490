"""The assessment summary cache: one row per incident with what the register and its metrics
need of the incident's assessment (grade, next deadline, obligation outcomes, milestones, people
per channel), stored with the *input key* it was computed from.

The cache is disposable (deleting the table loses nothing: every row is recomputed when next
needed), so it is created on first write instead of by a numbered migration, and a database
without it reads as an empty cache.

The input key of an incident changes whenever anything the assessment reads for it changes:
- the newest event of the incident (every change of a record writes one: facts, status,
  decisions, fulfilments, corrections, ENISA inputs, people imports, enquiries, notices, send
  runs started and finished, delivery reports, bounces);
- the people counters' ``updated_at`` (belt and braces beside the import's event);
- the newest event of no incident (the organisation profile, settings), which all incidents read.
An incident with an unfinished send run has no key at all (its ledger rows change row by row,
without an event each): it is never served from the cache while the run is open."""

from __future__ import annotations

import sqlite3

import sqlite_utils

TABLE = "assessment_cache"
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (incident_id INTEGER PRIMARY KEY, input_key TEXT NOT NULL, "
           "valid_until TEXT, summary TEXT NOT NULL)")
CacheRow = tuple[str, str | None, str]  # input key, valid until (ISO time or None), summary JSON


class AssessmentCacheRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def input_keys(self, incident_ids: list[int] | None = None) -> dict[int, str | None]:
        """The current input key of each incident (of ``incident_ids``, else of all), None for an
        incident that must not be cached now (an unfinished send run)."""
        where, args = "", []
        if incident_ids is not None:
            where, args = f"WHERE i.id IN ({', '.join('?' * len(incident_ids))})", list(incident_ids)
        shared = self._db.execute("SELECT coalesce(max(seq), 0) FROM events WHERE incident_id IS NULL").fetchone()[0]
        running = {int(r[0]) for r in self._db.execute(
            "SELECT DISTINCT incident_id FROM send_runs WHERE finished_at IS NULL")}
        rows = self._db.execute(
            "SELECT i.id, (SELECT max(seq) FROM events e WHERE e.incident_id = i.id), "
            f"(SELECT updated_at FROM people_stats p WHERE p.incident_id = i.id) FROM incidents i {where}", args)
        return {int(r[0]): None if int(r[0]) in running else f"{r[1] or 0}|{r[2] or ''}|{shared}" for r in rows}

    def read(self, incident_ids: list[int] | None = None) -> dict[int, CacheRow]:
        """The cached rows (of ``incident_ids``, else all)."""
        where, args = "", []
        if incident_ids is not None:
            where, args = f"WHERE incident_id IN ({', '.join('?' * len(incident_ids))})", list(incident_ids)
        try:
            rows = self._db.execute(f"SELECT incident_id, input_key, valid_until, summary FROM {TABLE} {where}", args)
            return {int(r[0]): (str(r[1]), r[2], str(r[3])) for r in rows}
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise

    def write(self, rows: dict[int, CacheRow]) -> None:
        """Replace the rows of these incidents (one transaction)."""
        if not rows:
            return
        with self._db.atomic():
            self._db.execute(_CREATE)
            self._db.conn.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (incident_id, input_key, valid_until, summary) VALUES (?, ?, ?, ?)",
                [(i, key, until, summary) for i, (key, until, summary) in rows.items()])

    def clear(self) -> None:
        """Forget every row (tests, and a database handed on without its cache)."""
        self._db.execute(f"DROP TABLE IF EXISTS {TABLE}")
