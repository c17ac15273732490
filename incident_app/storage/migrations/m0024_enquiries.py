"""Enquiries from affected people (and their replies), plus the indexes that answer "is this
person affected?" by normalised phone or e-mail in one B-tree probe.

Numbered 24, leaving 21-23 to changes made at the same time (numbers need only be unique and
increasing)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.table("enquiries").create(
        {"id": int, "incident_id": int, "channel": str, "received_at": str, "contact_kind": str, "contact": str,
         "topic": str, "text": str, "handler": str, "person_id": int, "status": str, "outcome": str,
         "needs_verification": int, "reply_due": str, "close_due": str, "first_reply_at": str, "closed_at": str,
         "recorded_at": str},
        pk="id",
        not_null={"incident_id", "channel", "received_at", "contact_kind", "contact", "topic", "text", "handler",
                  "status", "needs_verification", "reply_due", "recorded_at"},
        foreign_keys=[("incident_id", "incidents", "id")],
    )
    # The desk lists 150,000 enquiries of one incident by arrival, filtered by topic or status.
    db.execute("CREATE INDEX enquiries_incident_received ON enquiries (incident_id, id)")
    db.execute("CREATE INDEX enquiries_incident_topic ON enquiries (incident_id, topic, id)")
    db.execute("CREATE INDEX enquiries_incident_status ON enquiries (incident_id, status, id)")
    # A reply e-mail goes through the notices' relay code; its outcome (state, SMTP code, reply,
    # Message-ID) is kept here, beside the reply, so the notice ledger's counts and resumable
    # runs stay about notices.
    db.table("enquiry_replies").create(
        {"id": int, "enquiry_id": int, "kind": str, "template": str, "language": str, "body": str, "at": str,
         "by": str, "state": str, "message_id": str, "code": int, "relay_reply": str},
        pk="id", not_null={"enquiry_id", "kind", "template", "language", "body", "at", "by", "state"},
        foreign_keys=[("enquiry_id", "enquiries", "id")],
    )
    db.execute("CREATE INDEX enquiry_replies_enquiry ON enquiry_replies (enquiry_id, id)")
    # Partial indexes: only rows with a value are indexed, so people without a phone (or the many
    # without a guardian) cost the import nothing. Values are stored normalised (E.164, lower-case
    # e-mail), so a lookup normalised the same way is an exact probe.
    for column in ("email", "phone", "guardian_email", "guardian_phone"):
        db.execute(f"CREATE INDEX IF NOT EXISTS people_incident_{column} ON people (incident_id, {column})"
                   f" WHERE {column} != ''")
