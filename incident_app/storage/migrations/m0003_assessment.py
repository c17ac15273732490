"""The officer's ENISA severity inputs (append-only: the latest row per incident is in force,
earlier rows stay as history next to the event log)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("enisa_inputs").create(
        {"id": int, "incident_id": int, "data": str, "saved_by": str, "saved_at": str},
        pk="id", not_null={"incident_id", "data", "saved_by", "saved_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("enisa_inputs").create_index(["incident_id", "id"])
