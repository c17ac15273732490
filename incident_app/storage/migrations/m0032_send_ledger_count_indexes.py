"""Indexes that keep the send ledger's counts cheap at 10,000,000 rows: the counts shown every
second during a send (by state, by channel, by fallback, in doubt) read an index only, never the
table. ``(incident_id, state)`` already covers the counts of all channels; this adds one for the
counts of one channel with the fallback (and the register's overview of all incidents), and a
partial index of the few rows in doubt.

And one on ``incident_id`` alone, i.e. (incident_id, id): keyset pages of the whole ledger
(``id > last ORDER BY id``) are a range of it; without it SQLite read every row of the incident
through ``(incident_id, state)`` and sorted them, for every page.

And one covering the batches (rows and rows sent per notice kind, version and channel, with the
last acceptance): the assessment reads them, so every ``assess``, ``show`` and evidence pack read
the whole ledger's table rows and sorted them into groups — an index scan in group order now."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_incident ON send_ledger(incident_id)")
    # notice_kind and in_doubt too: the register's overview of every incident reads only this index.
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_channel_state"
               " ON send_ledger(incident_id, channel, state, fallback, notice_kind, in_doubt)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_batches"
               " ON send_ledger(incident_id, notice_kind, notice_version, channel, state, sent_at)")
    # Rows in doubt are rare (a run killed mid-send): a partial index holds only them.
    db.execute("CREATE INDEX IF NOT EXISTS idx_send_ledger_in_doubt ON send_ledger(incident_id) WHERE in_doubt > 0")
