"""The send ledger's ``in_doubt`` state needs to know how many automatic re-sends of unknown outcome
a row had since it was (re)queued: at most one. ``in_doubt`` (the counter) stays the row's
history — how many copies may have arrived — and is never reset; ``doubt_retries`` is reset when
the officer re-queues the row. Existing rows start at 0 (state values are plain text: the new
'in_doubt' state needs no change to the column)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE send_ledger ADD COLUMN doubt_retries INTEGER NOT NULL DEFAULT 0")
    # Rows a dead run left in 'sending' before this version counted one re-send in doubt already.
    db.execute("UPDATE send_ledger SET doubt_retries = 1 WHERE in_doubt > 0 AND state IN ('deferred', 'queued')")
