"""What someone who can write the database file (but does not hold the event log's key) can do:
rewrite rows and recompute every hash with plain SHA-256, the way the log was hashed before it
was keyed. Used by the keyed-chain tests in storage/ and cli/."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

from incident_app.domain.clock import parse_time
from incident_app.domain.proof import GENESIS_HASH, compute_event_hash

Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


def rechain_plain(conn: sqlite3.Connection, rewrite: Rewrite | None = None, *, from_seq: int = 1,
                  before_seq: int | None = None) -> None:
    """Recompute the hash of every event from ``from_seq`` on (up to ``before_seq``, excluded)
    with plain SHA-256 after applying ``rewrite`` to each row, so the chain looks consistent to
    anyone without the key."""
    cursor = conn.execute("SELECT * FROM events ORDER BY seq")
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    prev = GENESIS_HASH
    for row in rows:
        if row["seq"] >= from_seq and (before_seq is None or row["seq"] < before_seq):
            row = rewrite(row) if rewrite else row
            row["prev_hash"] = prev
            row["hash"] = plain_hash(row)
            conn.execute("UPDATE events SET payload = ?, actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         [row["payload"], row["actor"], row["prev_hash"], row["hash"], row["seq"]])
        prev = row["hash"]
    conn.commit()


def plain_hash(row: dict[str, Any]) -> str:
    return compute_event_hash(
        seq=row["seq"], at=parse_time(row["at"]), actor=row["actor"], type=row["type"],
        object_type=row["object_type"], object_id=row["object_id"], incident_id=row["incident_id"],
        payload=json.loads(row["payload"]), prev_hash=row["prev_hash"],
    )


def forge_event(conn: sqlite3.Connection, type: str = "decision.recorded",
                payload: dict[str, Any] | None = None) -> int:
    """Append a made-up event chained on the last one with a recomputed SHA-256; its seq."""
    last = conn.execute("SELECT seq, hash, incident_id FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    row = {"seq": last[0] + 1, "at": "2026-11-20T12:00:00+08:00", "actor": "forger", "type": type,
           "object_type": "incident", "object_id": "1", "incident_id": 1,
           "payload": json.dumps(payload or {"kind": "no_notice", "decided_by": "CEO"}, ensure_ascii=False),
           "prev_hash": last[1]}
    row["hash"] = plain_hash(row)
    conn.execute("INSERT INTO events (seq, at, actor, type, object_type, object_id, incident_id, payload,"
                 " prev_hash, hash) VALUES (:seq, :at, :actor, :type, :object_type, :object_id, :incident_id,"
                 " :payload, :prev_hash, :hash)", row)
    conn.commit()
    return int(row["seq"])


def make_old_format(connect: Callable[[], sqlite3.Connection]) -> int:
    """Turn a database into one written before keying: no keying record, migration 20 never run,
    every event hashed with plain SHA-256 exactly as the code did then. Returns the event count."""
    with closing(connect()) as conn:
        conn.execute("DROP TABLE event_chain")
        conn.execute("DELETE FROM _migrations WHERE number = 20")
        conn.commit()
        rechain_plain(conn)
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
