"""An index on each incident's user ids, so looking a person up by a user-id prefix
(``people ID --search U1000``, the People tab's search box) is a B-tree range, not a scan.

Numbered 9: 8 was left to a people-model change made at the same time (numbers need only be
unique and increasing)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    # User ids are usually sequential within an export, so a million-row import appends to this
    # B-tree rather than splitting pages all over it (bench/import_people.py measures it).
    db.execute("CREATE INDEX IF NOT EXISTS people_incident_user_id ON people (incident_id, user_id)")
