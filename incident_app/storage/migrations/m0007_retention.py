"""Which purge targets (kinds of personal data) have been purged for which closed incident."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("retention_purges").create(
        {"incident_id": int, "target": str, "purged_at": str, "records": int},
        pk=("incident_id", "target"), not_null={"purged_at", "records"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
