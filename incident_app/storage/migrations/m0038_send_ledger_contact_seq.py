"""A notice handed off again after the officer corrected the person's address or number is a new
ledger row, never a change of the old one: the row of the first hand-off keeps the contact it went
to (the history of what was sent where), the new row holds the corrected contact under a new
reference (storage/send_ledger.py, services/handoff).

``contact_seq`` numbers the rows of one recipient, notice kind and version: 0 for the first
contact (every existing row), 1, 2, … for each corrected one. The unique key that made enqueueing
idempotent, (incident, recipient key, kind, version), becomes (…, contact_seq): the same export
twice still adds nothing, a corrected contact adds one row.

Set-based on a 10,000,000-row ledger: the column is added with a constant default (SQLite writes
no row), the old unique index is dropped and the new one built in one sort; the partial index of
the corrected rows holds none yet."""

from __future__ import annotations

import sqlite_utils

# The name sqlite_utils gave the unique index of migration 6.
_OLD_UNIQUE = "idx_send_ledger_incident_id_recipient_key_notice_kind_notice_version"


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE send_ledger ADD COLUMN contact_seq INTEGER NOT NULL DEFAULT 0")
    # Built before the old one is dropped: at no moment does the table lack a unique key.
    db.execute("CREATE UNIQUE INDEX idx_send_ledger_recipient_contact ON send_ledger"
               "(incident_id, recipient_key, notice_kind, notice_version, contact_seq)")
    db.execute(f"DROP INDEX IF EXISTS {_OLD_UNIQUE}")
    # The rows of a corrected contact are few: the assessment finds the rows they supersede
    # through this index, never by a scan of the ledger.
    db.execute("CREATE INDEX idx_send_ledger_corrected ON send_ledger(incident_id) WHERE contact_seq > 0")
