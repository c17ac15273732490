"""Fulfilments (obligations met outside the tool, with an optional attached file kept inside the
database with its SHA-256) and corrections (a recorded withdrawal of a fulfilment or decision),
plus the start time of remediation actions (an action in progress is never overdue from its start)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("fulfilments").create(
        {"id": int, "incident_id": int, "obligation_id": str, "done_at": str, "channel": str, "reference": str,
         "done_by": str, "note": str, "recorded_at": str, "file_name": str, "file_sha256": str, "file_size": int,
         "signature": str},
        pk="id", not_null={"incident_id", "obligation_id", "done_at", "channel", "done_by", "recorded_at",
                           "signature"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    # The file's bytes live in the database, so an encrypted database keeps them encrypted too.
    db.table("fulfilment_files").create(
        {"fulfilment_id": int, "content": bytes}, pk="fulfilment_id", not_null={"content"},
        foreign_keys=[("fulfilment_id", "fulfilments", "id")],
    )
    db.table("corrections").create(
        {"id": int, "incident_id": int, "target": str, "target_id": int, "reason": str, "corrected_by": str,
         "corrected_at": str, "signature": str},
        pk="id", not_null={"incident_id", "target", "target_id", "reason", "corrected_by", "corrected_at",
                           "signature"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("fulfilments").create_index(["incident_id"])
    db.table("corrections").create_index(["incident_id"])
    # A record is withdrawn once; a second correction of it is a mistake, not a new fact.
    db.table("corrections").create_index(["target", "target_id"], unique=True)
    db.table("remediation_actions").add_column("started_at", str)
