"""The send ledger table and the send-run lease: set-based writes (executemany) so a batch of
results costs one transaction, and every state change guarded by the state it expects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlite_utils

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.assessment.delivery import PLATFORM, STAFF_KINDS, TEEN_GUARDIAN_CHANNELS, LedgerBatch
from incident_app.domain.clock import parse_time, to_iso, utc_iso
from incident_app.domain.mail import (
    AttemptResult,
    DeliveryOverview,
    FallbackChannel,
    LedgerDraft,
    LedgerEntry,
    Requeued,
    SendRun,
    SendState,
)

# Rows of notices to the company's own staff (the internal brief) stay out of the register's figures.
_NOT_STAFF = "notice_kind NOT IN (" + ",".join("?" * len(STAFF_KINDS)) + ")"
_CHUNK = 500  # keys per IN (...) lookup; well under SQLite's variable limit
# A row the retention purge has anonymised: no address left and a ``purged:`` key (its own id, or
# for the platform's rows the id of the person's first row).
_PURGED_ROW = "to_address = '' AND recipient_key LIKE 'purged:%'"
PURGED = "[purged]"
# The key the e-mail sender and the SMS hand-off once gave every child without user id, e-mail or
# phone alike (migration 35 re-keys the rows it can match to one child; the others keep it).
LEGACY_GUARDIAN_KEY = "#guardian"
PURGE_CHUNK = 5000  # rows anonymised per transaction of a chunked purge
# The unique (incident, key, kind, version, contact_seq) index (migration 38), named where a
# query seeks recipients by key: unique only with contact_seq, so without statistics SQLite would
# rather take an index of (incident, channel, state) or of the batches and read every row.
BY_RECIPIENT = "INDEXED BY idx_send_ledger_recipient_contact"
# Every column of the table (a caller naming columns of raw rows may name only these).
LEDGER_COLUMNS = ("id", "incident_id", "recipient_key", "notice_kind", "notice_version", "to_address", "language",
                  "message_id", "state", "attempts", "in_doubt", "last_code", "last_reply", "reason",
                  "next_attempt_at", "run_id", "queued_at", "updated_at", "sent_at", "fallback", "doubt_retries",
                  "channel", "contact_seq")
# The columns a carried row copies from the row already sent to the same contact (:meth:`SendLedgerRepository.carry`).
_CARRIED = tuple(c for c in LEDGER_COLUMNS if c not in ("id", "reason", "contact_seq"))
CARRIED_NOTE = "told at this contact before: the contact went back to it, nothing sent again (row of contact_seq "
_CONTACT_ROW = "id, recipient_key, notice_kind, notice_version, channel, contact_seq, to_address, state, message_id"


class ContactRow(NamedTuple):
    """One ledger row as the contact history reads it (services/contact_history.py)."""

    id: int
    recipient_key: str
    notice_kind: str
    notice_version: str
    channel: str
    contact_seq: int
    to_address: str
    state: str
    message_id: str
# The unary + keeps SQLite on the message_id index: on (incident_id, channel) it would walk every
# hand-off row for each report row. A staged report row r that changes ledger row l: the
# incident's hand-off row of that reference, a state to set (not "pending"), and a report later
# than the one it holds — compared as instants (julianday), not as text: a row's time written by
# an older version may carry another offset than the report's UTC. At the same instant (two
# reports that disagree; README: the platform hand-off, step 3) a failure replaces anything but a
# failure and a delivery replaces only a row still queued: the state is the same whichever report
# comes first, and a tie never claims delivered (the officer re-checks that person); a failure that
# replaces a delivery keeps its sent_at (the message was sent then: a bounce never erases that). A delivery
# reported for a row already delivered changes nothing: the first delivery time is the evidence
# that the person was told, and a later report of the same delivery must never move it later.
_SAME_INSTANT_WINS = "((r.state = 'failed' AND l.state != 'failed') OR (r.state = 'sent' AND l.state = 'queued'))"
_REPORT_MATCH = ("l.message_id = r.ref AND +l.incident_id = ? AND +l.channel = ? AND r.state != 'pending'"
                 " AND NOT (r.state = 'sent' AND l.state = 'sent')"
                 " AND (julianday(r.at) > julianday(l.updated_at)"
                 f" OR (julianday(r.at) = julianday(l.updated_at) AND {_SAME_INSTANT_WINS}))")


# A row of ``people p``'s send-ledger key (domain.notices.recipient.person_key in SQL: the key kept
# by a correction of the contact it came from (migration 39), else the user id, else the e-mail,
# else the phone, else the row id) and, for the guardian_* channels, the key of the guardian's row.
CURRENT_PERSON_KEY = ("CASE WHEN coalesce(p.ledger_key, '') != '' THEN p.ledger_key"
                      " WHEN coalesce(p.user_id, '') != '' THEN p.user_id WHEN coalesce(p.email, '') != ''"
                      " THEN p.email WHEN coalesce(p.phone, '') != '' THEN p.phone ELSE 'person-' || p.id END")
_ROW_KEY = f"CASE WHEN p.channel LIKE 'guardian^_%' ESCAPE '^' THEN {CURRENT_PERSON_KEY} || '#guardian'" \
           f" ELSE {CURRENT_PERSON_KEY} END"
# The contact a row of ``people p`` is told through in its channel: a sent row counts for the
# person only if it went there (a person keyed by user id keeps the key when the officer corrects
# the address or number: the notice sent to the old one told nobody on the list). A letter goes
# to the person's postal address (a guardian's to the household's, the child's own). A letter
# row without an address was handed to the platform before its rows kept one (migration 38):
# matched by key alone, as it was then — what it was sent to is not on record.
_ROW_CONTACT = ("CASE p.channel WHEN 'email' THEN p.email WHEN 'sms' THEN p.phone WHEN 'guardian_email'"
                " THEN p.guardian_email WHEN 'guardian_sms' THEN p.guardian_phone"
                " WHEN 'letter' THEN p.address WHEN 'guardian_letter' THEN p.address END")
_SAME_CONTACT = (f"(lower(trim(l.to_address)) = lower(trim(coalesce({_ROW_CONTACT}, '')))"
                 " OR (p.channel LIKE '%letter' AND l.to_address = ''))")
# Row ``l`` is the latest of its recipient, kind and version (no row of a higher contact_seq):
# the row the sender and the exports go by, and the only one the duty and the register read for a
# person — an earlier row sent to the contact they have again tells them only once it is copied as
# the latest (services/contact_history.py), so both always read the same row. One seek of the
# unique index per row.
_LATEST = (f"NOT EXISTS (SELECT 1 FROM send_ledger n {BY_RECIPIENT} WHERE n.incident_id = l.incident_id"
           " AND n.recipient_key = l.recipient_key AND n.notice_kind = l.notice_kind"
           " AND n.notice_version = l.notice_version AND n.contact_seq > l.contact_seq)")
# The person channels a notice can reach (domain.people.Channel, "none" aside).
REACHABLE_CHANNELS = ("email", "sms", "letter", "guardian_email", "guardian_sms", "guardian_letter")
# People (one rowid range of the list: the unary + keeps SQLite off the user-id index) by channel
# whose latest row of their notice kind in one ledger channel and version was sent to their
# contact now: a seek of the unique (incident, key, kind, version, contact_seq) index per person
# (and one for the latest-row check), summed per channel in one aggregate (a GROUP BY would sort
# every matching person first).
_REACHED_SQL = (
    "SELECT " + ", ".join(f"coalesce(sum(p.channel = '{c}'), 0)" for c in REACHABLE_CHANNELS)
    + " FROM people p WHERE p.id BETWEEN ? AND ? AND +p.incident_id = ? AND EXISTS ("
    f"SELECT 1 FROM send_ledger l {BY_RECIPIENT} WHERE l.incident_id = p.incident_id"
    f" AND l.recipient_key = {_ROW_KEY} AND l.notice_kind IN ('individual', 'minor', 'guardian')"
    " AND (l.notice_kind = 'guardian') = (p.channel LIKE 'guardian^_%' ESCAPE '^')"
    f" AND l.notice_version = ? AND l.channel = ? AND l.state = 'sent' AND {_SAME_CONTACT} AND {_LATEST})")

# A teenager told through a contact of their own (person channel email, sms or letter) whose
# guardian gets a notice too, and how it goes — the guardian's e-mail, else phone, else a letter to
# the household address (domain.notices.recipient.recipients_from_person) — and the contact it
# goes to (for a letter the household address; a letter row without one, handed to the platform
# before its rows kept an address, is matched by key alone, as the letters of _SAME_CONTACT).
_TEENS = "p.minor_band = 'teen' AND p.channel IN ('email', 'sms', 'letter')"
_TEEN_GUARDIAN = ("CASE WHEN trim(coalesce(p.guardian_email, '')) != '' THEN 'email'"
                  " WHEN trim(coalesce(p.guardian_phone, '')) != '' THEN 'sms'"
                  " WHEN trim(coalesce(p.address, '')) != '' THEN 'letter' END")
_TEEN_GUARDIAN_CONTACT = ("CASE WHEN trim(coalesce(p.guardian_email, '')) != '' THEN p.guardian_email"
                          " WHEN trim(coalesce(p.guardian_phone, '')) != '' THEN p.guardian_phone"
                          " ELSE coalesce(p.address, '') END")
_TEEN_GUARDIAN_SUMS = ", ".join(f"coalesce(sum(g = '{c}'), 0)" for c in TEEN_GUARDIAN_CHANNELS)
# The teenagers' guardians by how their notice goes: a pass over one rowid range of the list.
_TEEN_GUARDIANS_SQL = (f"SELECT {_TEEN_GUARDIAN_SUMS} FROM (SELECT {_TEEN_GUARDIAN} AS g FROM people p"
                       f" WHERE p.id BETWEEN ? AND ? AND +p.incident_id = ? AND {_TEENS})")
# Those of them whose guardian has a sent row (``<key>#guardian``) of one ledger channel and
# version, to the guardian's contact now: a seek of the unique index per teenager, as _REACHED_SQL.
_TEEN_GUARDIANS_REACHED_SQL = (
    f"SELECT {_TEEN_GUARDIAN_SUMS} FROM (SELECT {_TEEN_GUARDIAN} AS g FROM people p"
    f" WHERE p.id BETWEEN ? AND ? AND +p.incident_id = ? AND {_TEENS} AND EXISTS ("
    f"SELECT 1 FROM send_ledger l {BY_RECIPIENT} WHERE l.incident_id = p.incident_id"
    f" AND l.recipient_key = ({CURRENT_PERSON_KEY}) || '#guardian' AND l.notice_kind = 'guardian'"
    " AND l.notice_version = ? AND l.channel = ? AND l.state = 'sent'"
    f" AND (lower(trim(l.to_address)) = lower(trim({_TEEN_GUARDIAN_CONTACT}))"
    f" OR ({_TEEN_GUARDIAN} = 'letter' AND l.to_address = '')) AND {_LATEST}))")

# The register's people per channel (services/register/sources.py): one bucket per person now on
# the list, from their own rows in the ledger (the guardian's row for the guardian_* channels):
# 1 told by e-mail (a sent e-mail to their contact now); 0 told otherwise (the SMS gateway or the
# mass-messaging platform reported their message delivered); else still waiting — 3 for an SMS,
# 4 for a letter (their channel, or the fallback of their failed e-mail), 5 for the announcement
# (no contact, or that fallback), 2 for an e-mail not yet sent. Only each version's latest row
# of the person counts (the highest contact_seq, as the sender and the exports look rows up): a
# contact corrected and sent again is one person, told or waiting as the row of the contact
# corrected last says, never counted twice, and the old row is history. One seek of the unique
# (incident, key, kind, version, contact_seq) index per person, and one per row for a later row;
# the LIMIT keeps the per-person subquery in a co-routine (SQLite would otherwise copy it into each
# of the sums and run it five times per person).
_OWN_PHONE = "CASE WHEN p.channel LIKE 'guardian^_%' ESCAPE '^' THEN p.guardian_phone ELSE p.phone END"
_BUCKET_SQL = (
    "SELECT CASE"
    " WHEN p.channel IN ('email', 'guardian_email') AND max(l.channel = 'email' AND l.state = 'sent'"
    f" AND {_SAME_CONTACT}) THEN 1"
    f" WHEN max(l.channel = 'platform' AND l.state = 'sent' AND {_SAME_CONTACT})"
    " OR max(l.channel = 'sms' AND l.state = 'sent'"
    f" AND lower(trim(l.to_address)) = lower(trim(coalesce({_OWN_PHONE}, '')))) THEN 0"
    " WHEN p.channel IN ('sms', 'guardian_sms') THEN 3 WHEN p.channel IN ('letter', 'guardian_letter') THEN 4"
    " ELSE coalesce(max(CASE WHEN l.channel = 'email' AND l.state = 'failed' AND "
    f"{_SAME_CONTACT} THEN CASE l.fallback WHEN 'sms' THEN 3 WHEN 'letter' THEN 4 WHEN 'announcement' THEN 5 END"
    " END), 2) END"
    f" FROM send_ledger l {BY_RECIPIENT} WHERE l.incident_id = p.incident_id AND l.recipient_key = {_ROW_KEY}"
    " AND l.notice_kind IN ('individual', 'minor', 'guardian')"
    f" AND (l.notice_kind = 'guardian') = (p.channel LIKE 'guardian^_%' ESCAPE '^') AND {_LATEST}")
TOLD_BUCKETS = ("told_otherwise", "notified_email", "pending_email", "pending_sms", "pending_letter",
                "announcement_people")
_TOLD_SQL = (
    "SELECT " + ", ".join(f"coalesce(sum(b = {i}), 0)" for i in range(len(TOLD_BUCKETS)))
    + " FROM (SELECT CASE WHEN p.channel IN " + str(REACHABLE_CHANNELS)
    + f" THEN ({_BUCKET_SQL}) ELSE 5 END AS b"
    " FROM people p WHERE p.id BETWEEN ? AND ? AND +p.incident_id = ? LIMIT -1)")


class SendLedgerRepository:
    """Rows of ``send_ledger``; returns domain objects, never rows."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # -- enqueue and read -----------------------------------------------------------------------
    def enqueue(self, drafts: Iterable[LedgerDraft], *, now: datetime) -> int:
        """Insert rows that do not exist yet (idempotent); returns how many were new."""
        stamp = utc_iso(now)
        drafts = self._carry_drafts(drafts)
        before = self._db.conn.total_changes
        self._db.conn.executemany(
            "INSERT OR IGNORE INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version,"
            " to_address, language, message_id, state, attempts, in_doubt, queued_at, updated_at, contact_seq)"
            " VALUES (?,?,?,?,?,?,?,?,0,0,?,?,?)",
            ([d.incident_id, d.recipient_key, d.notice_kind, d.notice_version, d.to_address, d.language,
              d.message_id, SendState.QUEUED.value, stamp, stamp, d.contact_seq] for d in drafts),
        )
        return int(self._db.conn.total_changes - before)

    def _carry_drafts(self, drafts: Iterable[LedgerDraft]) -> list[LedgerDraft]:
        """Write the drafts that continue a row already sent to their contact (``carried_from``:
        :meth:`carry`) and return the others, to be queued. Carried rows are no new message and
        are not counted as new rows."""
        queued: list[LedgerDraft] = []
        carried: list[tuple[int, int]] = []
        for draft in drafts:
            if draft.carried_from:
                carried.append((draft.carried_from, draft.contact_seq))
            else:
                queued.append(draft)
        self.carry(carried)
        return queued

    def carry(self, rows: Sequence[tuple[int, int]]) -> int:
        """For each (row id, contact_seq): a new row of the same recipient, kind and version under
        that ``contact_seq``, a copy of the row (contact, message id, state, attempts, times): the
        person's contact went back to one this notice was already sent to, so the latest row —
        the one the sender, the exports, the duty and the register read — says they were told
        there, when and by which message, and nothing is sent again. Idempotent (the unique
        index); returns how many rows were written."""
        before = self._db.conn.total_changes
        self._db.conn.executemany(
            f"INSERT OR IGNORE INTO send_ledger ({', '.join(_CARRIED)}, reason, contact_seq)"
            f" SELECT {', '.join(_CARRIED)}, ? || contact_seq || ')', ? FROM send_ledger WHERE id = ?",
            ([CARRIED_NOTE, seq, row_id] for row_id, seq in rows))
        return int(self._db.conn.total_changes - before)

    def sent_rows(self, incident_id: int, channel: str, version: str,
                  keys: Sequence[str]) -> dict[tuple[str, str], list[ContactRow]]:
        """(recipient key, notice kind) -> the rows of these recipients sent (or handed off and not
        reported on yet) in one version and ledger channel, in contact_seq order: a contact now
        equal to one of them was told already, or has the message on its way.
        Asked only for recipients whose contact moved (few): a seek of the unique index per key."""
        found: dict[tuple[str, str], list[ContactRow]] = {}
        for chunk in _distinct_chunks(keys):
            rows = self._db.execute(
                f"SELECT {_CONTACT_ROW} FROM send_ledger {BY_RECIPIENT} WHERE incident_id = ?"
                f" AND recipient_key IN ({','.join('?' * len(chunk))}) AND notice_version = ? AND channel = ?"
                # Sent, or a hand-off row not reported on yet (services.contact_history.reached_or_on_its_way).
                " AND (state = 'sent' OR (state = 'queued' AND channel != 'email')) ORDER BY contact_seq",
                [incident_id, *chunk, version, channel])
            for row in rows:
                entry = ContactRow(*row)
                found.setdefault((entry.recipient_key, entry.notice_kind), []).append(entry)
        return found

    def contact_rows(self, incident_id: int, keys: Sequence[str]) -> list[ContactRow]:
        """Every row of these recipient keys (one person's own and guardian's: any kind, version
        and channel), in contact_seq order; a seek of the unique index per key."""
        rows = self._db.execute(
            f"SELECT {_CONTACT_ROW} FROM send_ledger {BY_RECIPIENT} WHERE incident_id = ?"
            f" AND recipient_key IN ({','.join('?' * len(keys))}) ORDER BY contact_seq", [incident_id, *keys])
        return [ContactRow(*row) for row in rows]

    def lookup(
        self, incident_id: int, kind: str, version: str, recipient_keys: Sequence[str],
    ) -> dict[str, LedgerEntry]:
        """The rows of these recipients for one notice kind and version, by recipient key: the
        latest of each (the highest ``contact_seq``: the row of the contact corrected last)."""
        found: dict[str, LedgerEntry] = {}
        for start in range(0, len(recipient_keys), _CHUNK):
            chunk = list(recipient_keys[start:start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = self._db.query(
                f"SELECT * FROM send_ledger {BY_RECIPIENT} WHERE incident_id = ? AND notice_kind = ?"
                f" AND notice_version = ? AND recipient_key IN ({marks}) ORDER BY contact_seq",
                [incident_id, kind, version, *chunk])
            found.update((r["recipient_key"], _to_entry(r)) for r in rows)
        return found

    def page(self, incident_id: int, state: SendState | None = None, *, after_id: int = 0,
             limit: int = 200) -> list[LedgerEntry]:
        """One page of the ledger in id order, optionally only one state: the rows after row
        ``after_id`` (keyset paging — the next page starts after the last id of this one, so page
        50,000 of a 10,000,000-row ledger costs what the first does; OFFSET would step over every
        row before it)."""
        where, params = _filter(incident_id, state)
        rows = self._db.query(f"SELECT * FROM send_ledger WHERE {where} AND id > ? ORDER BY id LIMIT ?",
                              [*params, after_id, limit])
        return [_to_entry(r) for r in rows]

    def iter_entries(self, incident_id: int, state: SendState | None = None, *,
                     chunk: int = 5000) -> Iterator[LedgerEntry]:
        """Every row of the incident (one state) in id order, read in keyset pages of ``chunk``:
        memory holds one page, whatever the ledger's size."""
        after = 0
        while True:
            page = self.page(incident_id, state, after_id=after, limit=chunk)
            yield from page
            if len(page) < chunk:
                return
            after = page[-1].id

    def iter_raw(self, incident_id: int, columns: Sequence[str], *, chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
        """The incident's rows as plain tuples of ``columns`` (``id`` first), in id order, read in
        keyset pages: for streaming a 10,000,000-row ledger to a file without building a domain
        object per row."""
        if not columns or columns[0] != "id" or any(c not in LEDGER_COLUMNS for c in columns):
            raise ValueError(f"send ledger columns must start with id and be among {LEDGER_COLUMNS}")
        sql = (f"SELECT {', '.join(columns)} FROM send_ledger WHERE incident_id = ? AND id > ?"
               " ORDER BY id LIMIT ?")
        after = 0
        while True:
            rows = self._db.conn.execute(sql, [incident_id, after, chunk]).fetchall()
            yield from rows
            if len(rows) < chunk:
                return
            after = int(rows[-1][0])

    def iter_pages(self, incident_id: int, expressions: str, params: Sequence[Any] = (), *,
                   chunk: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
        """The incident's rows in id order as lists of up to ``chunk`` tuples of the SQL
        ``expressions`` (the first must be ``id``; ``params`` fill their placeholders), read in
        keyset pages: for rendering a 10,000,000-row ledger in SQL, one page at a time."""
        if not expressions.startswith("id,"):
            raise ValueError("the expressions must start with the row id")
        sql = (f"SELECT {expressions} FROM send_ledger WHERE incident_id = ? AND id > ?"
               " ORDER BY id LIMIT ?")
        after = 0
        while True:
            rows = self._db.conn.execute(sql, [*params, incident_id, after, chunk]).fetchall()
            if rows:
                yield rows
            if len(rows) < chunk:
                return
            after = int(rows[-1][0])

    def iter_page_aggregates(self, incident_id: int, expressions: str, aggregates: str,
                             params: Sequence[Any] = (), *,
                             chunk: int = 5000) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(the id the page starts after, one row) per keyset page of up to ``chunk`` of the
        incident's rows in id order: ``aggregates`` (the first two must be ``max(id)`` and
        ``count(*)``) over the page's rows of ``expressions`` (the first must be ``id``; ``params``
        fill their placeholders). Each page is ONE sqlite3_step, during which the GIL is
        released: another thread runs Python while SQLite renders the page (the evidence pack's
        ledger)."""
        if not expressions.startswith("id,") or not aggregates.startswith("max(id), count(*),"):
            raise ValueError("the expressions must start with the row id, the aggregates with max(id), count(*)")
        sql = (f"SELECT {aggregates} FROM (SELECT {expressions} FROM send_ledger WHERE incident_id = ? AND id > ?"
               " ORDER BY id LIMIT ?)")
        after = 0
        while True:
            page = self._db.conn.execute(sql, [*params, incident_id, after, chunk]).fetchone()
            if not page[1]:
                return
            yield after, page
            if page[1] < chunk:
                return
            after = int(page[0])

    def page_between(self, incident_id: int, expressions: str, params: Sequence[Any], after: int,
                     last: int) -> list[tuple[Any, ...]]:
        """The incident's rows with ids after ``after`` up to ``last``, in id order, as tuples of
        the SQL ``expressions`` (as :meth:`iter_pages` gives them)."""
        return self._db.conn.execute(
            f"SELECT {expressions} FROM send_ledger WHERE incident_id = ? AND id > ? AND id <= ? ORDER BY id",
            [*params, incident_id, after, last]).fetchall()

    def raw_by_id(self, ids: Sequence[int], columns: Sequence[str]) -> dict[int, tuple[Any, ...]]:
        """Rows ``ids`` as plain tuples of ``columns`` (``id`` first), keyed by id."""
        if not columns or columns[0] != "id" or any(c not in LEDGER_COLUMNS for c in columns):
            raise ValueError(f"send ledger columns must start with id and be among {LEDGER_COLUMNS}")
        found: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(ids), 500):  # under SQLite's limit of bound parameters
            part = list(ids[start:start + 500])
            marks = ",".join("?" * len(part))
            for row in self._db.conn.execute(
                    f"SELECT {', '.join(columns)} FROM send_ledger WHERE id IN ({marks})", part):
                found[int(row[0])] = row
        return found

    def count(self, incident_id: int, state: SendState | None = None) -> int:
        where, params = _filter(incident_id, state)
        return int(self._db.execute(f"SELECT count(*) FROM send_ledger WHERE {where}", params).fetchone()[0])

    def counts(self, incident_id: int, channel: str | None = None) -> dict[SendState, int]:
        """Rows by state (every state present, zero when empty); ``channel``: only its rows."""
        where, params = ("incident_id = ?", [incident_id]) if channel is None else (
            "incident_id = ? AND channel = ?", [incident_id, channel])
        rows = self._db.execute(f"SELECT state, count(*) FROM send_ledger WHERE {where} GROUP BY state", params)
        found = {SendState(state): int(n) for state, n in rows}
        return {s: found.get(s, 0) for s in SendState}

    def fallback_counts(self, incident_id: int) -> dict[FallbackChannel, int]:
        """Failed rows by fallback channel: per channel a range of the (incident, channel, state,
        fallback) index holding only the failed rows — not a scan of all the incident's rows."""
        found = dict.fromkeys(FallbackChannel, 0)
        for channel in self.channels(incident_id):
            rows = self._db.execute(
                "SELECT fallback, count(*) FROM send_ledger WHERE incident_id = ? AND channel = ? AND state = ?"
                " AND fallback IS NOT NULL GROUP BY fallback", [incident_id, channel, SendState.FAILED.value])
            for fallback, n in rows:
                found[FallbackChannel(fallback)] += int(n)
        return found

    def channels(self, incident_id: int) -> list[str]:
        """The channels the incident's rows use (email, sms, phone, …), one index seek each."""
        found: list[str] = []
        while True:
            (channel,) = self._db.execute(
                "SELECT min(channel) FROM send_ledger WHERE incident_id = ? AND channel > ?",
                [incident_id, found[-1] if found else ""]).fetchone()
            if channel is None:
                return found
            found.append(str(channel))

    def in_doubt_count(self, incident_id: int) -> int:
        # The partial index of the few rows in doubt (migration 32), named: without statistics
        # SQLite would rather scan a covering index of every row of the incident.
        return int(self._db.execute(
            "SELECT count(*) FROM send_ledger INDEXED BY idx_send_ledger_in_doubt WHERE incident_id = ?"
            " AND in_doubt > 0", [incident_id]).fetchone()[0])

    def batches(self, incident_id: int | None = None,
                staff: Sequence[str] | None = None) -> dict[int, list[LedgerBatch]]:
        """Rows and rows sent per (incident, notice kind, version), with the last acceptance time;
        one grouped query for one incident or for all (the register).

        ``staff`` (the ledger keys of the responsible persons now in the profile): a brief row that
        was not sent to somebody no longer on the list is left out — the officer corrected a
        refused address (a new key) or removed the person, so that row no longer stands between
        the brief and "sent to every responsible person"."""
        clauses: list[str] = []
        params: list[Any] = []
        if incident_id is not None:
            clauses.append("incident_id = ?")
            params.append(incident_id)
        if staff is not None:
            clauses.append("NOT (notice_kind IN (" + ",".join("?" * len(STAFF_KINDS)) + ") AND state != 'sent'"
                           " AND recipient_key NOT IN (SELECT value FROM json_each(?)))")
            params += [*STAFF_KINDS, json.dumps(list(staff))]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.execute(
            "SELECT incident_id, notice_kind, notice_version, count(*), sum(state = 'sent'),"
            f" max(CASE WHEN state = 'sent' THEN sent_at END), channel FROM send_ledger {where}"
            " GROUP BY incident_id, notice_kind, notice_version, channel", params)
        found: dict[int, list[LedgerBatch]] = {}
        for incident, kind, version, total, sent, last, channel in rows:
            found.setdefault(int(incident), []).append(
                LedgerBatch(kind, version, int(total), int(sent), _time(last), channel or "email"))
        return found

    def unmatched_guardian_rows(self, incident_id: int | None = None) -> dict[int, list[LedgerBatch]]:
        """The e-mail and SMS rows still keyed ``#guardian`` (the old key of every key-less child
        alike, which migration 35 could not give to exactly one child), as batches per incident
        (kind, version, channel, rows, sent): they are no delivered notice for any child, and the
        assessment takes them out of the batches' counts. A seek of the unique (incident, key,
        kind, version) index per incident, never a scan of the ledger."""
        scope = "incident_id = ?" if incident_id is not None else "incident_id IN (SELECT id FROM incidents)"
        rows = self._db.execute(
            "SELECT incident_id, notice_kind, notice_version, channel, count(*), sum(state = 'sent'),"
            f" max(CASE WHEN state = 'sent' THEN sent_at END) FROM send_ledger {BY_RECIPIENT} WHERE {scope}"
            f" AND recipient_key = '{LEGACY_GUARDIAN_KEY}' AND channel IN ('email', 'sms')"
            " GROUP BY incident_id, notice_kind, notice_version, channel", [] if incident_id is None else [incident_id])
        found: dict[int, list[LedgerBatch]] = {}
        for incident, kind, version, channel, total, sent, last in rows:
            found.setdefault(int(incident), []).append(
                LedgerBatch(kind, version, int(total), int(sent), _time(last), channel))
        return found

    def reached_people(self, incident_id: int, channel: str, version: str,
                       people_ranges: Sequence[tuple[int, int]]) -> dict[str, int]:
        """People now on the incident's list, by their channel, who have a row *sent* in this
        ledger channel and notice version, matched by recipient key (the guardian's row for the
        guardian_* channels, their own otherwise) and sent to the person's contact now (e-mail or
        number, letter case and spaces aside): rows of people no longer on the list, keyed by a
        contact since corrected, or sent to an address or number since corrected (a person keyed
        by user id keeps the key), count for nobody. ``people_ranges`` are the list's rowid
        ranges (storage.people); one pass over them, an index seek per person."""
        found = dict.fromkeys(REACHABLE_CHANNELS, 0)
        for first, last in people_ranges:
            counts = self._db.execute(_REACHED_SQL, [first, last, incident_id, version, channel]).fetchone()
            for person_channel, n in zip(REACHABLE_CHANNELS, counts, strict=True):
                found[person_channel] += int(n)
        return {c: n for c, n in found.items() if n}

    def reached_people_plan(self, incident_id: int) -> list[str]:
        """EXPLAIN QUERY PLAN of :meth:`reached_people`'s query (the tests check it seeks)."""
        rows = self._db.execute("EXPLAIN QUERY PLAN " + _REACHED_SQL, [0, 0, incident_id, "", ""]).fetchall()
        return [str(r[-1]) for r in rows]

    def teen_guardians(self, incident_id: int, people_ranges: Sequence[tuple[int, int]]) -> dict[str, int]:
        """The guardians of the teenagers on the list told through a contact of their own, by
        how the guardian's notice goes (``TEEN_GUARDIAN_CHANNELS`` values; a teenager reached
        only through the guardian has a guardian_* person channel and is not counted here)."""
        return self._teen_sums(_TEEN_GUARDIANS_SQL, incident_id, people_ranges, ())

    def teen_guardians_reached(self, incident_id: int, channel: str, version: str,
                               people_ranges: Sequence[tuple[int, int]]) -> dict[str, int]:
        """:meth:`teen_guardians` who have a guardian's row (``<key>#guardian``) sent in this
        ledger channel and version to the guardian's contact now (a letter by key alone); the
        same match as :meth:`reached_people`, one index seek per teenager."""
        return self._teen_sums(_TEEN_GUARDIANS_REACHED_SQL, incident_id, people_ranges, (version, channel))

    def _teen_sums(self, sql: str, incident_id: int, people_ranges: Sequence[tuple[int, int]],
                   params: Sequence[str]) -> dict[str, int]:
        found = dict.fromkeys(TEEN_GUARDIAN_CHANNELS.values(), 0)
        for first, last in people_ranges:
            counts = self._db.execute(sql, [first, last, incident_id, *params]).fetchone()
            for name, n in zip(TEEN_GUARDIAN_CHANNELS.values(), counts, strict=True):
                found[name] += int(n)
        return {c: n for c, n in found.items() if n}

    def teen_guardians_reached_plan(self, incident_id: int) -> list[str]:
        """EXPLAIN QUERY PLAN of :meth:`teen_guardians_reached`'s query (the tests check it seeks)."""
        rows = self._db.execute("EXPLAIN QUERY PLAN " + _TEEN_GUARDIANS_REACHED_SQL,
                                [0, 0, incident_id, "", ""]).fetchall()
        return [str(r[-1]) for r in rows]

    def people_told(self, incident_id: int, people_ranges: Sequence[tuple[int, int]]) -> dict[str, int]:
        """The register's people per channel (:data:`TOLD_BUCKETS`) of the people now on the
        incident's list, from their own rows: a sent row of somebody replaced, or sent to an
        address since corrected, tells nobody on the list. ``people_ranges`` are the list's rowid
        ranges (storage.people); one aggregate per range, an index seek per person."""
        found = dict.fromkeys(TOLD_BUCKETS, 0)
        for first, last in people_ranges:
            counts = self._db.execute(_TOLD_SQL, [first, last, incident_id]).fetchone()
            for bucket, n in zip(TOLD_BUCKETS, counts, strict=True):
                found[bucket] += int(n)
        return found

    def people_told_plan(self, incident_id: int) -> list[str]:
        """EXPLAIN QUERY PLAN of :meth:`people_told`'s query (the tests check it seeks)."""
        rows = self._db.execute("EXPLAIN QUERY PLAN " + _TOLD_SQL, [0, 0, incident_id]).fetchall()
        return [str(r[-1]) for r in rows]

    # -- notices handed to an SMS gateway or a call centre --------------------------------------
    def enqueue_handoff(self, drafts: Iterable[LedgerDraft], channel: str, *, now: datetime) -> int:
        """Rows for notices another system delivers (``channel`` sms, phone or platform): queued
        until the provider's report says what happened; idempotent like :meth:`enqueue` — a row
        of the same recipient, kind, version and ``contact_seq`` is never written again (a
        corrected contact comes with the next ``contact_seq``: :meth:`latest_contacts`). A draft
        that continues a row already delivered to its contact (``carried_from``) is copied
        (:meth:`carry`), not queued, and not counted."""
        stamp = utc_iso(now)
        drafts = self._carry_drafts(drafts)
        before = self._db.conn.total_changes
        self._db.conn.executemany(
            "INSERT OR IGNORE INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version,"
            " to_address, language, message_id, state, attempts, in_doubt, queued_at, updated_at, channel,"
            " contact_seq) VALUES (?,?,?,?,?,?,?,?,0,0,?,?,?,?)",
            ([d.incident_id, d.recipient_key, d.notice_kind, d.notice_version, d.to_address, d.language,
              d.message_id, SendState.QUEUED.value, stamp, stamp, channel, d.contact_seq] for d in drafts),
        )
        return int(self._db.conn.total_changes - before)

    def latest_contacts(self, incident_id: int, channel: str, version: str,
                        keys: Sequence[str]) -> dict[tuple[str, str], tuple[int, str, str, str]]:
        """(recipient key, notice kind) -> (contact_seq, to_address, message_id, state) of the
        latest row of each of these recipients in one version and ledger channel: what a new
        export (or send) of that version compares the contact it uses now with. A seek of the
        unique (incident, key, kind, version, contact_seq) index per key, a few hundred keys per
        query."""
        found: dict[tuple[str, str], tuple[int, str, str, str]] = {}
        for chunk in _distinct_chunks(keys):
            rows = self._db.execute(
                "SELECT recipient_key, notice_kind, contact_seq, to_address, message_id, state FROM send_ledger"
                f" {BY_RECIPIENT} WHERE incident_id = ? AND recipient_key IN ({','.join('?' * len(chunk))})"
                " AND notice_version = ? AND channel = ?", [incident_id, *chunk, version, channel])
            for key, kind, seq, address, message, state in rows:
                held = found.get((key, kind))
                if held is None or int(seq) > held[0]:
                    found[(key, kind)] = (int(seq), str(address), str(message), str(state))
        return found

    def latest_contacts_by_version(self, incident_id: int, channel: str, drafts: Sequence[LedgerDraft]
                                   ) -> dict[str, dict[tuple[str, str], tuple[int, str, str, str]]]:
        """:meth:`latest_contacts` of every notice version among ``drafts``: version -> (recipient
        key, notice kind) -> (contact_seq, to_address, message_id, state)."""
        held: dict[str, dict[tuple[str, str], tuple[int, str, str, str]]] = {}
        for version in dict.fromkeys(d.notice_version for d in drafts):
            keys = [d.recipient_key for d in drafts if d.notice_version == version]
            held[version] = self.latest_contacts(incident_id, channel, version, keys)
        return held

    def blank_address_rows(self, incident_id: int, channel: str, version: str,
                           keys: Sequence[str]) -> dict[str, datetime]:
        """recipient key -> when its last row without an address (handed off before the rows
        kept one, migration 38) of this version and channel was queued, for these keys."""
        found: dict[str, datetime] = {}
        for chunk in _distinct_chunks(keys):
            rows = self._db.execute(
                f"SELECT recipient_key, max(queued_at) FROM send_ledger {BY_RECIPIENT} WHERE incident_id = ?"
                f" AND recipient_key IN ({','.join('?' * len(chunk))}) AND notice_version = ? AND channel = ?"
                " AND to_address = '' GROUP BY recipient_key", [incident_id, *chunk, version, channel])
            found.update((str(key), parse_time(str(queued))) for key, queued in rows)
        return found

    def contact_history(self, incident_id: int) -> tuple[dict[int, int], set[int]]:
        """(row id -> contact_seq of each of the incident's rows handed off again to a corrected
        contact — contact_seq above 0 —, the ids of the rows a later row of the same recipient,
        kind and version replaced): what the evidence pack's ledger.csv says of each row besides
        its own columns. Found from the few corrected rows (a partial index), each one's
        predecessors by a seek of the unique index — never a scan of the ledger."""
        seqs = {int(i): int(seq) for i, seq in self._db.execute(
            "SELECT id, contact_seq FROM send_ledger INDEXED BY idx_send_ledger_corrected"
            " WHERE incident_id = ? AND contact_seq > 0", [incident_id])}
        replaced = {int(i) for (i,) in self._db.execute(
            "SELECT DISTINCT o.id FROM send_ledger n INDEXED BY idx_send_ledger_corrected"
            f" CROSS JOIN send_ledger o {BY_RECIPIENT} ON o.incident_id = n.incident_id"
            " AND o.recipient_key = n.recipient_key AND o.notice_kind = n.notice_kind"
            " AND o.notice_version = n.notice_version AND o.contact_seq < n.contact_seq"
            " WHERE n.incident_id = ? AND n.contact_seq > 0", [incident_id])}
        return seqs, replaced

    def superseded_rows(self, incident_id: int | None = None) -> dict[int, list[LedgerBatch]]:
        """The rows a later row of the same recipient, kind and version replaced (handed off again
        to a corrected contact), as batches per incident: kept as the history of what went to the
        old address, they no longer stand between the version and "every row reported": the
        assessment takes them out of the batches' counts (their people are matched to the row of
        their contact now). Found from the few corrected rows (a partial index), each one's
        predecessor by a seek of the unique index — never a scan of the ledger."""
        scope = "n.incident_id = ?" if incident_id is not None else "n.incident_id IN (SELECT id FROM incidents)"
        rows = self._db.execute(
            "SELECT o.incident_id, o.notice_kind, o.notice_version, o.channel, count(*), sum(o.state = 'sent'),"
            " max(CASE WHEN o.state = 'sent' THEN o.sent_at END)"
            # CROSS JOIN: the corrected rows first (SQLite keeps that order), their predecessors seeked.
            f" FROM send_ledger n INDEXED BY idx_send_ledger_corrected CROSS JOIN send_ledger o {BY_RECIPIENT}"
            " ON o.incident_id = n.incident_id AND o.recipient_key = n.recipient_key"
            " AND o.notice_kind = n.notice_kind AND o.notice_version = n.notice_version"
            f" AND o.contact_seq = n.contact_seq - 1 WHERE {scope} AND n.contact_seq > 0"
            " GROUP BY o.incident_id, o.notice_kind, o.notice_version, o.channel",
            [] if incident_id is None else [incident_id])
        found: dict[int, list[LedgerBatch]] = {}
        for incident, kind, version, channel, total, sent, last in rows:
            found.setdefault(int(incident), []).append(
                LedgerBatch(kind, version, int(total), int(sent), _time(last), channel or "email"))
        return found

    def handoff_rows(self, incident_id: int, channel: str, *, out_id: str = "",
                     address: str = "") -> list[tuple[int, str, str]]:
        """(row id, state, last reply) of the hand-off rows with this out id, else this number."""
        if out_id:
            where, value = "message_id = ?", out_id
        else:
            where, value = "to_address = ?", address
        rows = self._db.execute(
            f"SELECT id, state, coalesce(last_reply, '') FROM send_ledger WHERE incident_id = ? AND channel = ?"
            f" AND {where} ORDER BY id", [incident_id, channel, value])
        return [(int(i), str(st), str(reply)) for i, st, reply in rows]

    def handoff_rows_by(self, incident_id: int, channel: str, column: str,
                        values: Sequence[str]) -> dict[str, list[tuple[int, str, str]]]:
        """:meth:`handoff_rows` for many out ids (``column`` "message_id") or numbers
        ("to_address") at once, by value; one query per few hundred values (a 10M-row report)."""
        if column not in ("message_id", "to_address"):
            raise ValueError(f"hand-off rows are looked up by message_id or to_address, not {column!r}")
        # By out id: the unary + keeps SQLite on the message_id index (else it walks every row
        # of the incident's channel through the address index: 30 s for a 35,000-row report).
        scope = "+incident_id = ? AND +channel = ?" if column == "message_id" else "incident_id = ? AND channel = ?"
        found: dict[str, list[tuple[int, str, str]]] = {}
        for chunk in _distinct_chunks(values):
            rows = self._db.execute(
                f"SELECT {column}, id, state, coalesce(last_reply, '') FROM send_ledger WHERE {scope}"
                f" AND {column} IN ({','.join('?' * len(chunk))}) ORDER BY id",
                [incident_id, channel, *chunk])
            for value, i, st, reply in rows:
                found.setdefault(str(value), []).append((int(i), str(st), str(reply)))
        return found

    def crowded_numbers(self, incident_id: int, channel: str, limit: int) -> list[tuple[str, str, int]]:
        """(number, notice kind, rows) where one number has more than ``limit`` rows of one kind."""
        rows = self._db.execute(
            "SELECT to_address, notice_kind, count(*) FROM send_ledger WHERE incident_id = ? AND channel = ?"
            " GROUP BY to_address, notice_kind, notice_version HAVING count(*) > ? LIMIT 20",
            [incident_id, channel, limit])
        return [(str(a), str(k), int(n)) for a, k, n in rows]

    def record_report(self, updates: Iterable[tuple[int, str, str, str, datetime]]) -> int:
        """Apply a provider report: (row id, new state, reply, reason, when). A row already in the
        state the report gives keeps its time (a report imported twice changes nothing); a sent
        row stays sent. Returns how many rows changed."""
        before = self._db.conn.total_changes
        stamps: dict[datetime, str] = {}  # a report's rows share one time: format it once
        self._db.conn.executemany(
            "UPDATE send_ledger SET state = ?, last_reply = ?, reason = ?, updated_at = ?,"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, attempts = max(attempts, 1)"
            " WHERE id = ? AND state != ? AND state != 'sent'",
            ([state, reply, reason, stamp, state, stamp, row_id, state]
             for row_id, state, reply, reason, when in updates
             for stamp in (stamps.get(when) or stamps.setdefault(when, utc_iso(when)),)),
        )
        return int(self._db.conn.total_changes - before)

    # -- the mass-messaging platform's delivery report (import-delivery) -------------------------
    # The report is staged in a TEMP table (on disk beyond the page cache): duplicates, unknown
    # references and times before the export are found by SQL, and the update is one statement,
    # so memory stays flat whatever the number of rows.
    def stage_delivery_report(self) -> None:
        """An empty staging table for one report (this connection only)."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS delivery_report (ref TEXT PRIMARY KEY,"
                         " line INTEGER NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL,"
                         " status TEXT NOT NULL)")
        self._db.execute("DELETE FROM temp.delivery_report")

    def add_delivery_rows(self, rows: Sequence[tuple[str, int, str, str, str, str]]) -> list[tuple[int, int]]:
        """Stage (reference, line, state, UTC time, reason, status) rows; returns (line, first
        line) of every row whose reference an earlier row already gave."""
        before = self._db.conn.total_changes
        self._db.conn.executemany("INSERT OR IGNORE INTO temp.delivery_report VALUES (?,?,?,?,?,?)", rows)
        if self._db.conn.total_changes - before == len(rows):
            return []
        repeated = []
        for ref, line, *_ in rows:
            first = self._db.execute("SELECT line FROM temp.delivery_report WHERE ref = ?", [ref]).fetchone()
            if first is not None and int(first[0]) != line:
                repeated.append((line, int(first[0])))
        return repeated

    def delivery_report_problems(self, incident_id: int, channel: str, limit: int) -> list[tuple[int, str, str]]:
        """(line, problem, detail) of staged rows whose reference is not one of the incident's
        ``channel`` rows (``unknown``, the reference) or whose time is before that row was
        exported (``before_export``, the export time)."""
        unknown = self._db.execute(
            "SELECT r.line, 'unknown', r.ref FROM temp.delivery_report r WHERE NOT EXISTS (SELECT 1 FROM send_ledger l"
            " WHERE l.message_id = r.ref AND +l.incident_id = ? AND +l.channel = ?) ORDER BY r.line LIMIT ?",
            [incident_id, channel, limit]).fetchall()
        early = self._db.execute(
            "SELECT r.line, 'before_export', l.queued_at FROM temp.delivery_report r JOIN send_ledger l"
            " ON l.message_id = r.ref AND +l.incident_id = ? AND +l.channel = ?"
            " WHERE julianday(r.at) < julianday(l.queued_at)"
            " ORDER BY r.line LIMIT ?", [incident_id, channel, limit]).fetchall()
        return sorted((int(line), str(what), str(detail)) for line, what, detail in [*unknown, *early])[:limit]

    def delivery_report_tally(self, incident_id: int, channel: str) -> dict[str, int]:
        """Staged rows of the hand-off by state, how many of them would change their ledger row,
        and how many name no row of it (``unknown``: counted only there, not as delivered)."""
        found = {str(state): int(n) for state, n in self._db.execute(
            "SELECT r.state, count(*) FROM temp.delivery_report r WHERE EXISTS (SELECT 1 FROM send_ledger l"
            " WHERE l.message_id = r.ref AND +l.incident_id = ? AND +l.channel = ?) GROUP BY r.state",
            [incident_id, channel])}
        changing = self._db.execute(
            f"SELECT count(*) FROM temp.delivery_report r JOIN send_ledger l ON {_REPORT_MATCH}",
            [incident_id, channel]).fetchone()[0]
        unknown = self._db.execute(
            "SELECT count(*) FROM temp.delivery_report r WHERE NOT EXISTS (SELECT 1 FROM send_ledger l"
            " WHERE l.message_id = r.ref AND +l.incident_id = ? AND +l.channel = ?)",
            [incident_id, channel]).fetchone()[0]
        return {"sent": found.get("sent", 0), "failed": found.get("failed", 0), "pending": found.get("pending", 0),
                "changing": int(changing), "unknown": int(unknown)}

    def apply_delivery_report(self, incident_id: int, channel: str) -> int:
        """Mark each staged row's ledger row sent or failed at the report's time, unless the row
        already holds a later (or the same) report: a report imported twice changes nothing and
        an older one never overwrites a newer; a row already delivered keeps its first delivery
        time (a later "delivered" is not counted as a change); at the same instant a failure wins over a delivery,
        whichever was imported first. A failure never empties ``sent_at``: a row delivered and then
        reported bounced is failed but keeps when it was delivered (the true record that it was
        sent then), and delivered again after the bounce it keeps that first time. Returns how many
        rows changed."""
        cursor = self._db.execute(
            "UPDATE send_ledger AS l SET state = r.state, updated_at = r.at, attempts = max(l.attempts, 1),"
            " sent_at = CASE WHEN r.state = 'sent' THEN coalesce(nullif(l.sent_at, ''), r.at) ELSE l.sent_at END,"
            " reason = CASE WHEN r.state = 'failed' THEN r.reason ELSE '' END, last_reply = 'platform: ' || r.status"
            f" FROM temp.delivery_report r WHERE {_REPORT_MATCH}", [incident_id, channel])
        return int(cursor.rowcount)

    def drop_delivery_report(self) -> None:
        self._db.execute("DROP TABLE IF EXISTS temp.delivery_report")

    def handed_off_counts(self, incident_id: int, channel: str, version: str) -> dict[str, int]:
        """Rows of one hand-off version by state (the re-export's "what changed")."""
        return {str(state): int(n) for state, n in self._db.execute(
            "SELECT state, count(*) FROM send_ledger WHERE incident_id = ? AND channel = ? AND notice_version = ?"
            " GROUP BY state", [incident_id, channel, version])}

    def all_overviews(self) -> dict[int, DeliveryOverview]:
        """:meth:`counts`, :meth:`fallback_counts` and :meth:`in_doubt_count` of every incident
        that has a ledger, in one query (the register: notices to affected people only, never the
        staff's internal brief): the states of the e-mails, and the SMS/call rows reported sent
        apart (``handed_off_sent``)."""
        rows = self._db.execute(
            "SELECT incident_id, state, fallback, count(*), sum(in_doubt > 0), channel FROM send_ledger"
            f" WHERE {_NOT_STAFF} GROUP BY incident_id, state, fallback, channel", list(STAFF_KINDS))
        tallies: dict[int, tuple[dict[SendState, int], dict[FallbackChannel, int], list[int], dict[str, int]]] = {}
        for incident, state, fallback, n, doubtful, channel in rows:
            by_state, by_fallback, in_doubt, handed_off = tallies.setdefault(
                int(incident), (dict.fromkeys(SendState, 0), dict.fromkeys(FallbackChannel, 0), [0], {}))
            if (channel or "email") != "email":  # an SMS or call reported sent is no e-mail sent
                if state == SendState.SENT.value:
                    handed_off[channel] = handed_off.get(channel, 0) + int(n)
                continue
            by_state[SendState(state)] += int(n)
            if fallback and state == SendState.FAILED.value:
                by_fallback[FallbackChannel(fallback)] += int(n)
            in_doubt[0] += int(doubtful or 0)
        # The platform's rows are messages — a teenager and their guardian are two for one person,
        # a new hand-off version is another — so its "reached" count is the people with a row
        # reported sent (the guardian's row keyed like the minor's, with "#guardian").
        for incident, people, old_way in self._db.execute(
                "SELECT incident_id, count(DISTINCT CASE WHEN recipient_key LIKE '%#guardian'"
                " THEN substr(recipient_key, 1, length(recipient_key) - 9) ELSE recipient_key END),"
                # Purged the old way: purged rows, every one keyed by its own id, none "#guardian".
                " sum(recipient_key LIKE 'purged:%') > 0 AND sum(recipient_key LIKE 'purged:%'"
                " AND (recipient_key != 'purged:' || id)) = 0"
                " AND (count(DISTINCT notice_version) > 1 OR sum(notice_kind = 'guardian') > 0)"
                f" FROM send_ledger WHERE channel = 'platform' AND state = 'sent' AND {_NOT_STAFF}"
                " GROUP BY incident_id", list(STAFF_KINDS)):
            if int(incident) in tallies:
                tallies[int(incident)][3]["platform"] = self._fewest_people(int(incident)) if old_way else int(people)
        return {i: DeliveryOverview(s, f, d[0], h) for i, (s, f, d, h) in tallies.items()}

    def _fewest_people(self, incident_id: int) -> int:
        """The fewest people the platform's sent rows of an incident can be, when the retention
        purge of an older version keyed every row by its own id (``purged:<id>``, ``#guardian``
        dropped): a teenager's row and their guardian's, or one person's rows of two hand-off
        versions, can no longer be told apart, so the rows are messages, not people. Within one
        version the rows to people are different people, and so are those to guardians (one
        per minor): the larger of the two, in the version with the most."""
        rows = self._db.execute(
            "SELECT max(max(coalesce(sum(notice_kind != 'guardian'), 0), coalesce(sum(notice_kind = 'guardian'), 0)))"
            " OVER () FROM send_ledger WHERE incident_id = ? AND channel = 'platform' AND state = 'sent'"
            f" AND {_NOT_STAFF} GROUP BY notice_version", [incident_id, *STAFF_KINDS]).fetchone()
        return int(rows[0]) if rows and rows[0] is not None else 0

    def first_sent_at(self) -> dict[int, datetime]:
        """When the relay first accepted one of each incident's notices to affected people (the
        register's milestone: the staff's internal brief is not a notice to individuals)."""
        rows = self._db.execute(
            f"SELECT incident_id, min(sent_at) FROM send_ledger WHERE state = 'sent' AND {_NOT_STAFF}"
            " GROUP BY incident_id", list(STAFF_KINDS))
        return {int(incident): parse_time(first) for incident, first in rows if first}

    def count_anonymised(self, incident_id: int) -> int:
        """How many of the incident's rows a purge has already anonymised (a purge killed half-way
        leaves its committed chunks so)."""
        sql = f"SELECT count(*) FROM send_ledger WHERE incident_id = ? AND {_PURGED_ROW}"
        return int(self._db.execute(sql, [incident_id]).fetchone()[0])

    def anonymise_for_incident(self, incident_id: int, *, after_id: int = 0,
                               limit: int | None = None) -> tuple[int, int | None]:
        """Remove every address and phone number of the incident's rows — the recipient's own and
        whatever the relay echoed in its reply or the reason, in any letter case — and replace the
        recipient key, which may be an address, by a row id (retention). States, codes, times
        and counts stay.

        A row's key becomes ``purged:<its id>``; the mass-messaging platform's rows of one person
        (their own and their guardian's, every hand-off version) all become ``purged:<the first
        of those rows' id>`` (``#guardian`` kept on the guardian's): the register counts the
        people the platform reached, and must count the same after the purge.

        Only rows not purged yet are read (a purged row has no address and a ``purged:`` key),
        ``limit`` of them after row ``after_id`` (keyset): a purge of a 10,000,000-row ledger runs
        chunk by chunk, each in its own transaction, and a run that was killed half-way is
        finished by the next one (a person's platform rows are purged together, in the chunk of
        the first). Returns (rows changed, the last row id read — None when no row was left)."""
        sql = ("SELECT id, to_address, recipient_key, coalesce(last_reply, ''), coalesce(reason, ''), channel"
               f" FROM send_ledger WHERE incident_id = ? AND id > ? AND NOT ({_PURGED_ROW}) ORDER BY id")
        params: list[Any] = [incident_id, after_id]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._db.execute(sql, params).fetchall()
        changes: dict[int, list[Any]] = {}
        for row in rows:
            if row[0] in changes:
                continue  # purged with an earlier row of the same person
            for row_id, address, _key, reply, reason, purged_key in self._purged_keys(incident_id, row):
                new_reply, new_reason = purge_contacts(reply, address), purge_contacts(reason, address)
                changes[row_id] = [new_reply, new_reason, purged_key, row_id]
        self._db.conn.executemany(
            "UPDATE send_ledger SET last_reply = ?, reason = ?, to_address = '', recipient_key = ? WHERE id = ?",
            list(changes.values()))
        return len(changes), (int(rows[-1][0]) if rows else None)

    def _purged_keys(self, incident_id: int, row: Sequence[Any]) -> list[tuple[Any, ...]]:
        """(id, address, key, reply, reason, purged key) of ``row`` — and, for a platform row, of
        every platform row of the same person not purged yet, under one pseudonym."""
        row_id, address, key, reply, reason, channel = row
        if channel != PLATFORM or str(key).startswith("purged:"):
            return [(row_id, address, key, reply, reason, f"purged:{row_id}")]
        base = str(key).removesuffix("#guardian")
        # The unique (incident, key, kind, version, contact_seq) index: a seek per person, not a scan.
        rows = self._db.execute(
            "SELECT id, to_address, recipient_key, coalesce(last_reply, ''), coalesce(reason, '') FROM send_ledger"
            f" {BY_RECIPIENT}"
            " WHERE incident_id = ? AND recipient_key IN (?, ?) AND channel = ? ORDER BY id",
            [incident_id, base, f"{base}#guardian", PLATFORM]).fetchall()
        anchor = int(rows[0][0])
        return [(i, a, k, r, e, f"purged:{anchor}" + ("#guardian" if str(k).endswith("#guardian") else ""))
                for i, a, k, r, e in rows]

    def get(self, row_id: int) -> LedgerEntry:
        rows = list(self._db.query("SELECT * FROM send_ledger WHERE id = ?", [row_id]))
        if not rows:
            raise LookupError(f"send ledger row {row_id} does not exist")
        return _to_entry(rows[0])

    # -- state changes ------------------------------------------------------------------------
    def claim(self, claims: Sequence[tuple[int, str]], *, run_id: str, now: datetime) -> set[int]:
        """Mark rows ``sending`` for this run (counting the attempt) before they go to the network.

        ``claims`` pairs a row id with the address the message goes to now. Returns the ids
        actually claimed: a row that is no longer queued or deferred (e.g. a source that yields
        the same recipient twice) is left alone and must not be sent."""
        stamp = utc_iso(now)
        claimed: set[int] = set()
        for row_id, address in claims:
            cursor = self._db.conn.execute(
                "UPDATE send_ledger SET state = 'sending', attempts = attempts + 1, run_id = ?, to_address = ?,"
                " updated_at = ? WHERE id = ? AND state IN ('queued', 'deferred')",
                [run_id, address, stamp, row_id])
            if cursor.rowcount == 1:
                claimed.add(row_id)
        return claimed

    def record(self, results: Sequence[AttemptResult], *, now: datetime) -> None:
        """Store attempt outcomes of rows in ``sending``. An accepted message stamps ``sent_at``;
        any other outcome keeps it: a bounced row sent again (``--requeue failed``) that the relay
        refuses now was still sent when it was first accepted, and that is never erased."""
        stamp = utc_iso(now)
        self._db.conn.executemany(
            "UPDATE send_ledger SET state = ?, last_code = ?, last_reply = ?, reason = ?, next_attempt_at = ?,"
            " sent_at = coalesce(?, sent_at), updated_at = ?, in_doubt = in_doubt + ?,"
            " doubt_retries = doubt_retries + ? WHERE id = ? AND state = 'sending'",
            ([r.state.value, r.code, r.reply, r.reason,
              utc_iso(r.next_attempt_at) if r.next_attempt_at else None,
              stamp if r.state == SendState.SENT else None, stamp, int(r.in_doubt), int(r.in_doubt), r.row_id]
             for r in results),
        )

    def fail_unsent(self, failures: Sequence[tuple[int, str]], *, now: datetime) -> None:
        """Fail rows that were never attempted (the content check blocked them)."""
        stamp = utc_iso(now)
        self._db.conn.executemany(
            "UPDATE send_ledger SET state = 'failed', reason = ?, updated_at = ?"
            " WHERE id = ? AND state IN ('queued', 'deferred')",
            ([reason, stamp, row_id] for row_id, reason in failures),
        )

    def release(self, row_ids: Sequence[int], *, now: datetime) -> None:
        """Give back rows claimed but never handed to the relay: the attempt did not happen."""
        stamp = utc_iso(now)
        self._db.conn.executemany(
            "UPDATE send_ledger SET attempts = attempts - 1, updated_at = ?,"
            " state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END"
            " WHERE id = ? AND state = 'sending'",
            ([stamp, row_id] for row_id in row_ids),
        )

    def recover_in_flight(self, incident_id: int, *, note: str, now: datetime, again_note: str = "") -> int:
        """Rows a dead run left in ``sending`` become due for one re-send, flagged as in doubt; a
        row whose one re-send in doubt was already used becomes ``in_doubt`` (``again_note``)."""
        cursor = self._db.execute(
            "UPDATE send_ledger SET in_doubt = in_doubt + 1,"
            " state = CASE WHEN doubt_retries > 0 THEN 'in_doubt' ELSE 'deferred' END,"
            " reason = CASE WHEN doubt_retries > 0 THEN ? ELSE ? END, doubt_retries = doubt_retries + 1,"
            " next_attempt_at = ?, updated_at = ? WHERE incident_id = ? AND state = 'sending'",
            [again_note or note, note, utc_iso(now), utc_iso(now), incident_id])
        return int(cursor.rowcount)

    def requeue(self, incident_id: int, states: Iterable[SendState], *, note: str, now: datetime) -> Requeued:
        """Put rows in ``states`` back in the queue (the officer fixed the relay): the retry budget
        and the fallback channel start afresh; ``in_doubt`` (copies that may have arrived) stays."""
        wanted = sorted({s.value for s in states})
        marks = ",".join("?" * len(wanted))
        # Only e-mail rows: SMS and call rows change only by the provider's report.
        where = f"incident_id = ? AND channel = 'email' AND state IN ({marks})"
        by_state = {SendState(state): int(n) for state, n in self._db.execute(
            f"SELECT state, count(*) FROM send_ledger WHERE {where} GROUP BY state", [incident_id, *wanted])}
        cleared = int(self._db.execute(
            f"SELECT count(*) FROM send_ledger WHERE {where} AND fallback IS NOT NULL",
            [incident_id, *wanted]).fetchone()[0])
        self._db.execute(
            "UPDATE send_ledger SET state = 'queued', doubt_retries = 0, fallback = NULL, next_attempt_at = NULL,"
            f" reason = ?, updated_at = ? WHERE {where}", [note, utc_iso(now), incident_id, *wanted])
        return Requeued({s: by_state.get(s, 0) for s in SendState if s.value in wanted}, cleared)

    def failed_without_fallback(self, incident_id: int) -> list[tuple[int, str]]:
        rows = self._db.execute(
            "SELECT id, recipient_key FROM send_ledger WHERE incident_id = ? AND state = 'failed'"
            " AND channel = 'email' AND fallback IS NULL ORDER BY id", [incident_id])
        return [(int(row_id), str(key)) for row_id, key in rows]

    def set_fallbacks(self, choices: Sequence[tuple[int, FallbackChannel]]) -> None:
        self._db.conn.executemany(
            "UPDATE send_ledger SET fallback = ? WHERE id = ? AND state = 'failed'",
            ([channel.value, row_id] for row_id, channel in choices))

    def mark_bounced(self, incident_id: int, message_ids: Sequence[str], *, reason: str, now: datetime) -> int:
        """A notice accepted by the relay bounced later: it failed after all."""
        before = self._db.conn.total_changes
        self._db.conn.executemany(
            "UPDATE send_ledger SET state = 'failed', reason = ?, fallback = NULL, updated_at = ?"
            " WHERE incident_id = ? AND message_id = ? AND state = 'sent'",
            ([reason, utc_iso(now), incident_id, mid] for mid in message_ids))
        return int(self._db.conn.total_changes - before)


class SendRunRepository:
    """The ``send_runs`` lease: at most one unfinished run per incident (a unique index)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def active(self, incident_id: int) -> SendRun | None:
        rows = list(self._db.query(
            "SELECT * FROM send_runs WHERE incident_id = ? AND finished_at IS NULL", [incident_id]))
        return _to_run(rows[0]) if rows else None

    def start(self, run: SendRun) -> None:
        self._db.execute(
            "INSERT INTO send_runs (run_id, incident_id, pid, host, started_at, heartbeat_at)"
            " VALUES (?,?,?,?,?,?)",
            [run.run_id, run.incident_id, run.pid, run.host, to_iso(run.started_at), to_iso(run.heartbeat_at)])

    def heartbeat(self, run_id: str, *, now: datetime) -> None:
        self._db.execute("UPDATE send_runs SET heartbeat_at = ? WHERE run_id = ?", [to_iso(now), run_id])

    def finish(self, run_id: str, outcome: str, *, now: datetime) -> None:
        self._db.execute("UPDATE send_runs SET finished_at = ?, outcome = ? WHERE run_id = ?",
                         [to_iso(now), outcome, run_id])


def purge_contacts(text: str, address: str) -> str:
    """``text`` without ``address`` (any case) nor any other address or phone number."""
    if address:
        text = re.sub(re.escape(address), PURGED, text, flags=re.IGNORECASE)
    return scrub_contacts(text, lambda _: PURGED, lambda _: PURGED)


def _distinct_chunks(values: Iterable[str]) -> Iterator[list[str]]:
    """``values`` without repeats (first seen order), _CHUNK at a time: one ``IN (...)`` each."""
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start:start + _CHUNK]


def _filter(incident_id: int, state: SendState | None) -> tuple[str, list[Any]]:
    if state is None:
        return "incident_id = ?", [incident_id]
    return "incident_id = ? AND state = ?", [incident_id, state.value]


def _time(value: Any) -> datetime | None:
    return parse_time(str(value)) if value else None


def _to_entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        id=int(row["id"]), incident_id=int(row["incident_id"]), recipient_key=row["recipient_key"],
        notice_kind=row["notice_kind"], notice_version=row["notice_version"], to_address=row["to_address"],
        language=row["language"] or "", message_id=row["message_id"], state=SendState(row["state"]),
        attempts=int(row["attempts"]), in_doubt=int(row["in_doubt"]),
        last_code=None if row["last_code"] is None else int(row["last_code"]),
        last_reply=row["last_reply"] or "", reason=row["reason"] or "",
        next_attempt_at=_time(row["next_attempt_at"]), queued_at=parse_time(row["queued_at"]),
        updated_at=parse_time(row["updated_at"]), sent_at=_time(row["sent_at"]),
        fallback=FallbackChannel(row["fallback"]) if row["fallback"] else None,
        doubt_retries=int(row.get("doubt_retries") or 0), contact_seq=int(row.get("contact_seq") or 0),
    )


def _to_run(row: dict[str, Any]) -> SendRun:
    return SendRun(
        run_id=row["run_id"], incident_id=int(row["incident_id"]), pid=int(row["pid"]), host=row["host"],
        started_at=parse_time(row["started_at"]), heartbeat_at=parse_time(row["heartbeat_at"]),
        finished_at=_time(row["finished_at"]), outcome=row["outcome"] or "",
    )
