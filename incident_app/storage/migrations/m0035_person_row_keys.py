"""One send-ledger key per person in every channel: a child without user id, e-mail or phone of
their own, reached through the guardian, was keyed ``#guardian`` by the e-mail sender and the SMS
hand-off (every such child alike) but ``person-<row id>#guardian`` by the mass-messaging platform
export. Every channel now keys them ``person-<row id>#guardian``
(domain.notices.recipient.person_key).

Old e-mail and SMS rows keyed ``#guardian`` get the new key of the one child on the list whose
guardian's address (or number) the row went to, so the sender finds them and never sends that
guardian the same notice again, and the obligation check matches them to that child. A row that
fits no child, or several, keeps its old key (its guardian may get the notice once more, under
the right key: better than counting it for the wrong child)."""

from __future__ import annotations

import sqlite_utils

# The one key-less child of the row's incident whose guardian contact is the row's address.
_ONLY_CHILD = (
    "SELECT CASE WHEN count(*) = 1 THEN min(p.id) END FROM people p WHERE p.incident_id = l.incident_id"
    " AND coalesce(p.user_id, '') = '' AND coalesce(p.email, '') = '' AND coalesce(p.phone, '') = ''"
    " AND l.to_address != ''"
    " AND ((l.channel = 'email' AND lower(p.guardian_email) = lower(l.to_address))"
    " OR (l.channel = 'sms' AND p.guardian_phone = l.to_address))")


def apply(db: sqlite_utils.Database) -> None:
    # Per incident: a seek of the unique (incident, key, kind, version) index, not a scan of a
    # ledger that may hold ten million rows.
    rows = [row for (incident,) in db.execute("SELECT id FROM incidents").fetchall()
            for row in db.execute(f"SELECT l.id, ({_ONLY_CHILD}) FROM send_ledger l WHERE l.incident_id = ?"
                                  " AND l.recipient_key = '#guardian' AND l.channel IN ('email', 'sms')",
                                  [incident]).fetchall()]
    # OR IGNORE: a row whose new key another row of that version already holds keeps its old key.
    db.conn.executemany("UPDATE OR IGNORE send_ledger SET recipient_key = ? WHERE id = ?",
                        [(f"person-{person}#guardian", row_id) for row_id, person in rows if person is not None])
