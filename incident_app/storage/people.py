"""The people, people_imports and people_stats tables.

The import's hot path hands rows over as plain lists in :data:`ROW_COLUMNS` order (building a
dataclass per row would cost a third of the million-row budget); everything read back for
callers is a :class:`~incident_app.domain.people.person.Person` or :class:`PeopleSummary`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from incident_app.domain.errors import NotFoundError
from incident_app.domain.people import Channel, MinorBand, PeopleSummary, Person
from incident_app.storage.send_ledger import CURRENT_PERSON_KEY

ROW_COLUMNS: tuple[str, ...] = (
    "incident_id", "id", "source_row", "user_id", "name", "email", "phone", "address", "birth_date",
    "age", "is_minor", "guardian_name", "guardian_email", "guardian_phone", "data_types", "language",
    "channel", "merged_rows", "id_number", "minor_band",
)
# What identifies a person, blanked by the retention purge.
# ``ledger_key`` too: the key a person had before a correction, which may be their old e-mail or phone.
IDENTIFYING: tuple[str, ...] = ("user_id", "name", "email", "phone", "address", "birth_date", "guardian_name",
                                "guardian_email", "guardian_phone", "id_number", "ledger_key")
_BLANK = ", ".join(f"{c} = ''" for c in IDENTIFYING)
_ANY_LEFT = " OR ".join(f"coalesce({c}, '') != ''" for c in IDENTIFYING)
# The row's id element (?2) is left out: SQLite gives each row the next id after the largest,
# the id the importer counted on (insert_rows checks it). So the importer can write the tuples
# the helper process sent without copying each one into a list to set its id.
_INSERT = (f"INSERT INTO people ({', '.join(c for c in ROW_COLUMNS if c != 'id')})"
           f" VALUES ({', '.join(f'?{i}' for i, c in enumerate(ROW_COLUMNS, start=1) if c != 'id')})")
# The first row of an id block that starts above max(id) + 1 (after a replaced list, see
# PeopleRepository.begin_range) is written with its id; the rest follow it.
_INSERT_WITH_ID = (f"INSERT INTO people ({', '.join(ROW_COLUMNS)})"
                   f" VALUES ({', '.join('?' for _ in ROW_COLUMNS)})")
_UPDATE = "UPDATE people SET " + ", ".join(f"{c} = ?" for c in ROW_COLUMNS[2:]) + " WHERE incident_id = ? AND id = ?"
_PERSON_SQL = ("SELECT id, incident_id, user_id, name, email, phone, address, birth_date, is_minor, guardian_name,"
               " guardian_email, guardian_phone, data_types, language, channel, minor_band, id_number, ledger_key"
               " FROM people")


# The enquiry desk's "is this person affected?" indexes (migration m0024). Partial: a row without
# the value is not indexed. A big import drops and rebuilds them (see suspend_lookup_indexes).
LOOKUP_INDEXED = ("email", "phone", "guardian_email", "guardian_phone")
BULK_IMPORT_ROWS = 20_000
# Migration m0009's index, rebuilt by restore_lookup_indexes after a big purge dropped it.
USER_ID_INDEX_SQL = "CREATE INDEX IF NOT EXISTS people_incident_user_id ON people (incident_id, user_id)"
# People blanked per UPDATE by the retention purge (about a second of work on this machine); the
# chunked purge commits after each.
PURGE_CHUNK_ROWS = 50_000
PURGE_TARGET = "people.contacts"  # the retention purge target that anonymises this table


# The people's columns a text can be checked against (storage.people.PeopleRepository.mentioned).
MENTION_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "guardian_name", "guardian_email", "guardian_phone",
                                    "id_number")


def lookup_index_sql(column: str) -> str:
    return (f"CREATE INDEX IF NOT EXISTS people_incident_{column} ON people (incident_id, {column})"
            f" WHERE {column} != ''")


StopCheck = Callable[[], bool]
_STOP_EVERY_STEPS = 50_000  # SQLite VM steps between two stop checks (well under a millisecond)


class SearchInterrupted(Exception):  # noqa: N818 - reads as what happened, like Cancelled
    """A listing or count stopped early because its caller no longer wanted it."""


# The columns an exact search can probe through an index (m0009 user id, m0024 contacts).
EXACT_COLUMNS: tuple[str, ...] = ("user_id", *LOOKUP_INDEXED)


@dataclass(frozen=True)
class PeopleQuery:
    """What narrows a listing (false when nothing does): search ``terms`` (user-id prefix, LIKE
    pattern for names and emails, LIKE pattern for phone digits; with both patterns empty only the
    user-id prefix, an index range), ``contacts`` — (column, normalised value) pairs matched
    exactly, each an index probe — a ``person_id`` (the ``#210`` the refusals name: one probe of
    the primary key), an age ``band`` measured on ``day``, and the ``channels`` to keep."""

    terms: tuple[str, ...] = ()
    band: str = ""
    day: date | None = None
    channels: tuple[str, ...] = ()
    contacts: tuple[tuple[str, str], ...] = ()
    person_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.terms or self.band or self.channels or self.contacts or self.person_id is not None)

    def scans(self) -> bool:
        """Whether the search reads every row of the incident (names, parts of contacts):
        seconds at ten million people, so it runs on a worker and can be interrupted."""
        return bool(self.terms) and any(self.terms[1:])


class PeopleRepository:
    """Bulk writes for the importer; paged and streamed reads for the UI, CLI and notices."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # -- import ---------------------------------------------------------------------------
    def insert_rows(self, rows: Sequence[Sequence[Any]], first_id: int) -> None:
        """Insert rows given in ROW_COLUMNS order as ids ``first_id``, ``first_id + 1``, ...
        (one executemany; call inside the import's transaction, which holds the write lock).
        The id elements of the rows are not read: SQLite numbers the rows on from the largest
        id, and this checks that that was ``first_id``. When ``first_id`` lies above the largest
        stored id (the block starts above the ids of a replaced list, see :meth:`begin_range`),
        the first row is written with its id and the others follow it."""
        conn = self._db.conn
        if rows and first_id > int(conn.execute("SELECT coalesce(max(id), 0) FROM people").fetchone()[0]) + 1:
            head = list(rows[0])
            head[1] = first_id
            conn.execute(_INSERT_WITH_ID, head)
            rows = rows[1:]
            if not rows:
                return
            first_id += 1
        conn.executemany(_INSERT, rows)
        last = conn.execute("SELECT max(id) FROM people").fetchone()[0]
        if rows and last != first_id + len(rows) - 1:
            raise RuntimeError(f"people ids {first_id}..{first_id + len(rows) - 1} expected, the last is {last}")

    def suspend_lookup_indexes(self, expected_rows: int) -> bool:
        """Drop the contact lookup indexes and the user-id index before a big import when
        rebuilding them afterwards is cheaper than keeping them up to date row by row (random
        e-mails and phones split B-tree pages all over: +40% import CPU measured at 300,000 rows;
        even the user ids, in file order, cost 10% more kept up to date than sorted once at the
        end, measured at 200,000). Call inside the import's transaction, then
        :meth:`restore_lookup_indexes`; a rollback brings them back as they were."""
        stored = int(self._db.execute("SELECT coalesce(max(id), 0) FROM people").fetchone()[0])
        if expected_rows < BULK_IMPORT_ROWS or expected_rows < stored // 2:
            return False
        for column in (*LOOKUP_INDEXED, "user_id"):
            self._db.execute(f"DROP INDEX IF EXISTS people_incident_{column}")
        return True

    def restore_lookup_indexes(self) -> None:
        """(Re)build the contact lookup indexes and the user-id index (a big retention purge
        drops it too); a no-op when they exist."""
        for column in LOOKUP_INDEXED:
            self._db.execute(lookup_index_sql(column))
        self._db.execute(USER_ID_INDEX_SQL)

    def suspend_indexes_for_purge(self, incident_id: int,
                                  between_drops: Callable[[], contextlib.AbstractContextManager[Any]]) -> bool:
        """Drop the user-id and contact indexes before blanking a big incident's people: blanking
        a value moves its index entry, and at ten million people those random B-tree writes were
        most of the purge's time and write-ahead log. Rebuilt afterwards by
        :meth:`restore_lookup_indexes` (the blanked values are no longer indexed, so that is one
        read of the table). ``between_drops()`` is the transaction each DROP commits in. A purge killed before
        the rebuild leaves them missing until the next purge (or big import) rebuilds them —
        lookups stay right, only slower."""
        people = sum(last - first + 1 for first, last in self.ranges(incident_id))
        stored = int(self._db.execute("SELECT coalesce(max(id), 0) FROM people").fetchone()[0])
        if people < BULK_IMPORT_ROWS or people < stored // 2:
            return False
        for column in (*LOOKUP_INDEXED, "user_id"):
            # One commit per index: with secure_delete on, dropping an index writes its pages
            # (the contacts it held) over, and one index at a time keeps the log at one index.
            with between_drops():
                self._db.execute(f"DROP INDEX IF EXISTS people_incident_{column}")
        return True

    def anonymise_chunk(self, incident_id: int, after_id: int, limit: int) -> tuple[int, int | None]:
        """Blank (see :meth:`anonymise_for_incident`) the incident's people with ids in the next
        ``limit`` ids after ``after_id`` (one rowid range inside one of the incident's blocks):
        (people changed, the last id covered — None when nothing is left after ``after_id``).
        Idempotent: a person already blank is not counted again."""
        for first, last in self.ranges(incident_id):
            if last <= after_id:
                continue
            start = max(first, after_id + 1)
            end = min(start + limit - 1, last)
            cursor = self._db.execute(
                f"UPDATE people SET {_BLANK} WHERE id BETWEEN ? AND ? AND incident_id = ? AND ({_ANY_LEFT})",
                [start, end, incident_id])
            return int(cursor.rowcount), end
        return 0, None

    def row_by_id(self, person_id: int) -> list[Any]:
        """One stored row in ROW_COLUMNS order (the importer merges duplicates into it)."""
        found = self._db.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM people WHERE id = ?", [person_id]).fetchone()
        if found is None:
            raise NotFoundError(f"person {person_id} does not exist")
        return list(found)

    def update_row(self, row: Sequence[Any]) -> None:
        """Write back a merged row (matched by incident_id and id)."""
        self._db.execute(_UPDATE, [*row[2:], row[0], row[1]])

    def ledger_key(self, person_id: int) -> str:
        """The person's send-ledger key as the ledger's queries derive it (storage.send_ledger
        ``CURRENT_PERSON_KEY``, domain.notices.recipient.person_key)."""
        found = self._db.execute(f"SELECT {CURRENT_PERSON_KEY} FROM people p WHERE p.id = ?", [person_id]).fetchone()
        if found is None:
            raise NotFoundError(f"person {person_id} does not exist")
        return str(found[0])

    def shared_ledger_keys(self, incident_id: int) -> list[tuple[int, int]]:
        """(kept-key person, other person) pairs of this incident whose send-ledger keys are the
        same: a person whose contact was corrected keeps the old contact as their key, and a list
        imported (or a correction made) later can give that contact to someone else, whose key
        is then derived from it. One range of the partial index on the incident's kept keys (few
        people have one; migration 40), then an index probe of the e-mail and phone columns for each."""
        found: list[tuple[int, int]] = []
        # Both terms as the index states them: coalesce(ledger_key, '') != '' means the same but
        # SQLite cannot see that it implies the index's condition, and scanned the incident.
        kept = self._db.execute("SELECT id, ledger_key FROM people WHERE incident_id = ?"
                                " AND ledger_key IS NOT NULL AND ledger_key != ''", [incident_id]).fetchall()
        for person_id, key in kept:
            others = self._db.execute(
                # One probe of each partial index ("!= ''" lets SQLite use them; an OR would not).
                " UNION ".join(f"SELECT p.id FROM people p WHERE p.incident_id = ? AND p.{column} = ? AND"
                               f" p.{column} != '' AND p.id != ? AND {CURRENT_PERSON_KEY} = ?"
                               for column in ("email", "phone")),
                [incident_id, key, person_id, key] * 2).fetchall()
            found += [(int(person_id), int(other)) for (other,) in others]
        return found

    def kept_twice(self, incident_id: int) -> list[tuple[int, int]]:
        """(first, second) pairs of this incident's people who keep one and the same send-ledger
        key: only one of them can own the notices under it, yet both would be sent and handed off
        by it. Corrections no longer make such pairs (``keep_ledger_key``); a database written
        before may hold some. Both sides read the partial index on the kept keys (migration 40)."""
        found = self._db.execute(
            "SELECT a.id, b.id FROM people a JOIN people b ON b.incident_id = a.incident_id"
            " AND b.ledger_key = a.ledger_key AND b.id > a.id AND b.ledger_key IS NOT NULL AND b.ledger_key != ''"
            " WHERE a.incident_id = ? AND a.ledger_key IS NOT NULL AND a.ledger_key != '' ORDER BY a.id, b.id",
            [incident_id]).fetchall()
        return [(int(first), int(second)) for first, second in found]

    def key_holders(self, incident_id: int, key: str, person_id: int) -> list[int]:
        """The other people of this incident whose send-ledger key is ``key``: kept by a
        correction, or derived from their user id, e-mail or phone (``CURRENT_PERSON_KEY``). One
        index probe per column (an OR would scan the incident)."""
        probes = [("ledger_key", "p.ledger_key IS NOT NULL AND p.ledger_key != ''"), ("user_id", "1"),
                  ("email", "p.email != ''"), ("phone", "p.phone != ''")]
        found = self._db.execute(
            " UNION ".join(f"SELECT p.id FROM people p WHERE p.incident_id = ? AND p.{column} = ? AND {indexed}"
                           f" AND p.id != ? AND {CURRENT_PERSON_KEY} = ?" for column, indexed in probes),
            [incident_id, key, person_id, key] * len(probes)).fetchall()
        return sorted(int(other) for (other,) in found)

    def keep_ledger_key(self, incident_id: int, person_id: int, key: str) -> list[int]:
        """Keep ``key`` as the person's send-ledger key (migration 39) unless one is kept already:
        a correction changed the contact their key was derived from, and the rows already in the
        ledger under the old key are still theirs. Not kept when another person of the incident
        holds that key (kept, or derived from their contacts): the rows under it are that person's
        history, and two people on one key would be sent and handed off as one. Returns those
        other people's ids ([] when the key was kept or one was kept already)."""
        holders = self.key_holders(incident_id, key, person_id)
        if not holders:
            self._db.execute("UPDATE people SET ledger_key = ? WHERE id = ? AND coalesce(ledger_key, '') = ''",
                             [key, person_id])
        return holders

    def release_ledger_key(self, person_id: int) -> None:
        """Forget the person's kept send-ledger key: their key is derived from their contacts
        again (a correction of one of two people keeping the same key, ``kept_twice``)."""
        self._db.execute("UPDATE people SET ledger_key = NULL WHERE id = ?", [person_id])

    def dedupe_keys(self, incident_id: int, also: tuple[int, int] | None = None) -> Iterator[tuple[int, str, str, str]]:
        """(id, user_id, email, phone) of every stored person (plus the id block ``also``, the
        rows an unfinished import has written so far), to continue deduplicating."""
        for first, last in [*self.ranges(incident_id), *([also] if also else [])]:
            yield from self._db.execute(
                "SELECT id, user_id, email, phone FROM people WHERE id BETWEEN ? AND ? ORDER BY id", [first, last])

    def begin_range(self, incident_id: int) -> int:
        """Start this import's id range and return its first id. The insert takes SQLite's write
        lock first, so no other writer can add people until the transaction ends: the ids the
        importer hands out stay contiguous. The block starts above every id ever handed out (the
        marker :meth:`delete_for_incident` keeps), so a replaced list's ids are never
        given to other people: a person keyed by row id does not inherit another's record."""
        range_id = self._db.execute(
            "INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (?, 0, -1)", [incident_id]).lastrowid
        first = self._high_water() + 1
        self._db.execute("UPDATE people_ranges SET first_id = ?, last_id = ? WHERE id = ?",
                         [first, first - 1, range_id])
        return first

    def end_range(self, incident_id: int, first_id: int, next_id: int) -> None:
        """Close the range (or drop it when every row merged into earlier people)."""
        if next_id == first_id:
            self._db.execute("DELETE FROM people_ranges WHERE incident_id = ? AND first_id = ?",
                             [incident_id, first_id])
        else:
            self._db.execute("UPDATE people_ranges SET last_id = ? WHERE incident_id = ? AND first_id = ?",
                             [next_id - 1, incident_id, first_id])

    def _high_water(self) -> int:
        """The highest people id handed out: the largest stored, or a replaced list's mark (both
        read from the end of an index or a handful of range rows)."""
        return int(self._db.execute(
            "SELECT max((SELECT coalesce(max(id), 0) FROM people),"
            " (SELECT coalesce(max(first_id), 0) FROM people_ranges))").fetchone()[0])

    def ranges(self, incident_id: int) -> list[tuple[int, int]]:
        """The (first id, last id) blocks holding the incident's people, in import order."""
        rows = self._db.execute("SELECT first_id, last_id FROM people_ranges"
                                " WHERE incident_id = ? AND last_id >= first_id ORDER BY first_id", [incident_id])
        return [(int(a), int(b)) for a, b in rows]

    def delete_for_incident(self, incident_id: int) -> int:
        """Delete the incident's people (a replaced list). Their ids are never handed out again:
        an empty range (``last_id`` = ``first_id`` - 1, which :meth:`ranges` skips) is kept with
        ``first_id`` at the highest id handed out so far, and :meth:`begin_range` starts above it.
        Otherwise SQLite's max(id) + 1 would give the next import the old people's ids, and a
        person keyed by row id (``person-<id>``) would inherit another person's delivery record."""
        high = self._high_water()
        cursor = self._db.execute("DELETE FROM people WHERE incident_id = ?", [incident_id])
        self._db.execute("DELETE FROM people_ranges WHERE incident_id = ?", [incident_id])
        self._db.execute("INSERT INTO people_ranges (incident_id, first_id, last_id) VALUES (?, ?, ?)",
                         [incident_id, high, high - 1])
        self._db.execute("DELETE FROM people_stats WHERE incident_id = ?", [incident_id])
        return int(cursor.rowcount)

    def anonymise_for_incident(self, incident_id: int, *, chunk_rows: int | None = None,
                               between_chunks: Callable[[int], None] | None = None) -> int:
        """Blank the user id, name, contacts, address, birth date and guardian of each of the
        incident's people (retention); channel, minor flag, language and data types stay, and so
        do the counts. Returns how many people had anything left to blank.

        One UPDATE per ``chunk_rows`` ids (default :data:`PURGE_CHUNK_ROWS`), each a rowid range,
        so no statement runs for minutes at ten million people and nothing is held per person;
        ``between_chunks(people done)`` runs after each one (progress, Cancel). All of it runs in
        the caller's transaction: a kill or a cancel half-way rolls every chunk back."""
        step = chunk_rows or PURGE_CHUNK_ROWS
        changed = done = 0
        for first, last in self.ranges(incident_id):
            for start in range(first, last + 1, step):
                end = min(start + step - 1, last)
                cursor = self._db.execute(
                    f"UPDATE people SET {_BLANK} WHERE id BETWEEN ? AND ? AND incident_id = ? AND ({_ANY_LEFT})",
                    [start, end, incident_id])
                changed += int(cursor.rowcount)
                done += end - start + 1
                if between_chunks is not None:
                    between_chunks(done)
        return changed

    def import_reports(self, incident_id: int) -> list[str]:
        """Paths of the import reports written beside the database for this incident."""
        rows = self._db.execute("SELECT report_path FROM people_imports WHERE incident_id = ?"
                                " AND coalesce(report_path, '') != ''", [incident_id])
        return [str(r[0]) for r in rows]

    def forget_import_reports(self, incident_id: int) -> None:
        self._db.execute("UPDATE people_imports SET report_path = NULL WHERE incident_id = ?", [incident_id])

    def add_import(self, record: dict[str, Any]) -> int:
        """Store one import attempt (done, cancelled or failed) with its counts."""
        row = dict(record, counts=json.dumps(record["counts"], ensure_ascii=False))
        new_id = self._db.table("people_imports").insert(row).last_rowid
        return int(new_id or 0)

    def last_import(self, incident_id: int) -> dict[str, Any] | None:
        """The newest import record as plain JSON-able values (for reports)."""
        rows = list(self._db.query(
            "SELECT * FROM people_imports WHERE incident_id = ? ORDER BY id DESC LIMIT 1", [incident_id]))
        if not rows:
            return None
        return dict(rows[0], counts=json.loads(rows[0]["counts"]))

    # -- counts -----------------------------------------------------------------------------
    def mentioned(self, incident_id: int, values: Mapping[str, Sequence[str]]) -> list[tuple[int, str, str]]:
        """(person id, column, stored value) of the incident's people whose ``column`` equals one of
        ``values[column]`` (columns from :data:`MENTION_COLUMNS`), at most 20: what a text that must
        name nobody (the internal brief) gives away. Contacts are index probes; names a scan."""
        found: list[tuple[int, str, str]] = []
        for column, wanted in values.items():
            if column not in MENTION_COLUMNS or not wanted:
                continue
            rows = self._db.execute(
                f"SELECT id, {column} FROM people WHERE incident_id = ? AND {column} != ''"
                f" AND {column} IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 20",
                [incident_id, json.dumps(sorted(set(wanted)), ensure_ascii=False)])
            found += [(int(pid), column, str(value)) for pid, value in rows]
        return found[:20]

    def stats(self, incident_id: int) -> PeopleSummary:
        row = self._db.execute(f"{_STATS_SQL} WHERE incident_id = ?", [incident_id]).fetchone()
        return PeopleSummary() if row is None else _summary(row[1:])

    def all_stats(self) -> dict[int, PeopleSummary]:
        """Every incident's counts in one query (the register and its metrics)."""
        return {int(row[0]): _summary(row[1:]) for row in self._db.execute(_STATS_SQL)}

    def save_stats(self, incident_id: int, summary: PeopleSummary, updated_at: str) -> None:
        self._db.table("people_stats").upsert({
            "incident_id": incident_id, "total": summary.total, "minors": summary.minors,
            "by_channel": json.dumps(summary.by_channel, sort_keys=True), "updated_at": updated_at,
            "duplicates_merged": summary.duplicates_merged, "rejected_rows": summary.rejected_rows,
            "children": summary.children, "teens": summary.teens,
        }, pk="incident_id")

    def recount(self, incident_id: int) -> tuple[int, int, dict[str, int]]:
        """(total, minors, by channel) straight from the rows — a check on the kept counters."""
        rows = self._db.execute(
            "SELECT channel, count(*), sum(is_minor) FROM people WHERE incident_id = ? GROUP BY channel",
            [incident_id]).fetchall()
        return sum(r[1] for r in rows), sum(r[2] for r in rows), {r[0]: r[1] for r in rows}

    def recount_bands(self, incident_id: int) -> dict[str, int]:
        """People per age band straight from the rows (a check on the kept counters)."""
        rows = self._db.execute("SELECT minor_band, count(*) FROM people WHERE incident_id = ? GROUP BY minor_band",
                                [incident_id]).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    # -- reading ----------------------------------------------------------------------------
    def page(self, incident_id: int, offset: int, limit: int, query: PeopleQuery | None = None, *,
             after: int | None = None, stop: StopCheck | None = None) -> list[Person]:
        """People in import order. ``after`` (the id of the last person of the previous page) makes
        it keyset paging — ``id > after ORDER BY id LIMIT n`` — so page 500,000 costs what page 1
        does; without it ``offset`` counts from the start. Without a filter both are rowid range
        lookups through the import's id blocks (no scan, no OFFSET); a filtered page by ``offset``
        alone walks the matches before it (the jump of a scroll bar; the next page is keyset).
        ``stop`` (see :meth:`interruptible`) ends a long scan early with :class:`SearchInterrupted`."""
        if query:
            where, params = self._filtered(incident_id, query, after)
            with self.interruptible(stop):
                if after is not None:
                    rows = self._db.execute(f"{_PERSON_SQL} WHERE {where} ORDER BY id LIMIT ?", [*params, limit])
                else:
                    rows = self._db.execute(f"{_PERSON_SQL} WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                                            [*params, limit, offset])
                return [_person(r) for r in rows]
        blocks = self._window(incident_id, offset, limit) if after is None else self._after(incident_id, after, limit)
        people: list[Person] = []
        for first, last in blocks:
            rows = self._db.execute(f"{_PERSON_SQL} WHERE id BETWEEN ? AND ? ORDER BY id", [first, last])
            people += [_person(r) for r in rows]
        return people

    def _after(self, incident_id: int, after: int, limit: int) -> list[tuple[int, int]]:
        """The id blocks that hold the next ``limit`` people of the incident after id ``after``."""
        blocks: list[tuple[int, int]] = []
        for first, last in self.ranges(incident_id):
            start = max(first, after + 1)
            if start > last:
                continue
            take = min(last - start + 1, limit)
            blocks.append((start, start + take - 1))
            limit -= take
            if limit <= 0:
                break
        return blocks

    def has_user_id_prefix(self, incident_id: int, prefix: str) -> bool:
        """Whether any of the incident's people has a user id starting with ``prefix`` (one probe
        of the user-id index): the search then lists those people without scanning."""
        sql, params = _prefix_lookup(prefix)
        return self._db.execute(f"{sql} LIMIT 1", [incident_id, *params]).fetchone() is not None

    def _window(self, incident_id: int, offset: int, limit: int) -> list[tuple[int, int]]:
        """The id blocks that hold people offset..offset+limit-1 of the incident."""
        blocks: list[tuple[int, int]] = []
        for first, last in self.ranges(incident_id):
            size = last - first + 1
            if offset >= size:
                offset -= size
                continue
            take = min(size - offset, limit)
            blocks.append((first + offset, first + offset + take - 1))
            limit -= take
            offset = 0
            if limit <= 0:
                break
        return blocks

    def count(self, incident_id: int, query: PeopleQuery | None = None, *, stop: StopCheck | None = None) -> int:
        """How many people match (a scan for names and parts of contacts; ``stop`` as for page)."""
        if not query:
            return sum(last - first + 1 for first, last in self.ranges(incident_id))
        where, params = self._filtered(incident_id, query)
        with self.interruptible(stop):
            row = self._db.execute(f"SELECT count(*) FROM people WHERE {where}", params).fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def interruptible(self, stop: StopCheck | None) -> Iterator[None]:
        """Run the block's statements with ``stop`` asked every few thousand SQLite steps; when it
        says True the statement ends and :class:`SearchInterrupted` is raised (a search the
        officer replaced by typing on, still scanning ten million rows on a worker)."""
        if stop is None:
            yield
            return
        conn = self._db.conn
        stopped: list[bool] = []

        def check() -> int:
            if stop():
                stopped.append(True)
                return 1
            return 0

        conn.set_progress_handler(check, _STOP_EVERY_STEPS)
        try:
            yield
        except Exception:  # sqlite3's or SQLCipher's OperationalError: "interrupted"
            if stopped:
                raise SearchInterrupted from None
            raise
        finally:
            conn.set_progress_handler(None, 0)

    def query_plan(self, incident_id: int, query: PeopleQuery, *, after: int | None = None) -> list[str]:
        """SQLite's plan for a filtered page (EXPLAIN QUERY PLAN details): shows whether the
        user-id prefix lookup and the exact contact probes use their indexes."""
        where, params = self._filtered(incident_id, query, after)
        if after is not None:
            sql, params = f"{_PERSON_SQL} WHERE {where} ORDER BY id LIMIT ?", [*params, 1]
        else:
            sql, params = f"{_PERSON_SQL} WHERE {where} ORDER BY id LIMIT ? OFFSET ?", [*params, 1, 0]
        return [str(r[-1]) for r in self._db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]

    def _filtered(self, incident_id: int, query: PeopleQuery, after: int | None = None) -> tuple[str, list[Any]]:
        """WHERE clause and parameters for a search and/or band and channel filters, for the
        people after id ``after`` when given. A scan's id span then starts after it: SQLite takes
        one lower bound for a rowid range, and a separate ``id > ?`` would leave it reading from
        the incident's first id (measured: 1.9 s instead of 2 ms in the middle of a million)."""
        spans = self.ranges(incident_id) or [(0, -1)]
        start = spans[0][0] if after is None else max(spans[0][0], after + 1)
        span: list[Any] = [start, spans[-1][1], incident_id]
        params: list[Any]
        if query.person_id is not None:  # the primary key, in this incident only
            clauses, params = _after(["id = ?", "incident_id = ?"], [query.person_id, incident_id], after)
        elif query.contacts:
            clauses, params = _exact_clause(incident_id, query.contacts)
            clauses, params = _after(clauses, params, after)
        elif query.terms and not any(query.terms[1:]):
            ids, id_params = _prefix_lookup(query.terms[0])
            clauses, params = _after([f"id IN ({ids})"], [incident_id, *id_params], after)
        elif query.terms:
            # Names and parts of contacts: the incident's own id span read in rowid order (not the
            # whole table), the user-id prefix tested on each row. In id order a page stops at
            # its LIMIT instead of collecting every match first; the scan is what it costs.
            prefix, prefix_params = _prefix_test(query.terms[0])
            contacts, contact_params = _contact_clause(query.terms)
            clauses = [_SPAN, f"({prefix} OR {contacts})"]
            params = [*span, *prefix_params, *contact_params]
        else:
            clauses, params = [_SPAN], span
        if query.band:
            if query.day is None:
                raise ValueError("an age band is measured on a day: give the incident's day")
            band_sql, band_params = band_condition(query.band, query.day)
            clauses.append(band_sql)
            params += band_params
        if query.channels:
            clauses.append(f"channel IN ({', '.join('?' * len(query.channels))})")
            params += list(query.channels)
        return " AND ".join(clauses), params

    def iter_people(self, incident_id: int, batch: int) -> Iterator[Person]:
        """Every person in import order, read ``batch`` at a time (keyset paging)."""
        last = 0
        while True:
            chunk = self.page(incident_id, 0, batch, after=last)
            yield from chunk
            if len(chunk) < batch:
                return
            last = chunk[-1].id

    def iter_audience(self, incident_id: int, audience: str, batch: int) -> Iterator[Person]:
        """In import order, only the people who can give rise to a recipient of ``audience``
        (see :data:`AUDIENCES`), read ``batch`` at a time by keyset over the incident's id
        blocks: a hand-off of the 3% letter people of 10M reads 300,000 rows, not 10M."""
        condition = AUDIENCES[audience]
        for first, last in self.ranges(incident_id):
            after = first - 1
            while True:
                rows = self._db.execute(
                    f"{_PERSON_SQL} WHERE id > ? AND id <= ? AND +incident_id = ? AND ({condition})"
                    " ORDER BY id LIMIT ?", [after, last, incident_id, batch]).fetchall()
                yield from (_person(r) for r in rows)
                if len(rows) < batch:
                    break
                after = int(rows[-1][0])

    def get(self, incident_id: int, person_id: int) -> Person:
        row = self._db.execute(f"{_PERSON_SQL} WHERE incident_id = ? AND id = ?", [incident_id, person_id]).fetchone()
        if row is None:
            raise NotFoundError(f"person {person_id} is not among the affected people of incident {incident_id}")
        return _person(row)


# A safe superset of the people whose recipients (domain.notices.recipients_from_person) can be
# reached by one hand-off; the exact choice stays with the caller, so a looser condition only
# costs time. An adult whose stored channel is one of their own (email, sms, letter) keeps it.
_ADULT = "coalesce(minor_band, '') = 'adult'"
AUDIENCES: dict[str, str] = {
    "sms": f"(coalesce(phone, '') != '' OR coalesce(guardian_phone, '') != '')"
           f" AND NOT ({_ADULT} AND channel IN ('email', 'letter'))",
    "phone": "coalesce(phone, '') != '' AND coalesce(channel, '') != 'email'",
    "letter": f"coalesce(channel, '') IN ('letter', 'guardian_letter')"
              f" OR (coalesce(address, '') != '' AND NOT ({_ADULT} AND channel IN ('email', 'sms')))",
}


# The incident's id span read in rowid order; the unary + keeps SQLite from walking the
# (incident_id, user_id) index instead, which would fetch each row by a separate lookup.
_SPAN = "id BETWEEN ? AND ? AND +incident_id = ?"
_STATS_SQL = ("SELECT incident_id, total, minors, by_channel, duplicates_merged, rejected_rows, children, teens"
              " FROM people_stats")


def _summary(row: Sequence[Any]) -> PeopleSummary:
    stored = json.loads(row[2])
    by_channel = {c.value: int(stored[c.value]) for c in Channel if stored.get(c.value)}
    return PeopleSummary(int(row[0]), int(row[1]), by_channel, by_channel.get(Channel.NONE.value, 0),
                         int(row[3]), int(row[4]), int(row[5]), int(row[6]))


def _after(clauses: list[str], params: list[Any], after: int | None) -> tuple[list[str], list[Any]]:
    """Keyset paging over an index's matches: only the ids after ``after``."""
    if after is None:
        return clauses, params
    return [*clauses, "id > ?"], [*params, after]


def _exact_clause(incident_id: int, contacts: Sequence[tuple[str, str]]) -> tuple[list[str], list[Any]]:
    """``id IN`` the people whose column equals the value, one index probe per pair (the partial
    contact indexes need the ``!= ''`` to be chosen)."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in contacts:
        if column not in EXACT_COLUMNS:
            raise ValueError(f"no index to search people by {column!r}")
        guard = f" AND {column} != ''" if column != "user_id" else ""
        parts.append(f"SELECT id FROM people WHERE incident_id = ? AND {column} = ?{guard}")
        params += [incident_id, value]
    return [f"id IN ({' UNION '.join(parts)})"], params


def _contact_clause(terms: Sequence[str]) -> tuple[str, list[Any]]:
    """terms = (user-id prefix, LIKE pattern for name/email, LIKE pattern for the phone digits)."""
    _prefix, like, phone_like = terms
    clause = "(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'"
    params: list[Any] = [like, like]
    if phone_like:
        clause += " OR phone LIKE ? ESCAPE '\\' OR guardian_phone LIKE ? ESCAPE '\\'"
        params += [phone_like, phone_like]
    return clause + ")", params


def _prefix_lookup(prefix: str) -> tuple[str, list[Any]]:
    """The ids of people whose user id starts with ``prefix`` (case as typed), as a range on
    the (incident_id, user_id) index: ``user_id >= prefix AND user_id < next string``. A LIKE
    would need a NOCASE index to use one; the range works with the default binary order."""
    end = prefix_end(prefix)
    sql = "SELECT id FROM people WHERE incident_id = ? AND user_id >= ?"
    if end is None:
        return sql, [prefix]
    return sql + " AND user_id < ?", [prefix, end]


def _prefix_test(prefix: str) -> tuple[str, list[Any]]:
    """The user-id prefix as a condition on one row (inside a scan)."""
    end = prefix_end(prefix)
    if end is None:
        return "user_id >= ?", [prefix]
    return "(user_id >= ? AND user_id < ?)", [prefix, end]


def prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (binary order
    equals code-point order in UTF-8), or None when there is none."""
    text = prefix
    while text:
        point = ord(text[-1]) + 1
        if 0xD800 <= point <= 0xDFFF:  # surrogates cannot be stored; skip to the next real character
            point = 0xE000
        if point <= 0x10FFFF:
            return text[:-1] + chr(point)
        text = text[:-1]
    return None


# -- age bands ---------------------------------------------------------------------------------
BANDS: tuple[str, ...] = ("child", "teen", "adult")


def band_condition(band: str, day: date) -> tuple[str, list[Any]]:
    """SQL condition (and parameters) for the people in age ``band`` (``child`` under 14, ``teen``
    14-17, ``adult``): the band stored at import (or correction), decided on the incident's
    occurrence day by domain.people.band_code. ``day`` is kept for callers; the stored band already
    reflects it."""
    if band not in BANDS:
        raise ValueError(f"unknown age band {band!r}")
    del day
    return "minor_band = ?", [band]


def _person(row: Iterable[Any]) -> Person:
    # Missing values are stored as "" (see services.people.rows); callers get None.
    (pid, incident_id, user_id, name, email, phone, address, birth, minor, g_name, g_email, g_phone,
     types, language, channel, band, id_number, ledger_key) = row
    return Person(
        id=pid, incident_id=incident_id, user_id=user_id or None, name=name or None, email=email or None,
        phone=phone or None, address=address or None, birth_date=date.fromisoformat(birth) if birth else None,
        is_minor=bool(minor), guardian_name=g_name or None, guardian_email=g_email or None,
        guardian_phone=g_phone or None, data_types=tuple(types.split(";")) if types else (),
        language=language, channel=Channel(channel), minor_band=MinorBand(band or "adult"),
        id_number=id_number or None, ledger_key=ledger_key or None,
    )
