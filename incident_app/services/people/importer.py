"""The import loop: stream rows, normalise, merge duplicates, write in batches inside ONE
transaction (all-or-nothing), keep the counters, write the reject/warning report.

Duplicates (README: Affected people): two rows are the same person when both carry the same user id; when
at least one of them has no user id, a shared normalised email or phone makes them one. Two
different user ids never merge. A row is merged into the first match (user id, then email,
then phone); blank fields of the person are filled from it, data types are united.

"The first match" for a key is the first person registered with it: a new person registers each
of its keys nobody holds yet, a merge registers the keys the person gained (if nobody holds
them); stored people are registered in id order. The dedupe table (keys.KeyIndex) only proposes
candidates; each is confirmed against the person's row."""

from __future__ import annotations

import bisect
import contextlib
import csv
import gc
import heapq
import itertools
import operator
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.exports import neutralise_cell
from incident_app.domain.people import (
    MESSAGES,
    Channel,
    band_code,
    choose_channel,
    mask_email,
    mask_phone,
    phone_is_mobile,
    strip_unsafe,
)
from incident_app.services.people.batches import Batch, ReportLine
from incident_app.services.people.keys import EMAIL_SALT, PHONE_SALT, USER_ID_SALT, KeyIndex, digest
from incident_app.services.people.rows import (
    ADDRESS,
    AGE,
    BAND,
    BIRTH,
    CHANNEL,
    EMAIL,
    G_EMAIL,
    G_NAME,
    G_PHONE,
    ID_NUMBER,
    INCIDENT,
    MERGED,
    MINOR,
    NAME,
    PERSON_ID,
    PHONE,
    SOURCE_ROW,
    TYPES,
    USER_ID,
    mask_for,
    stated_age,
)
from incident_app.services.private_files import new_private_temp
from incident_app.services.progress import Progress
from incident_app.storage.people import PeopleRepository

_report_row = operator.itemgetter(0)
_channel_of = operator.itemgetter(CHANNEL)  # C-level getters: counting runs once per stored row
_minor_of = operator.itemgetter(MINOR)
_band_of = operator.itemgetter(BAND)
_FILLABLE = (USER_ID, NAME, EMAIL, PHONE, ADDRESS, BIRTH, AGE, G_NAME, G_EMAIL, G_PHONE, ID_NUMBER)
_KEY_NAMES = {USER_ID: "user_id", EMAIL: "email", PHONE: "phone"}
_KEY_POSITIONS = (USER_ID, EMAIL, PHONE)  # in KeyIndex.claim_rows's order
_KEYS = ((USER_ID, USER_ID_SALT), (EMAIL, EMAIL_SALT), (PHONE, PHONE_SALT))
# The dedupe table is sized for this many keys a row (user id, e-mail, phone, not all present: 2.73
# in bench/import_people.py's realistic file); a list with more grows it once, rebuilt from the
# rows stored so far, rather than every import reserving room for three.
KEYS_PER_ROW = 2.75


class PersonNumbers:
    """The incident's people numbered 0, 1, 2, ... in id order: the dedupe table stores these
    (25 bits at ten million people) rather than ids, which count every incident's people.
    ``blocks`` are the incident's stored id blocks in order; this import's ids start at
    ``first_id``, after all of them."""

    def __init__(self, blocks: list[tuple[int, int]], first_id: int) -> None:
        self._firsts: list[int] = []
        self._starts: list[int] = []
        count = 0
        for first, last in blocks:
            self._firsts.append(first)
            self._starts.append(count)
            count += last - first + 1
        self.stored = count
        self.first_id = first_id
        # number = id + offset for this import's people (the hot loop adds it inline).
        self.offset = count - first_id

    def number(self, person_id: int) -> int:
        if person_id >= self.first_id:
            return person_id + self.offset
        block = bisect.bisect_right(self._firsts, person_id) - 1
        return self._starts[block] + person_id - self._firsts[block]

    def person(self, number: int) -> int:
        if number >= self.stored:
            return number - self.offset
        block = bisect.bisect_right(self._starts, number) - 1
        return self._firsts[block] + number - self._starts[block]


