"""Affected people of an incident, their import history and per-incident counts."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    # No index besides the rowid: each import writes one contiguous id range (one transaction,
    # ids assigned by the importer) recorded in people_ranges, so paging is a rowid range lookup
    # and a million-row import does not pay for maintaining a second B-tree.
    db.table("people").create(
        {
            "id": int, "incident_id": int, "source_row": int, "user_id": str, "name": str,
            "email": str, "phone": str, "address": str, "birth_date": str, "age": int, "is_minor": int,
            "guardian_name": str, "guardian_email": str, "guardian_phone": str, "data_types": str,
            "language": str, "channel": str, "merged_rows": int,
        },
        pk="id",
        not_null={"incident_id", "is_minor", "language", "channel", "merged_rows"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("people_ranges").create(
        {"id": int, "incident_id": int, "first_id": int, "last_id": int},
        pk="id", not_null={"incident_id", "first_id", "last_id"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("people_ranges").create_index(["incident_id", "first_id"])
    db.table("people_imports").create(
        {
            "id": int, "incident_id": int, "file_name": str, "file_size": int, "format": str,
            "encoding": str, "status": str, "started_at": str, "finished_at": str, "counts": str,
            "report_path": str,
        },
        pk="id",
        not_null={"incident_id", "file_name", "status", "started_at", "counts"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("people_stats").create(
        {
            "incident_id": int, "total": int, "minors": int, "by_channel": str, "duplicates_merged": int,
            "rejected_rows": int, "updated_at": str,
        },
        pk="incident_id",
        not_null={"total", "minors", "by_channel", "duplicates_merged", "rejected_rows", "updated_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
