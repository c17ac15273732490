"""Notices: rendered versions with their fact snapshot, approvals bound to a content hash,
officer-edited templates (versioned) and officer-edited element texts."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("notice_versions").create(
        {"id": int, "incident_id": int, "kind": str, "channel": str, "lang": str, "format": str,
         "content": str, "sha256": str, "snapshot_json": str, "snapshot_sha256": str,
         "rendered_at": str, "rendered_by": str},
        pk="id", not_null={"incident_id", "kind", "channel", "lang", "content", "sha256", "snapshot_json",
                           "snapshot_sha256", "rendered_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("notice_versions").create_index(["incident_id", "kind", "channel", "lang", "id"])
    db.table("notice_approvals").create(
        {"id": int, "version_id": int, "incident_id": int, "approver": str, "approved_at": str, "sha256": str},
        pk="id", not_null={"version_id", "incident_id", "approver", "approved_at", "sha256"},
        foreign_keys=[("version_id", "notice_versions", "id"), ("incident_id", "incidents", "id")],
    )
    db.table("notice_approvals").create_index(["incident_id"])
    db.table("notice_templates").create(
        {"id": int, "name": str, "version": int, "source": str, "author": str, "created_at": str, "reset": int},
        pk="id", not_null={"name", "version", "source", "author", "created_at"},
    )
    db.table("notice_templates").create_index(["name", "version"], unique=True)
    db.table("notice_element_texts").create(
        {"id": int, "incident_id": int, "element": str, "lang": str, "text": str, "author": str, "created_at": str},
        pk="id", not_null={"incident_id", "element", "lang", "text", "created_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("notice_element_texts").create_index(["incident_id", "element", "lang"])
