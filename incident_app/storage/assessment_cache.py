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
- the newest event of no incident (the organisation profile, settings), which all incidents read,
  except the types in :data:`NOT_ASSESSED` (exports, the window's language, the mail relay…: the
  assessment reads none of them, and each would throw away every incident's summary).
An incident with an unfinished send run has no key at all (its ledger rows change row by row,
without an event each): it is never served from the cache while the run is open."""

from __future__ import annotations

import logging
import sqlite3

import sqlite_utils

TABLE = "assessment_cache"
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (incident_id INTEGER PRIMARY KEY, input_key TEXT NOT NULL, "
           "valid_until TEXT, summary TEXT NOT NULL)")
# Figures over every incident (the register's metrics), kept under a key over every incident's
# input key: a start-up shows the last figures at once. Disposable like the summaries.
SNAPSHOTS = "register_snapshot"
_CREATE_SNAPSHOTS = (f"CREATE TABLE IF NOT EXISTS {SNAPSHOTS} (name TEXT PRIMARY KEY, input_key TEXT NOT NULL, "
                     "valid_until TEXT, body TEXT NOT NULL)")
CacheRow = tuple[str, str | None, str]  # input key, valid until (ISO time or None), summary JSON
# Events of no incident that change nothing the assessment reads (a type missing here only costs
# a recomputation; a type wrongly listed here would serve a stale summary: list only the sure).
NOT_ASSESSED = ("export.written", "personal_data.unmasked", "settings.ui_language_changed",
                "settings.smtp_changed", "settings.actor_changed", "settings.reminders_changed",
                "settings.retention_changed", "database.rekeyed")
# How long a cache write waits for another program's write lock (a long import): the summary is
# simply not stored this time; the register's figures never wait or fail for it.
WRITE_WAIT_MS = 200
log = logging.getLogger(__name__)


class AssessmentCacheRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def input_keys(self, incident_ids: list[int] | None = None) -> dict[int, str | None]:
        """The current input key of each incident (of ``incident_ids``, else of all), None for an
        incident that must not be cached now (an unfinished send run)."""
        where, args = "", []
        if incident_ids is not None:
            where, args = f"WHERE i.id IN ({', '.join('?' * len(incident_ids))})", list(incident_ids)
        # Newest first through the (incident_id, seq) index: stops at the first event that counts.
        newest = self._db.execute(
            "SELECT seq FROM events WHERE incident_id IS NULL "
            f"AND type NOT IN ({', '.join('?' * len(NOT_ASSESSED))}) ORDER BY seq DESC LIMIT 1",
            NOT_ASSESSED).fetchone()
        shared = newest[0] if newest else 0
        running = {int(r[0]) for r in self._db.execute(
            "SELECT DISTINCT incident_id FROM send_runs WHERE finished_at IS NULL")}
        rows = self._db.execute(
            "SELECT i.id, (SELECT max(seq) FROM events e WHERE e.incident_id = i.id), "
            f"(SELECT updated_at FROM people_stats p WHERE p.incident_id = i.id) FROM incidents i {where}", args)
        return {int(r[0]): None if int(r[0]) in running else f"{r[1] or 0}|{r[2] or ''}|{shared}" for r in rows}

    def newest_seq(self) -> int:
        """The newest event's seq (0 without events): what a register load is current as of."""
        return int(self._db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0)

    def changes_since(self, seq: int) -> tuple[int, set[int], bool]:
        """What was written after event ``seq``: (the newest event's seq, the incidents whose
        records changed, whether a change of no incident that the assessment reads was made —
        then every incident's assessment may differ). A range of the events' primary key: the
        work follows the number of new events, not of incidents."""
        newest = self.newest_seq()
        changed: set[int] = set()
        shared = False
        for incident_id, kind in self._db.execute(
                "SELECT DISTINCT incident_id, type FROM events WHERE seq > ? AND seq <= ?", [seq, newest]):
            if incident_id is not None:
                changed.add(int(incident_id))
            elif kind not in NOT_ASSESSED:
                shared = True
        return newest, changed, shared

    def read(self, incident_ids: list[int] | None = None, part: str | None = None) -> dict[int, CacheRow]:
        """The cached rows (of ``incident_ids``, else all); with ``part``, only that key of each
        summary's JSON object, extracted by SQL (the rest is never read into Python; a summary
        without it is left out)."""
        column, conditions, args = "summary", list[str](), list[object]()
        if part is not None:
            path = f"$.{part}"
            column, conditions, args = "json_extract(summary, ?)", ["json_type(summary, ?) IS NOT NULL"], [path, path]
        if incident_ids is not None:
            conditions.append(f"incident_id IN ({', '.join('?' * len(incident_ids))})")
            args += list(incident_ids)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        try:
            rows = self._db.execute(f"SELECT incident_id, input_key, valid_until, {column} FROM {TABLE} {where}", args)
            return {int(r[0]): (str(r[1]), r[2], str(r[3])) for r in rows}
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise

    def valid_untils(self) -> list[str]:
        """Every distinct valid-until time (ISO) of the cached summaries, for the earliest of them
        (many incidents share one: each is parsed once)."""
        try:
            rows = self._db.execute(f"SELECT DISTINCT valid_until FROM {TABLE} WHERE valid_until IS NOT NULL")
            return [str(r[0]) for r in rows]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise

    def read_snapshot(self, name: str) -> CacheRow | None:
        """The kept figures ``name``: (key, valid until, body JSON), or None."""
        try:
            row = self._db.execute(f"SELECT input_key, valid_until, body FROM {SNAPSHOTS} WHERE name = ?",
                                   [name]).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return None if row is None else (str(row[0]), row[1], str(row[2]))

    def write_snapshot(self, name: str, row: CacheRow) -> None:
        """Keep the figures ``name`` (replacing the old ones); skipped like :meth:`write` when the
        database cannot be written now."""
        self._write([_CREATE_SNAPSHOTS], f"INSERT OR REPLACE INTO {SNAPSHOTS} (name, input_key, valid_until, body) "
                    "VALUES (?, ?, ?, ?)", [(name, *row)])

    def write(self, rows: dict[int, CacheRow]) -> None:
        """Replace the rows of these incidents (one transaction). A database that cannot be
        written now (another program holds the write lock, a read-only file) keeps its old rows:
        they are not fresh for the new keys, so nothing stale is served; the rows are stored next time."""
        if not rows:
            return
        self._write([_CREATE], f"INSERT OR REPLACE INTO {TABLE} (incident_id, input_key, valid_until, summary) "
                    "VALUES (?, ?, ?, ?)", [(i, key, until, summary) for i, (key, until, summary) in rows.items()])

    def _write(self, creates: list[str], sql: str, rows: list[tuple[object, ...]]) -> None:
        waited = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
        self._db.execute(f"PRAGMA busy_timeout={min(int(waited), WRITE_WAIT_MS)}")
        try:
            with self._db.atomic():
                for create in creates:
                    self._db.execute(create)
                self._db.conn.executemany(sql, rows)
        except sqlite3.OperationalError as exc:
            if not _unwritable(exc):
                raise
            log.info("assessment summaries not stored now: %s", exc)
        finally:
            self._db.execute(f"PRAGMA busy_timeout={int(waited)}")

    def clear(self) -> None:
        """Forget every row (tests, and a database handed on without its cache)."""
        self._db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self._db.execute(f"DROP TABLE IF EXISTS {SNAPSHOTS}")


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("locked", "busy", "readonly", "read-only", "full"))
