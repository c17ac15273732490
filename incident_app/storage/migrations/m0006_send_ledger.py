"""The send ledger (one row per recipient and notice) and the send runs that lease it."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("send_ledger").create(
        {
            "id": int, "incident_id": int, "recipient_key": str, "notice_kind": str,
            "notice_version": str, "to_address": str, "language": str, "message_id": str,
            "state": str, "attempts": int, "in_doubt": int, "last_code": int, "last_reply": str,
            "reason": str, "next_attempt_at": str, "run_id": str, "queued_at": str,
            "updated_at": str, "sent_at": str, "fallback": str,
        },
        pk="id",
        not_null={"incident_id", "recipient_key", "notice_kind", "notice_version", "to_address",
                  "message_id", "state", "attempts", "in_doubt", "queued_at", "updated_at"},
        defaults={"attempts": 0, "in_doubt": 0, "last_reply": "", "reason": "", "language": ""},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    # Enqueueing is INSERT OR IGNORE on this key, so preparing a send twice never doubles a row.
    db.table("send_ledger").create_index(
        ["incident_id", "recipient_key", "notice_kind", "notice_version"], unique=True)
    db.table("send_ledger").create_index(["incident_id", "state"])
    db.table("send_ledger").create_index(["message_id"])
    db.table("send_runs").create(
        {
            "run_id": str, "incident_id": int, "pid": int, "host": str, "started_at": str,
            "heartbeat_at": str, "finished_at": str, "outcome": str,
        },
        pk="run_id",
        not_null={"incident_id", "pid", "host", "started_at", "heartbeat_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    # At most one unfinished run per incident: a second process fails on insert instead of
    # sending the same notices in parallel.
    db.execute(
        "CREATE UNIQUE INDEX idx_send_runs_one_active ON send_runs(incident_id) WHERE finished_at IS NULL")
