"""Incidents, settings and the hash-chained event log."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("incidents").create(
        {
            "id": int, "title": str, "status": str, "discovered_at": str, "occurred_at": str,
            "affected_people": int, "drill": int, "facts": str, "created_at": str,
            "updated_at": str, "handling_closed_at": str,
        },
        pk="id",
        not_null={"title", "status", "discovered_at", "facts", "created_at", "updated_at"},
    )
    db.table("incidents").create_index(["status"])
    db.table("settings").create({"key": str, "value": str}, pk="key", not_null={"value"})
    db.table("events").create(
        {
            "seq": int, "at": str, "actor": str, "type": str, "object_type": str,
            "object_id": str, "incident_id": int, "payload": str, "prev_hash": str, "hash": str,
        },
        pk="seq",
        not_null={"at", "actor", "type", "object_type", "object_id", "payload", "prev_hash", "hash"},
    )
    db.table("events").create_index(["incident_id", "seq"])
