"""The import loop: stream rows, normalise, merge duplicates, write in batches inside ONE
transaction (all-or-nothing), keep the counters, write the reject/warning report.

Duplicates (README: Affected people): two rows are the same person when both carry the same user id; when
at least one of them has no user id, a shared normalised email or phone makes them one. Two
different user ids never merge. A row is merged into the first match (user id, then email,
then phone); blank fields of the person are filled from it, data types are united."""

from __future__ import annotations

import contextlib
import csv
import gc
import heapq
import itertools
import operator
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_app.domain.exports import neutralise_cell
from incident_app.domain.people import MESSAGES, Channel, band_code, choose_channel, phone_is_mobile, strip_unsafe
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
# The dedupe table is sized for this many keys a row (user id, e-mail, phone, not all present: 2.7
# in bench/import_people.py's realistic file); a list with more grows it once, rebuilt from the
# rows stored so far, rather than every import reserving room for three.
KEYS_PER_ROW = 2.5


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
        self._writer.writerow((row, field, neutralise_cell(strip_unsafe(value or "")), neutralise_cell(reason)))
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
        self._keys = KeyIndex(int(expected_rows * KEYS_PER_ROW))
        self._pending: list[list[Any]] = []
        self._pending_first = first_id
        self.tally = tally or Tally()

    def preload(self) -> None:
        """Register the incident's stored people so a second file merges into them."""
        for person_id, user_id, email, phone in self._repo.dedupe_keys(self._incident_id):
            self._register(person_id, user_id, email, phone)
        self._grow_if_crowded()

    def _grow_if_crowded(self) -> None:
        if not self._keys.crowded():
            return
        people = itertools.chain(
            self._repo.dedupe_keys(self._incident_id, also=(self._first_id, self._pending_first - 1)),
            ((r[PERSON_ID], r[USER_ID], r[EMAIL], r[PHONE]) for r in self._pending))
        self._keys.rebuild(
            (digest(key, salt), -person_id if user_id else person_id)
            for person_id, user_id, email, phone in people
            for key, salt in ((user_id, USER_ID_SALT), (email, EMAIL_SALT), (phone, PHONE_SALT)) if key)

    def run(self, batches: Iterable[Batch], progress: Progress) -> None:
        """Add each normalised row as a new person or merge it into a known one; write each
        batch with its report lines (in row order) and report progress.

        Fast path: one claim() registers the row's keys for a new person in the same probes
        that look them up; only a hit (a repeat, or a digest collision) takes the slow path.
        This loop runs a million times, so it keeps its state in locals."""
        claim, tally, pending = self._keys.claim, self.tally, self._pending
        # The loop makes a list per row and no reference cycles; with the collector on, its
        # generation sweeps over the pending batch cost ~5% of the import.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for batch in batches:
                for values in batch.rows:
                    row = list(values)
                    user_id, email, phone = row[USER_ID], row[EMAIL], row[PHONE]
                    next_id = self._next_id
                    value = -next_id if user_id else next_id
                    if claim((hash(user_id) ^ USER_ID_SALT) or 1 if user_id else 0,
                             (hash(email) ^ EMAIL_SALT) or 1 if email else 0,
                             (hash(phone) ^ PHONE_SALT) or 1 if phone else 0, value):
                        row[PERSON_ID] = next_id
                        self._next_id = next_id + 1
                        pending.append(row)
                    else:
                        self._resolve(row, value)
                        pending = self._pending
                tally.rows_read += batch.read
                tally.rejected_rows += batch.rejected
                self.fields_dropped, self.warnings = batch.fields_dropped, batch.warnings
                self._write_report(batch.problems)
                self.flush(progress, batch.position)
                pending = self._pending
        finally:
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
            self._repo.insert_rows(pending)
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
    def _resolve(self, row: list[Any], tentative: int) -> None:
        """A key was seen before: merge into the person it names, or (collision, or another
        user id) add the row as a new person after all."""
        match = self._match(row, tentative)
        if match is None:
            self._add(row)
            self._register(row[PERSON_ID], row[USER_ID], row[EMAIL], row[PHONE])
            return
        target = match[0]
        self._merge(match, row)
        final = -target[PERSON_ID] if target[USER_ID] else target[PERSON_ID]
        for key in self._row_keys(row):
            if self._keys.get(key) == tentative:
                self._keys.set(key, final)

    def _match(self, row: list[Any], tentative: int) -> tuple[list[Any], int] | None:
        """(stored row, key position) of the person this row repeats, if any."""
        user_id = row[USER_ID]
        if user_id:
            value = self._keys.get(digest(user_id, USER_ID_SALT))
            found = self._confirm(value, tentative, USER_ID, user_id)
            if found is not None:
                return found, USER_ID
        for position, salt in ((EMAIL, EMAIL_SALT), (PHONE, PHONE_SALT)):
            key = row[position]
            if not key:
                continue
            value = self._keys.get(digest(key, salt))
            # A negative value marks a person with a user id: only a row without one may join it.
            if value and not (user_id and value < 0):
                found = self._confirm(value, tentative, position, key)
                if found is not None and not (user_id and found[USER_ID]):
                    return found, position
        return None

    @staticmethod
    def _row_keys(row: list[Any]) -> list[int]:
        pairs = ((row[USER_ID], USER_ID_SALT), (row[EMAIL], EMAIL_SALT), (row[PHONE], PHONE_SALT))
        return [digest(value, salt) for value, salt in pairs if value]

    def _confirm(self, value: int, tentative: int, position: int, key: str) -> list[Any] | None:
        """The stored row behind an index hit, if its key really is equal (digests collide)."""
        if not value or value == tentative:
            return None
        stored = self._row(abs(value))
        return stored if stored[position] == key else None

    def _row(self, person_id: int) -> list[Any]:
        if person_id >= self._pending_first:
            return self._pending[person_id - self._pending_first]
        return self._repo.row_by_id(person_id)

    # -- writing ----------------------------------------------------------------------------
    def _add(self, row: list[Any]) -> None:
        row[PERSON_ID] = self._next_id
        self._next_id += 1
        self._pending.append(row)

    def _register(self, person_id: int, user_id: str | None, email: str | None, phone: str | None) -> None:
        """Point the person's keys at them, never taking a key another person already holds."""
        value = -person_id if user_id else person_id
        setdefault = self._keys.setdefault
        if user_id:
            setdefault(digest(user_id, USER_ID_SALT), value)
        if email:
            setdefault(digest(email, EMAIL_SALT), value)
        if phone:
            setdefault(digest(phone, PHONE_SALT), value)

    def _merge(self, match: tuple[list[Any], int], row: list[Any]) -> None:
        target, position = match
        key = _KEY_NAMES[position]
        self._duplicates.append((row[SOURCE_ROW], key, mask_for(key, row[position]) or "",
                                 MESSAGES["duplicate"].format(row=target[SOURCE_ROW], key=key)))
        old_channel, old_minor, old_band = target[CHANNEL], target[MINOR], target[BAND]
        for column in _FILLABLE:
            if target[column] in (None, "") and row[column] not in (None, ""):
                target[column] = row[column]
        if row[TYPES]:
            merged = dict.fromkeys((target[TYPES] or "").split(";") + row[TYPES].split(";"))
            target[TYPES] = ";".join(t for t in merged if t)
        target[MERGED] += 1
        self._recompute(target)
        self._register(target[PERSON_ID], target[USER_ID], target[EMAIL], target[PHONE])
        tally = self.tally
        tally.duplicates_merged += 1
        if target[PERSON_ID] < self._pending_first:  # already written (and counted)
            self._repo.update_row(target)
            tally.channel_delta[old_channel] -= 1
            tally.channel_delta[target[CHANNEL]] += 1
            tally.minor_delta += target[MINOR] - old_minor
            tally.band_delta[old_band] -= 1
            tally.band_delta[target[BAND]] += 1

    def _recompute(self, row: list[Any]) -> None:
        band = band_code(row[BIRTH], stated_age(row), self._cutoffs)
        row[BAND] = band
        row[MINOR] = int(band != "adult")
        row[CHANNEL] = choose_channel(
            band=band, email=row[EMAIL], mobile=phone_is_mobile(row[PHONE]), address=row[ADDRESS],
            guardian_email=row[G_EMAIL], guardian_mobile=phone_is_mobile(row[G_PHONE]),
        ).value


def apply_delta(before: dict[str, int], delta: Counter[str]) -> dict[str, int]:
    """Channel counts after an import (zero entries dropped, stable key order)."""
    merged = Counter(before)
    merged.update(delta)
    return {c.value: merged[c.value] for c in Channel if merged[c.value] > 0}

