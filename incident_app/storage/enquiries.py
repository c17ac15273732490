"""The enquiries and enquiry_replies tables, and the indexed "is this person affected?" probes
on the people table. Returns domain objects, never rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlite_utils

from incident_app.domain.clock import SHANGHAI, parse_time, to_iso
from incident_app.domain.enquiries import (
    ContactKind,
    Enquiry,
    EnquiryChannel,
    EnquiryFilter,
    EnquiryLoad,
    EnquiryStatus,
    Reply,
    ReplyKind,
    RequestOutcome,
    Topic,
)
from incident_app.domain.errors import NotFoundError
from incident_app.storage.send_ledger import BY_RECIPIENT

_COLUMNS = ("id", "incident_id", "channel", "received_at", "contact_kind", "contact", "topic", "text", "handler",
            "person_id", "status", "outcome", "needs_verification", "reply_due", "close_due", "first_reply_at",
            "closed_at", "recorded_at")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM enquiries"
# Which people columns each kind of contact is probed in (a guardian may call for a child).
LOOKUP_COLUMNS: dict[str, tuple[str, ...]] = {
    ContactKind.PHONE: ("phone", "guardian_phone"),
    ContactKind.EMAIL: ("email", "guardian_email"),
    ContactKind.USER_ID: ("user_id",),
}


class EnquiryRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # -- writing --------------------------------------------------------------------------------
    def add(self, row: dict[str, Any]) -> int:
        """Insert one enquiry (times as datetimes) and return its id."""
        values = {k: _store(v) for k, v in row.items()}
        cursor = self._db.execute(
            f"INSERT INTO enquiries ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()))
        return int(cursor.lastrowid or 0)

    def update(self, enquiry_id: int, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        self._db.execute(f"UPDATE enquiries SET {sets} WHERE id = ?",
                         [*(_store(v) for v in changes.values()), enquiry_id])

    def add_reply(self, reply: Reply) -> int:
        cursor = self._db.execute(
            "INSERT INTO enquiry_replies (enquiry_id, kind, template, language, body, at, by, state, message_id,"
            " code, relay_reply) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [reply.enquiry_id, reply.kind.value, reply.template, reply.language, reply.body, to_iso(reply.at),
             reply.by, reply.state, reply.message_id, reply.code, reply.relay_reply])
        return int(cursor.lastrowid or 0)

    def anonymise_for_incident(self, incident_id: int) -> int:
        """Blank the enquirers' contacts and free text, and the replies with the relay's answers
        (retention); topics, times and statuses stay."""
        cursor = self._db.execute(
            "UPDATE enquiries SET contact = '', text = '' WHERE incident_id = ? AND (contact != '' OR text != '')",
            [incident_id])
        # The relay's answer can quote the address ("550 <x@example.com>: user unknown").
        self._db.execute("UPDATE enquiry_replies SET body = '', relay_reply = '' WHERE enquiry_id IN"
                         " (SELECT id FROM enquiries WHERE incident_id = ?)", [incident_id])
        return int(cursor.rowcount)

    # -- reading --------------------------------------------------------------------------------
    def get(self, enquiry_id: int) -> Enquiry:
        row = self._db.execute(f"{_SELECT} WHERE id = ?", [enquiry_id]).fetchone()
        if row is None:
            raise NotFoundError(f"enquiry {enquiry_id} does not exist; 'enquiry list ID' shows the enquiries")
        return _enquiry(row)

    def page(self, incident_id: int, query: EnquiryFilter, offset: int = 0, limit: int = 200) -> list[Enquiry]:
        """Newest first; each filter is an index range (topic, status) or a condition on the due times."""
        where, params = _where(incident_id, query)
        rows = self._db.execute(f"{_SELECT} WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                                [*params, limit, offset])
        return [_enquiry(r) for r in rows]

    def count(self, incident_id: int, query: EnquiryFilter | None = None) -> int:
        where, params = _where(incident_id, query or EnquiryFilter())
        return int(self._db.execute(f"SELECT count(*) FROM enquiries WHERE {where}", params).fetchone()[0])

    def ids(self, incident_id: int, query: EnquiryFilter) -> list[int]:
        where, params = _where(incident_id, query)
        return [int(r[0]) for r in self._db.execute(f"SELECT id FROM enquiries WHERE {where} ORDER BY id", params)]

    def replies(self, enquiry_id: int) -> list[Reply]:
        rows = self._db.execute("SELECT id, enquiry_id, kind, template, language, body, at, by, state, message_id,"
                                " code, relay_reply FROM enquiry_replies WHERE enquiry_id = ? ORDER BY id",
                                [enquiry_id])
        return [Reply(int(r[0]), int(r[1]), ReplyKind(r[2]), r[3], r[4], r[5], parse_time(r[6]), r[7], r[8],
                      r[9] or "", r[10], r[11] or "") for r in rows]

    def loads(self, incident_id: int | None = None) -> dict[int, EnquiryLoad]:
        """Per incident, what the policy reply obligations need (one grouped query for the register)."""
        where = "WHERE incident_id = ?" if incident_id is not None else ""
        rows = self._db.execute(
            "SELECT incident_id, count(*),"
            " min(CASE WHEN first_reply_at IS NULL AND status != 'closed' THEN received_at END),"
            " min(CASE WHEN needs_verification = 1 AND closed_at IS NULL THEN received_at END),"
            " max(first_reply_at), max(closed_at), sum(needs_verification)"
            f" FROM enquiries {where} GROUP BY incident_id", [] if incident_id is None else [incident_id])
        # received_at is stored in one offset (Beijing time), so min() over the text is min over time.
        loads = {int(r[0]): EnquiryLoad(int(r[1]), _time(r[2]), _time(r[3]), _time(r[4]), _time(r[5]), int(r[6]))
                 for r in rows}
        # Where nothing waits any more: the enquiry answered latest against its own clock, and the
        # request handled latest against its own (SQLite takes the bare columns from the row holding
        # the max()). Only those incidents are scanned again: a busy desk always has one waiting.
        for column, due, extra, field in (("first_reply_at", "reply_due", "", "latest_reply"),
                                          ("closed_at", "close_due", " AND needs_verification = 1",
                                           "latest_handled")):
            done = [i for i, load in loads.items()
                    if (load.oldest_unreplied if field == "latest_reply" else load.oldest_unhandled) is None]
            for chunk in (done[n:n + 500] for n in range(0, len(done), 500)):
                for r in self._db.execute(
                        f"SELECT incident_id, max(julianday({column}) - julianday({due})), received_at, {column}"
                        f" FROM enquiries WHERE {column} IS NOT NULL{extra}"
                        f" AND incident_id IN ({', '.join('?' * len(chunk))}) GROUP BY incident_id", chunk):
                    load = loads[int(r[0])]
                    if r[2] and r[3]:
                        pair = (parse_time(r[2]), parse_time(r[3]))
                        loads[int(r[0])] = (replace(load, latest_reply=pair) if field == "latest_reply"
                                            else replace(load, latest_handled=pair))
        return loads

    def counts(self) -> dict[int, int]:
        """The number of enquiries of each incident that has any (one grouped read of an index)."""
        rows = self._db.execute("SELECT incident_id, count(*) FROM enquiries GROUP BY incident_id")
        return {int(r[0]): int(r[1]) for r in rows}

    def drill_incident_ids(self) -> set[int]:
        """The drill incidents that have enquiries: each looked up by its key, where reading every
        incident's drill flag scans the whole incidents table (~25-85 ms at 10,000)."""
        rows = self._db.execute("SELECT id FROM incidents WHERE drill = 1 "
                                "AND id IN (SELECT incident_id FROM enquiries)")
        return {int(r[0]) for r in rows}

    def reply_pairs(self, incident_id: int | None = None, *,
                    exclude: Collection[int] = ()) -> list[tuple[datetime, datetime, datetime]]:
        """(received, first reply, reply due) of every replied enquiry (the metrics); ``exclude``:
        incidents left out (the drills, over all incidents)."""
        where, params = _scope(incident_id, exclude)
        rows = self._db.execute(f"SELECT received_at, first_reply_at, reply_due FROM enquiries"
                                f" WHERE first_reply_at IS NOT NULL {where}", params)
        return [(parse_time(a), parse_time(b), parse_time(c)) for a, b, c in rows]

    def overdue_count(self, now: datetime, incident_id: int | None = None, *, exclude: Collection[int] = ()) -> int:
        stamp = _beijing(now)
        where, params = _scope(incident_id, exclude)
        row = self._db.execute(
            "SELECT count(*) FROM enquiries WHERE ((first_reply_at IS NULL AND status != 'closed' AND reply_due < ?)"
            f" OR (close_due IS NOT NULL AND closed_at IS NULL AND close_due < ?)) {where}",
            [stamp, stamp, *params]).fetchone()
        return int(row[0])

    def request_rows(self, incident_id: int) -> list[tuple[str, str | None, int]]:
        """(topic, outcome, count) of the incident's enquiries (counts only: the evidence and report)."""
        rows = self._db.execute("SELECT topic, outcome, count(*) FROM enquiries WHERE incident_id = ?"
                                " GROUP BY topic, outcome ORDER BY topic, outcome", [incident_id])
        return [(str(r[0]), r[1], int(r[2])) for r in rows]

    # -- is this person affected? ---------------------------------------------------------------
    def find_person_ids(self, incident_id: int, kind: str, value: str) -> list[int]:
        """People of the incident whose stored (normalised) contact equals ``value``: an index probe."""
        ids: list[int] = []
        for column in LOOKUP_COLUMNS[kind]:
            guard = f" AND {column} != ''" if column != "user_id" else ""
            rows = self._db.execute(f"SELECT id FROM people WHERE incident_id = ? AND {column} = ?{guard}"
                                    " ORDER BY id LIMIT 20", [incident_id, value])
            ids += [int(r[0]) for r in rows if int(r[0]) not in ids]
        return ids

    def lookup_plan(self, incident_id: int, kind: str, value: str) -> list[str]:
        """SQLite's plan of each probe (tests check that every one uses an index)."""
        plans = []
        for column in LOOKUP_COLUMNS[kind]:
            guard = f" AND {column} != ''" if column != "user_id" else ""
            rows = self._db.execute(f"EXPLAIN QUERY PLAN SELECT id FROM people WHERE incident_id = ? AND {column} = ?"
                                    f"{guard} ORDER BY id LIMIT 20", [incident_id, value])
            plans += [str(r[-1]) for r in rows]
        return plans

    def notice_rows(self, incident_id: int, keys: Sequence[str]) -> list[tuple[str, str, str, str | None]]:
        """(recipient key, notice kind, state, sent at) of the send-ledger rows of these recipients
        (the person and their guardian); the ledger's unique index starts with these two columns."""
        rows = self._db.execute(
            f"SELECT recipient_key, notice_kind, state, sent_at FROM send_ledger {BY_RECIPIENT} WHERE incident_id = ?"
            f" AND recipient_key IN ({', '.join('?' * len(keys))}) ORDER BY id", [incident_id, *keys])
        return [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]


