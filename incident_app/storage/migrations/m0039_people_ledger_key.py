"""A person's send-ledger key follows the person, not the contact it was derived from.

A person without user id is keyed by their e-mail, else phone, else row (domain.notices.recipient
.person_key): correcting that contact changed the key, so the row of the old contact was not seen
as replaced by the row of the corrected one (contact_seq, migration 38) and still counted against
the duty. ``ledger_key`` holds the key a person had before a correction changed the contact it
was derived from; when set it is the person's key (person_key, storage/send_ledger.py
``CURRENT_PERSON_KEY``), so the corrected contact's row is the next ``contact_seq`` of the same
key and the old row is history, exactly as for a person keyed by user id.

Set-based on a 10,000,000-person list: a column without default (SQLite writes no row); only a
correction fills it. The retention purge blanks it with the contacts (it may be an e-mail)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE people ADD COLUMN ledger_key TEXT")
