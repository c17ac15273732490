"""The append-only event log table: appending with the keyed hash chain, reading, verifying;
and opening a database's keying (which key, from which event on; the upgrade of a plain log)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso, utc_now
from incident_app.domain.proof import (
    GENESIS_HASH,
    UPGRADE_EVENT,
    ChainHead,
    ChainKeying,
    ChainReport,
    Event,
    EventDraft,
    compute_event_hash,
    verify_chain,
)
from incident_app.storage import chain_key

# Stands in for the database id when the keying record was deleted from the database.
NO_RECORD = ""
# The database id and start of keying of a schema from before keying (its migration not run yet).
PRE_KEYING = "pre-keying"
PLAIN_ONLY = 2**62


class EventLog:
    """Writes and reads the ``events`` table. Call :meth:`append` inside the same transaction as
    the change it records, so a change and its event commit or roll back together."""

    def __init__(self, db: sqlite_utils.Database, keying: ChainKeying | None = None,
                 path: Path | None = None) -> None:
        self._db = db
        self._keying = keying
        self._path = path  # the database file: where checkpoints of its head belong

    @property
    def keying(self) -> ChainKeying:
        """The chain's keying, opened on first use: most connections (a read of the register, the
        helper's jobs) never append or verify, and looking the key up detects the keyring backend
        (~0.2 s, before the first screen)."""
        if self._keying is None:
            self._keying = open_keying(self._db)
        return self._keying

    @keying.setter
    def keying(self, keying: ChainKeying) -> None:
        self._keying = keying  # a key imported meanwhile (services/audit/keys.py)

    @property
    def database_id(self) -> str:
        return self.keying.database_id

    def append(self, draft: EventDraft, *, actor: str, at: datetime) -> Event:
        """Add one event at the end of the chain (raises ChainKeyMissingError without the key)."""
        last = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at = at.replace(microsecond=0)
        digest = compute_event_hash(
            seq=seq, at=at, actor=actor, type=draft.type, object_type=draft.object_type,
            object_id=draft.object_id, incident_id=draft.incident_id, payload=draft.payload,
            prev_hash=prev, key=self.keying.key_for(seq),
        )
        self._db.execute(
            "INSERT INTO events (seq, at, actor, type, object_type, object_id, incident_id,"
            " payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [seq, to_iso(at), actor, draft.type, draft.object_type, draft.object_id,
             draft.incident_id, json.dumps(draft.payload, ensure_ascii=False), prev, digest],
        )
        return Event(seq, at, actor, draft.type, draft.object_type, draft.object_id,
                     draft.incident_id, draft.payload, prev, digest)

    def iter_all(self) -> Iterator[Event]:
        """Every event in sequence order (streamed)."""
        cursor = self._db.execute("SELECT * FROM events ORDER BY seq")
        columns = [c[0] for c in cursor.description]
        for row in cursor:
            yield _to_event(dict(zip(columns, row, strict=True)))

    def for_incident(self, incident_id: int, *, newest_first: bool = True) -> list[Event]:
        order = "DESC" if newest_first else "ASC"
        rows = self._db.query(
            f"SELECT * FROM events WHERE incident_id = ? ORDER BY seq {order}", [incident_id]
        )
        return [_to_event(r) for r in rows]

    def iter_for_incident(self, incident_id: int, *, chunk: int = 2000) -> Iterator[Event]:
        """The incident's events oldest first, read in keyset pages of ``chunk`` (seq after the
        last one read): memory holds one page however long the log is."""
        after = -1
        while True:
            rows = list(self._db.query(
                "SELECT * FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                [incident_id, after, chunk]))
            yield from (_to_event(r) for r in rows)
            if len(rows) < chunk:
                return
            after = int(rows[-1]["seq"])

    def people_corrected(self, incident_id: int, field: str) -> dict[int, datetime]:
        """person id -> when ``field`` of that person was last corrected (``people.corrected``
        events naming it; the event holds field names, never values)."""
        rows = self._db.execute(
            "SELECT object_id, at FROM events WHERE incident_id = ? AND type = 'people.corrected'"
            " AND EXISTS (SELECT 1 FROM json_each(payload, '$.fields') WHERE value = ?)", [incident_id, field])
        found: dict[int, datetime] = {}
        for object_id, at in rows:
            when = parse_time(str(at))
            if str(object_id).isdigit() and (int(object_id) not in found or when > found[int(object_id)]):
                found[int(object_id)] = when
        return found

    def of_types(self, types: Sequence[str]) -> list[Event]:
        """Events of the given types, in sequence order (register and metrics read these)."""
        marks = ",".join("?" for _ in types)
        rows = self._db.query(f"SELECT * FROM events WHERE type IN ({marks}) ORDER BY seq", list(types))
        return [_to_event(r) for r in rows]

    def verify(self, events: Iterator[Event] | None = None) -> ChainReport:
        """Recompute the whole chain (keyed) and name the first event that does not match; the
        chain must also still reach the head this computer last recorded. A success records the
        head (see :meth:`remember_head`)."""
        if self.keying.database_id == NO_RECORD:
            return ChainReport(False, 0, None, "the event log's keying record was removed from the database")
        events = self.iter_all() if events is None else events
        if self.keying.database_id == PRE_KEYING:
            return verify_chain(events)
        checkpoint = chain_key.read_checkpoint(self.keying.database_id, self._path) if self._path else None
        report = verify_chain(events, self.keying, checkpoint)
        if report.ok and report.head is not None:
            self.remember_head(report.head)
        return report

    def head(self) -> ChainHead | None:
        """The last event's sequence number and hash (None for an empty log)."""
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return ChainHead(int(row[0]), str(row[1])) if row else None

    def hash_at(self, seq: int) -> str | None:
        """The stored hash of event ``seq``; None when there is no such event."""
        row = self._db.execute("SELECT hash FROM events WHERE seq = ?", [seq]).fetchone()
        return str(row[0]) if row else None

    def remember_head(self, head: ChainHead | None = None) -> None:
        """Record the committed head outside the database, so a later cut of the log's end shows.

        Skipped inside an open transaction: a head that might still roll back must not be kept."""
        if self.keying.key is None or self._path is None or self._db.conn.in_transaction:
            return  # no key: nothing could be verified against it anyway
        head = head or self.head()
        if head is not None:
            chain_key.write_checkpoint(self.keying.database_id, self._path, head)

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])


