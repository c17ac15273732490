"""What the send ledger said about telling the people now on the list, kept when the retention
purge begins: the purge blanks the people's contacts and the ledger's keys, so the match of
ledger rows to current people (storage/send_ledger.py, ``reached_people``) can no longer be made
afterwards. One row per incident: when it was taken and, per (ledger channel, notice version)
whose rows then added up, the people reached by person channel (JSON). The assessment of a purged
incident reads it instead of matching, so the record stays what it was before the purge."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("retention_delivery_record").create(
        {"incident_id": int, "taken_at": str, "reached": str},
        pk="incident_id", not_null={"taken_at", "reached"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
