"""The event log's keying record: a random database id (which key, kept outside the database,
belongs to this file) and the sequence number from which events are HMAC-keyed. Events already
in the log keep their plain SHA-256 hashes; the store records the upgrade event right after this
migration (storage/store.py), which is the first keyed event."""

from __future__ import annotations

import secrets

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("event_chain").create(
        {"id": int, "database_id": str, "keyed_from": int},
        pk="id", not_null={"database_id", "keyed_from"},
    )
    last = db.execute("SELECT max(seq) FROM events").fetchone()[0]
    db.table("event_chain").insert(
        {"id": 1, "database_id": secrets.token_hex(16), "keyed_from": int(last or 0) + 1}
    )
