"""The send ledger also holds the notices handed to an SMS gateway or a call centre: each row says
its channel (``email`` for every existing row). Report imports look rows up by number."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE send_ledger ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'")
    db.execute("CREATE INDEX idx_send_ledger_channel_address ON send_ledger(incident_id, channel, to_address)")
