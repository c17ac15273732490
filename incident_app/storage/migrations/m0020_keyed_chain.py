"""Keying the event log: a random database id (which key, kept outside the database, belongs to
this file), the key itself (OS keyring or a 0600 file, storage/chain_key.py) and the sequence
number from which events are HMAC-keyed. A log that already has events keeps their plain SHA-256
hashes and gets the upgrade event, the first keyed one, in this same transaction (numbered 20, well
past the next numbers other changes take, so two branches cannot both bring a m0013)."""

from __future__ import annotations

import secrets

import sqlite_utils

from incident_app.storage.event_log import start_keying


def apply(db: sqlite_utils.Database) -> None:
    db.table("event_chain").create(
        {"id": int, "database_id": str, "keyed_from": int},
        pk="id", not_null={"database_id", "keyed_from"},
    )
    start_keying(db, secrets.token_hex(16))