def _where(incident_id: int, query: EnquiryFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = ["incident_id = ?"]
    params: list[Any] = [incident_id]
    if query.topic is not None:
        clauses.append("topic = ?")
        params.append(query.topic.value)
    if query.status is not None:
        clauses.append("status = ?")
        params.append(query.status.value)
    if query.overdue_at is not None:
        stamp = _beijing(query.overdue_at)
        clauses.append("((first_reply_at IS NULL AND status != 'closed' AND reply_due < ?)"
                       " OR (close_due IS NOT NULL AND closed_at IS NULL AND close_due < ?))")
        params += [stamp, stamp]
    return " AND ".join(clauses), params


def _beijing(moment: datetime) -> str:
    """Due times are stored in Beijing time, so comparing the text is comparing the times only
    when ``moment`` is written in the same offset."""
    return to_iso(moment.astimezone(SHANGHAI))


def _store(value: Any) -> Any:
    if isinstance(value, datetime):
        return _beijing(value)
    if isinstance(value, bool):
        return int(value)
    return getattr(value, "value", value)


def _time(value: Any) -> datetime | None:
    return parse_time(value) if value else None


def _enquiry(row: Sequence[Any]) -> Enquiry:
    (eid, incident_id, channel, received, kind, contact, topic, text, handler, person_id, status, outcome,
     verify, reply_due, close_due, first_reply, closed, recorded) = row
    return Enquiry(
        id=int(eid), incident_id=int(incident_id), channel=EnquiryChannel(channel), received_at=parse_time(received),
        contact_kind=ContactKind(kind), contact=contact, topic=Topic(topic), text=text, handler=handler,
        person_id=person_id, status=EnquiryStatus(status), outcome=RequestOutcome(outcome) if outcome else None,
        needs_verification=bool(verify), reply_due=parse_time(reply_due), close_due=_time(close_due),
        first_reply_at=_time(first_reply), closed_at=_time(closed), recorded_at=parse_time(recorded))


def _scope(incident_id: int | None, exclude: Collection[int]) -> tuple[str, list[int]]:
    """``AND …`` narrowing to one incident, or to all but ``exclude``."""
    if incident_id is not None:
        return "AND incident_id = ?", [incident_id]
    if not exclude:
        return "", []
    ids = sorted(exclude)
    return f"AND incident_id NOT IN ({','.join('?' * len(ids))})", ids
