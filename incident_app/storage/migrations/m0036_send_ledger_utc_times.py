"""The send ledger's times in UTC (``...+00:00``): a row's times were written with the offset of
the clock that wrote them, and a delivery report's in UTC, so SQL that compares or orders them as
text (a report "before the export", an older report overwriting a newer one, the last acceptance
of a batch, the register's first notice) could put a Beijing-time row on the wrong side of a UTC
one. Every writer now stores UTC (storage/send_ledger.py); this rewrites the rows an older
version wrote with another offset. A value SQLite cannot read as a time is left as it is."""

from __future__ import annotations

import sqlite_utils

_COLUMNS = ("queued_at", "updated_at", "sent_at", "next_attempt_at")
_UTC = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {0})"


# The one index holding a rewritten column (m32). Updating it row by row, in the order of the
# table, is a delete and an insert at scattered places in the index for every row: at a million
# rows that took three quarters of the migration (25 s); building it again is one sort (3 s).
_BATCHES_INDEX = "idx_send_ledger_batches"
_BATCHES_SQL = ("CREATE INDEX idx_send_ledger_batches"
                " ON send_ledger(incident_id, notice_kind, notice_version, channel, state, sent_at)")
# Above this share of rows to rewrite, rebuilding the index beats updating it in place.
_REBUILD_SHARE = 0.05


def apply(db: sqlite_utils.Database) -> None:
    # One pass over the table; only the rows with another offset are written (normally none: the
    # tool's own clock is UTC, other offsets came from a clock set in Beijing time).
    foreign = " OR ".join(f"({c} != '' AND {c} NOT LIKE '%+00:00')" for c in _COLUMNS)
    sets = ", ".join(f"{c} = CASE WHEN {c} != '' AND {c} NOT LIKE '%+00:00' THEN coalesce({_UTC.format(c)}, {c})"
                     f" ELSE {c} END" for c in _COLUMNS)
    rows, to_rewrite = db.execute(f"SELECT count(*), coalesce(sum({foreign}), 0) FROM send_ledger").fetchone()
    if not to_rewrite:
        return
    rebuild = to_rewrite > rows * _REBUILD_SHARE and _has_batches_index(db)
    if rebuild:
        db.execute(f"DROP INDEX {_BATCHES_INDEX}")
    db.execute(f"UPDATE send_ledger SET {sets} WHERE {foreign}")
    if rebuild:
        db.execute(_BATCHES_SQL)


def _has_batches_index(db: sqlite_utils.Database) -> bool:
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [_BATCHES_INDEX]).fetchone()
    # Rebuilt only when it is the index m32 made, so the schema after is the schema before.
    return found is not None and found[0] == _BATCHES_SQL