@dataclass
class Tally:
    """What one import did. ``channel_delta``/``minor_delta``/``band_delta`` change the incident's counts."""

    rows_read: int = 0
    imported: int = 0
    duplicates_merged: int = 0
    rejected_rows: int = 0
    channel_delta: Counter[str] = field(default_factory=Counter)
    minor_delta: int = 0
    band_delta: Counter[str] = field(default_factory=Counter)


class ReportWriter:
    """The reject/warning CSV (row, field, value masked, reason), mode 0600, formulas
    neutralised, control and text-direction characters removed, UTF-8 with BOM so Excel shows
    the Chinese reasons. Written under a temporary name and renamed by :meth:`close`, so a
    failed or killed import never leaves a half-written report under its final name."""

    HEADER = ("row", "field", "value", "reason")

    def __init__(self, path: Path) -> None:
        # Written under a temporary name beside the final one (never through a link planted at
        # the predictable name) and renamed into place by :meth:`close`.
        fd, self._temp, self.path = new_private_temp(path)
        self._file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(self.HEADER)
        self.lines = 0

    def add(self, row: int, field: str, value: str | None, reason: str) -> None:
        """One line; ``value`` comes masked for its field. A contact left in it (a user id that is
        a phone number or an e-mail address, which the People tab shows as the key it is) is
        masked here as in the send ledger's replies: the report is a file on disk."""
        value = scrub_contacts(strip_unsafe(value or ""), _masked_email, _masked_phone)
        self._writer.writerow((row, field, neutralise_cell(value), neutralise_cell(reason)))
        self.lines += 1

    def close(self) -> None:
        """Finish the report: synced, then renamed to its final name (the import calls this
        before it commits, so a disk too full for it rolls the import back). Twice is harmless."""
        if self._file.closed:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._temp.replace(self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the unfinished report."""
        with contextlib.suppress(OSError):  # a full disk fails the last flush too; the file goes anyway
            self._file.close()
        self._temp.unlink(missing_ok=True)


def _masked_email(address: str) -> str:
    return mask_email(address) or ""


def _masked_phone(number: str) -> str:
    return mask_phone(number) or ""


class Importer:
    """One import into one incident: :meth:`preload`, then :meth:`run` over the normalised
    batches. Must run inside the store transaction that will commit or roll back."""

    def __init__(self, repo: PeopleRepository, report: ReportWriter, *,
                 incident_id: int, first_id: int, cutoffs: tuple[str, str], expected_rows: int,
                 tally: Tally | None = None) -> None:
        self._repo = repo
        self._report = report
        self._duplicates: list[ReportLine] = []
        self.fields_dropped = self.warnings = 0
        self._incident_id = incident_id
        self._next_id = first_id
        self._first_id = first_id
        self._cutoffs = cutoffs
        self._numbers = PersonNumbers(repo.ranges(incident_id), first_id)
        self._keys = KeyIndex(int(expected_rows * KEYS_PER_ROW), self._numbers.stored + expected_rows)
        # This batch's new people: the tuples the normaliser produced, or lists once merged into.
        self._pending: list[list[Any] | tuple[Any, ...]] = []
        self._pending_first = first_id
        self.tally = tally or Tally()

    def preload(self) -> None:
        """Register the incident's stored people so a second file merges into them."""
        self._register_people(self._repo.dedupe_keys(self._incident_id))
        self._grow_if_crowded()

    def _register_people(self, people: Iterable[tuple[int, str, str, str]]) -> None:
        """Register stored people in id order (one claim() each; the slow path when a tag is taken)."""
        number_of, claim, register = self._numbers.number, self._keys.claim, self._register
        for person_id, user_id, email, phone in people:
            number = number_of(person_id)
            if not claim(digest(user_id, USER_ID_SALT) if user_id else 0, digest(email, EMAIL_SALT) if email else 0,
                         digest(phone, PHONE_SALT) if phone else 0, number):
                register(number, ("", "", "", user_id, "", email, phone))

    def _grow_if_crowded(self) -> None:
        next_number = self._next_id + self._numbers.offset
        if not self._keys.crowded(next_number):
            return
        people = itertools.chain(
            self._repo.dedupe_keys(self._incident_id, also=(self._first_id, self._pending_first - 1)),
            ((person_id, r[USER_ID], r[EMAIL], r[PHONE])
             for person_id, r in enumerate(self._pending, self._pending_first)))
        self._keys.rebuild(2 * next_number, lambda _index: self._register_people(people))

    def run(self, batches: Iterable[Batch], progress: Progress) -> None:
        """Add each normalised row as a new person or merge it into a known one; write each
        batch with its report lines (in row order) and report progress.

        Fast path: one claim_rows() registers the keys of a run of new people in the same
        probes that look them up; only a hit (a repeat, or a digest collision) takes the slow
        path. This loop runs a million times, so it keeps its state in locals."""
        claim_rows, tally, pending, offset = self._keys.claim_rows, self.tally, self._pending, self._numbers.offset
        # The loop makes a list per row and no reference cycles; with the collector on, its
        # generation sweeps over the pending batch cost ~5% of the import.
        collecting = gc.isenabled()
        gc.disable()
        # The next id in a local (written back before anything else reads self._next_id).
        next_id = self._next_id
        try:
            for batch in batches:
                rows, start = batch.rows, 0
                while start < len(rows):
                    stop = claim_rows(rows, start, next_id + offset, _KEY_POSITIONS)
                    # Pending as the tuples they came in (their id element is not written; see
                    # _row): no copy per row. Before the slow path, which may merge into them.
                    pending.extend(rows[start:stop] if start or stop < len(rows) else rows)
                    next_id += stop - start
                    if stop == len(rows):
                        break
                    self._next_id = next_id
                    self._resolve(list(rows[stop]))
                    pending, next_id = self._pending, self._next_id
                    start = stop + 1
                self._next_id = next_id
                tally.rows_read += batch.read
                tally.rejected_rows += batch.rejected
                self.fields_dropped, self.warnings = batch.fields_dropped, batch.warnings
                self._write_report(batch.problems)
                self.flush(progress, batch.position)
                pending = self._pending
        finally:
            self._next_id = next_id
            if collecting:
                gc.enable()

    def _write_report(self, problems: list[ReportLine]) -> None:
        merged = heapq.merge(problems, self._duplicates, key=_report_row) if self._duplicates else problems
        for line in merged:
            self._report.add(*line)
        self._duplicates = []

    @property
    def next_id(self) -> int:
        """The id the next new person would get (ids of this import are contiguous)."""
        return self._next_id

    def flush(self, progress: Progress | None = None, position: int = 0) -> None:
        """Write the pending batch and count it; report progress (which raises Cancelled)."""
        pending = self._pending
        if pending:
            self._repo.insert_rows(pending, self._pending_first)
            # Counted when written, so merges into a pending row need no correction.
            tally = self.tally
            tally.imported += len(pending)
            tally.channel_delta.update(map(_channel_of, pending))
            tally.minor_delta += sum(map(_minor_of, pending))
            tally.band_delta.update(map(_band_of, pending))
            self._pending_first += len(pending)
            self._pending = []
        self._grow_if_crowded()
        if progress is not None:
            progress.advance(position - progress.snapshot().done, f"{self.tally.rows_read:,}")

    # -- matching ---------------------------------------------------------------------------
    def _resolve(self, row: list[Any]) -> None:
        """A key's tag is in the table: merge into the person the row repeats, or (another
        user id, or only a tag shared by chance) add the row as a new person after all."""
        match = self._match(row)
        if match is None:
            self._add(row)
            self._register(row[PERSON_ID] + self._numbers.offset, row)
            return
        self._merge(match, row)

    def _match(self, row: list[Any]) -> tuple[list[Any], int] | None:
        """(stored row, key position) of the person this row repeats, if any."""
        user_id = row[USER_ID]
        if user_id:
            found = self._holder(USER_ID, user_id, USER_ID_SALT)
            if found is not None:
                return found, USER_ID
        for position, salt in ((EMAIL, EMAIL_SALT), (PHONE, PHONE_SALT)):
            key = row[position]
            if not key:
                continue
            found = self._holder(position, key, salt)
            # Only a row without a user id may join a person with one.
            if found is not None and not (user_id and found[USER_ID]):
                return found, position
        return None

    def _holder(self, position: int, key: str, salt: int) -> list[Any] | None:
        """The row of the first person registered with this key (``key`` at ``position``)."""
        def check(number: int) -> list[Any] | None:
            stored = self._row(number)
            return stored if stored[position] == key else None

        return self._keys.find(digest(key, salt), check)

    def _row(self, number: int) -> list[Any]:
        """The person's row, to compare or merge into: a pending one is turned into a list
        with its id the first time (the fast path keeps the tuple it received)."""
        person_id = self._numbers.person(number)
        if person_id < self._pending_first:
            return self._repo.row_by_id(person_id)
        index = person_id - self._pending_first
        row = self._pending[index]
        if isinstance(row, tuple):
            row = self._pending[index] = list(row)
            row[PERSON_ID] = person_id
        return row

    # -- writing ----------------------------------------------------------------------------
    def _add(self, row: list[Any]) -> None:
        row[PERSON_ID] = self._next_id
        self._next_id += 1
        self._pending.append(row)

    def _register(self, number: int, row: Sequence[Any]) -> None:
        """Register the person's keys that nobody holds yet (a key another person already
        holds stays theirs)."""
        keys = self._keys
        for position, salt in _KEYS:
            key = row[position]
            if not key:
                continue

            def check(candidate: int, position: int = position, key: str = key) -> bool | None:
                # The person's own row is at hand (and a stored one may not be written back yet).
                stored = row if candidate == number else self._row(candidate)
                return True if stored[position] == key else None

            if keys.find(digest(key, salt), check) is None:
                keys.add(digest(key, salt), number)

    def _merge(self, match: tuple[list[Any], int], row: list[Any]) -> None:
        target, position = match
        key = _KEY_NAMES[position]
        self._duplicates.append((row[SOURCE_ROW], key, mask_for(key, row[position]) or "",
                                 MESSAGES["duplicate"].format(row=target[SOURCE_ROW], key=key)))
        old_channel, old_minor, old_band = target[CHANNEL], target[MINOR], target[BAND]
        old_key = _derived_key(target)
        for column in _FILLABLE:
            if target[column] in (None, "") and row[column] not in (None, ""):
                target[column] = row[column]
        if row[TYPES]:
            merged = dict.fromkeys((target[TYPES] or "").split(";") + row[TYPES].split(";"))
            target[TYPES] = ";".join(t for t in merged if t)
        target[MERGED] += 1
        self._recompute(target)
        tally = self.tally
        tally.duplicates_merged += 1
        if target[PERSON_ID] < self._pending_first:  # already written (and counted)
            # Written back before its keys are registered: the confirmation reads the stored row.
            self._repo.update_row(target)
            # A person without user id is keyed by their e-mail, else phone: a merge that fills
            # a user id, or an e-mail for a person keyed by phone, keeps the key the ledger knows
            # them by (as a correction does; a key kept already stays, and a key another person
            # holds is theirs). Only merges into stored people (the slow path) ever write it: a
            # person of this file has no ledger rows.
            if _derived_key(target) != old_key:
                self._repo.keep_ledger_key(target[INCIDENT], target[PERSON_ID], old_key)
            tally.channel_delta[old_channel] -= 1
            tally.channel_delta[target[CHANNEL]] += 1
            tally.minor_delta += target[MINOR] - old_minor
            tally.band_delta[old_band] -= 1
            tally.band_delta[target[BAND]] += 1
        self._register(self._numbers.number(target[PERSON_ID]), target)

    def _recompute(self, row: list[Any]) -> None:
        band = band_code(row[BIRTH], stated_age(row), self._cutoffs)
        row[BAND] = band
        row[MINOR] = int(band != "adult")
        row[CHANNEL] = choose_channel(
            band=band, email=row[EMAIL], mobile=phone_is_mobile(row[PHONE]), address=row[ADDRESS],
            guardian_email=row[G_EMAIL], guardian_mobile=phone_is_mobile(row[G_PHONE]),
        ).value


def _derived_key(row: Sequence[Any]) -> str:
    """The send-ledger key a stored row derives without a kept key: domain.notices.recipient
    ``person_key``'s rule (and storage.send_ledger ``CURRENT_PERSON_KEY``'s) on a raw row — the
    user id, else the e-mail, else the phone, else the row (its "person-" prefix spelled here:
    people may not import the notices package)."""
    return str(row[USER_ID] or row[EMAIL] or row[PHONE] or f"person-{row[PERSON_ID]}")


def apply_delta(before: dict[str, int], delta: Counter[str]) -> dict[str, int]:
    """Channel counts after an import (zero entries dropped, stable key order)."""
    merged = Counter(before)
    merged.update(delta)
    return {c.value: merged[c.value] for c in Channel if merged[c.value] > 0}

