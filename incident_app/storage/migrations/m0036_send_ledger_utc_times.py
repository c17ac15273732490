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


def apply(db: sqlite_utils.Database) -> None:
    # One pass over the table; only the rows with another offset are written (normally none: the
    # tool's own clock is UTC, other offsets came from a clock set in Beijing time).
    foreign = " OR ".join(f"({c} != '' AND {c} NOT LIKE '%+00:00')" for c in _COLUMNS)
    sets = ", ".join(f"{c} = CASE WHEN {c} != '' AND {c} NOT LIKE '%+00:00' THEN coalesce({_UTC.format(c)}, {c})"
                     f" ELSE {c} END" for c in _COLUMNS)
    db.execute(f"UPDATE send_ledger SET {sets} WHERE {foreign}")
