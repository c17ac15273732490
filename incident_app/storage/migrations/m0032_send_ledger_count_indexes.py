"""Indexes that keep the send ledger's counts cheap at 10,000,000 rows: the counts shown every
second during a send (by state, by channel, by fallback, in doubt) read an index only, never the
table. ``(incident_id, state)`` already covers the counts of all channels; this adds one for the
counts of one channel with the fallback, and a partial index of the few rows in doubt."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_channel_state"
               " ON send_ledger(incident_id, channel, state, fallback)")
    # Rows in doubt are rare (a run killed mid-send): a partial index holds only them.
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_in_doubt ON send_ledger(incident_id) WHERE in_doubt > 0")
