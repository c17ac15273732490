"""The append-only event log table: appending with the hash chain, reading, verifying."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.proof import (
    GENESIS_HASH,
    ChainReport,
    Event,
    EventDraft,
    compute_event_hash,
    verify_chain,
)


class EventLog:
    """Writes and reads the ``events`` table. Call :meth:`append` inside the same transaction as
    the change it records, so a change and its event commit or roll back together."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def append(self, draft: EventDraft, *, actor: str, at: datetime) -> Event:
        """Add one event at the end of the chain."""
        last = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at = at.replace(microsecond=0)
        digest = compute_event_hash(
            seq=seq, at=at, actor=actor, type=draft.type, object_type=draft.object_type,
            object_id=draft.object_id, incident_id=draft.incident_id, payload=draft.payload,
            prev_hash=prev,
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

    def of_types(self, types: Sequence[str]) -> list[Event]:
        """Events of the given types, in sequence order (register and metrics read these)."""
        marks = ",".join("?" for _ in types)
        rows = self._db.query(f"SELECT * FROM events WHERE type IN ({marks}) ORDER BY seq", list(types))
        return [_to_event(r) for r in rows]

    def verify(self) -> ChainReport:
        """Recompute the whole chain and name the first event that does not match."""
        return verify_chain(self.iter_all())

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
