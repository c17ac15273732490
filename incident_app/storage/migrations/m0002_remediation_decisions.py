"""Remediation actions, notes to individuals (advice, remedies) and signed decisions."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("remediation_actions").create(
        {"id": int, "incident_id": int, "description": str, "description_en": str, "kind": str,
         "status": str, "owner": str, "due_at": str, "done_at": str, "created_at": str},
        pk="id", not_null={"incident_id", "description", "kind", "status"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("notice_notes").create(
        {"id": int, "incident_id": int, "kind": str, "text_zh": str, "text_en": str, "created_at": str},
        pk="id", not_null={"incident_id", "kind"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    db.table("decisions").create(
        {"id": int, "incident_id": int, "kind": str, "rationale": str, "decided_by": str,
         "decided_at": str, "details": str, "signature": str},
        pk="id", not_null={"incident_id", "kind", "rationale", "decided_by", "decided_at", "signature"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    for table in ("remediation_actions", "notice_notes", "decisions"):
        db.table(table).create_index(["incident_id"])
