"""Where a chunked retention purge stands: a purge of ten million people commits chunk by chunk,
and this row says how far it got, since when, and how many records it changed so far, so a purge
killed half-way is finished by the next one with a true count (retention_purges gets its row only
when every chunk is done)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("retention_purge_progress").create(
        {"incident_id": int, "target": str, "started_at": str, "after_id": int, "records": int},
        pk=("incident_id", "target"), not_null={"started_at", "after_id", "records"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
