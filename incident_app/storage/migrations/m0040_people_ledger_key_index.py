"""A partial index on the kept send-ledger keys (``people.ledger_key``, migration 39), so the check
that refuses a send or a hand-off while two people would share a key (services/ledger_keys.py,
``PeopleRepository.shared_ledger_keys``) reads the incident's few kept keys by an index range
instead of scanning every person of the incident on every send, export and preview.

Partial: only a correction fills the column, so the index holds the corrected people alone. An
import leaves it NULL and the retention purge blanks it to '' with the other contacts: neither
writes an index entry (``IS NOT NULL AND != ''``; the query states both terms so SQLite may use
it). Building it on an existing file reads the people table once and writes the few rows set."""

from __future__ import annotations

import sqlite_utils

# storage/people.py's scan (shared_ledger_keys) repeats this condition word for word.
KEPT_KEY = "ledger_key IS NOT NULL AND ledger_key != ''"


def apply(db: sqlite_utils.Database) -> None:
    db.execute(f"CREATE INDEX IF NOT EXISTS people_incident_ledger_key ON people (incident_id, ledger_key)"
               f" WHERE {KEPT_KEY}")