def _to_event(row: dict[str, object]) -> Event:
    return Event(
        seq=int(str(row["seq"])), at=parse_time(str(row["at"])), actor=str(row["actor"]),
        type=str(row["type"]), object_type=str(row["object_type"]),
        object_id=str(row["object_id"]),
        incident_id=None if row["incident_id"] is None else int(str(row["incident_id"])),
        payload=json.loads(str(row["payload"])), prev_hash=str(row["prev_hash"]),
        hash=str(row["hash"]),
    )


def open_keying(db: sqlite_utils.Database) -> ChainKeying:
    """Which key hashes this database's events, from which event on, and the key if this computer
    holds it. Keys are made only by the migration that sets keying up (m0020): a key found missing
    later stays missing, so a rewritten log is never blessed with a fresh key."""
    if "event_chain" not in db.table_names():
        if not _keying_migration_applied(db):  # a schema from before keying: plain SHA-256, as then
            return ChainKeying(PRE_KEYING, PLAIN_ONLY, None, "")
        return ChainKeying(NO_RECORD, 1, None, "the database")
    row = db.execute("SELECT database_id, keyed_from FROM event_chain WHERE id = 1").fetchone()
    if row is None:
        return ChainKeying(NO_RECORD, 1, None, "the database")
    database_id, keyed_from = str(row[0]), int(row[1])
    try:
        key = chain_key.load_key(database_id)
    except ValueError:  # the id was altered into something that is not a key name
        key = None
    return ChainKeying(database_id, keyed_from, key, chain_key.describe_location(database_id))


def start_keying(db: sqlite_utils.Database, database_id: str) -> None:
    """Set up keying (inside the migration's transaction): make the key, keep the id, and in a log
    that already has events record the upgrade event, the first keyed one. Events before it keep
    their plain SHA-256 hashes."""
    last = int(db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    key = chain_key.create_key(database_id)
    db.table("event_chain").insert({"id": 1, "database_id": database_id, "keyed_from": last + 1})
    if last == 0:
        return
    keying = ChainKeying(database_id, last + 1, key)
    payload = {"plain_events": last, "from_event": last + 1, "hash": "HMAC-SHA256", "before": "SHA-256"}
    draft = EventDraft(UPGRADE_EVENT, "event_log", "main", payload)
    EventLog(db, keying).append(draft, actor=_actor(db), at=utc_now())


def _keying_migration_applied(db: sqlite_utils.Database) -> bool:
    if "_migrations" not in db.table_names():
        return False
    return db.execute("SELECT 1 FROM _migrations WHERE name LIKE '%keyed_chain'").fetchone() is not None


def _actor(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM settings WHERE key = 'actor'").fetchone()
    if row is not None and json.loads(row[0]):
        return str(json.loads(row[0]))
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
