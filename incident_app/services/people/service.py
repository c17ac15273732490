"""Use cases on an incident's affected people: preview and import a file, counts, paging and
search, streaming for notices, and the logged unmasking of one person."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from datetime import datetime
from pathlib import Path

from incident_app.domain.clock import shanghai_date, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.incident import Incident
from incident_app.domain.people import (
    Channel,
    ColumnMapping,
    PeopleSummary,
    Person,
    apply_corrections,
    band_cutoffs,
    check_usable,
    strip_unsafe,
    suggest_mapping,
)
from incident_app.domain.text import LINE_MAX, PROSE_MAX, text_problem
from incident_app.services.audit import STDOUT, contacts_masked, record_export, record_unmask
from incident_app.services.contact_history import carry_on_correction
from incident_app.services.context import AppContext
from incident_app.services.people.batches import (
    BATCH_ROWS,
    PARALLEL_MIN_ROWS,
    NormaliseSpec,
    WorkerBatches,
    normalised_batches,
)
from incident_app.services.people.corrections import (
    Correction,
    apply_changes,
    check_person,
    counts_after,
    key_warnings,
    normalise_changes,
    warnings_for,
)
from incident_app.services.people.files import FILE, NO_ROWS_MESSAGE, TableSource, open_table
from incident_app.services.people.importer import Importer, ReportWriter, Tally, apply_delta
from incident_app.services.people.rows import BAND, CHANNEL, MINOR, mask_for
from incident_app.services.people.search import search_query
from incident_app.services.progress import Cancelled, Progress
from incident_app.storage import people as people_storage
from incident_app.storage.people import BANDS as BANDS
from incident_app.storage.people import PeopleQuery, PeopleRepository, SearchInterrupted, StopCheck
from incident_app.storage.retention import PurgeProgress

__all__ = ["SearchInterrupted"]  # re-exported: the People tab drops searches it replaced

PREVIEW_ROWS = 5
PURGE_TARGET = people_storage.PURGE_TARGET  # the retention purge target that anonymises this table
# A channel filter names how the notice travels: "email" keeps people e-mailed themselves and
# those reached through a guardian's e-mail; the exact channel names pick one of them.
CHANNEL_FILTERS: dict[str, tuple[str, ...]] = {
    "email": (Channel.EMAIL.value, Channel.GUARDIAN_EMAIL.value),
    "sms": (Channel.SMS.value, Channel.GUARDIAN_SMS.value),
    "letter": (Channel.LETTER.value, Channel.GUARDIAN_LETTER.value), "none": (Channel.NONE.value,),
} | {c.value: (c.value,) for c in Channel if c.value.startswith("guardian_")}
DISK_FULL_MESSAGE = ("the disk is full (or a file-size limit was reached) while importing the people list: nothing "
                     "was imported and the unfinished report was removed. Free some disk space beside the database "
                     "and import again")
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_SQLITE_IOERR_WRITE = getattr(sqlite3, "SQLITE_IOERR_WRITE", 778)


class DiskFull(Exception):  # noqa: N818 - reads as the condition, like Cancelled
    """The import stopped because the disk (or a quota or file-size limit) is full; an
    environment fault, not bad input. The import was rolled back and its report removed."""

    def __init__(self) -> None:
        super().__init__(DISK_FULL_MESSAGE)


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT/EFBIG from a file write, or SQLite's SQLITE_FULL ('database or disk is
    full', also what a full WAL or max_page_count gives) or an I/O error caused by one."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return True
    if isinstance(exc, sqlite3.Error):
        # SQLite reports ENOSPC as SQLITE_FULL, other failed writes (EFBIG, EDQUOT) as IOERR_WRITE.
        code = getattr(exc, "sqlite_errorcode", None)
        return code in (sqlite3.SQLITE_FULL, _SQLITE_IOERR_WRITE) or "database or disk is full" in str(exc)
    return False


@dataclass(frozen=True)
class _Run:
    """One import attempt: what is being read, where problems go, how far it got."""

    incident: Incident
    path: Path
    source: TableSource
    columns: ColumnMapping
    report: ReportWriter
    tally: Tally


@dataclass(frozen=True)
class ImportPreview:
    """What the import dialog shows before importing: detected format, the suggested mapping
    (header -> field or None) and the first rows, masked by the field each column maps to."""

    kind: str
    encoding: str
    headers: tuple[str, ...]
    mapping: dict[str, str | None]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ImportResult:
    """Counts of one import plus the incident's totals after it."""

    import_id: int
    incident_id: int
    rows_read: int
    imported: int
    duplicates_merged: int
    rejected_rows: int
    fields_dropped: int
    warnings: int
    report_path: Path
    kind: str
    encoding: str
    ignored_columns: tuple[str, ...]
    seconds: float
    summary: PeopleSummary = field(default_factory=PeopleSummary)

    def to_dict(self) -> dict[str, object]:
        """The JSON the CLI prints."""
        return {
            "incident_id": self.incident_id, "import_id": self.import_id, "rows_read": self.rows_read,
            "imported": self.imported, "duplicates_merged": self.duplicates_merged,
            "rejected_rows": self.rejected_rows, "fields_dropped": self.fields_dropped, "warnings": self.warnings,
            "minors": self.summary.minors, "children": self.summary.children, "teens": self.summary.teens,
            "unreachable": self.summary.unreachable,
            "people_total": self.summary.total, "by_channel": self.summary.by_channel,
            "report": str(self.report_path), "format": self.kind, "encoding": self.encoding,
            "ignored_columns": list(self.ignored_columns), "seconds": round(self.seconds, 2),
        }


class PeopleService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    @property
    def _repo(self) -> PeopleRepository:
        return self._ctx.store.people

    # -- preview ----------------------------------------------------------------------------
    def preview(self, path: Path, rows: int = PREVIEW_ROWS) -> ImportPreview:
        """Detected format and encoding, suggested header mapping, first rows masked."""
        with open_table(Path(path)) as source:
            mapping = suggest_mapping(source.header)
            sample: list[tuple[str, ...]] = []
            for _number, cells in source.rows():
                sample.append(tuple(_masked_cell(mapping, i, c) for i, c in enumerate(cells)))
                if len(sample) >= rows:
                    break
        return ImportPreview(source.info.kind, source.info.encoding, mapping.headers, mapping.as_dict(),
                             tuple(sample))

    # -- import -----------------------------------------------------------------------------
    def import_file(self, incident_id: int, path: Path, progress: Progress | None = None,
                    mapping: Mapping[str, str | None] | None = None, *, replace: bool = False,
                    parallel: bool | None = None) -> ImportResult:
        """Import a CSV/XLSX file of affected people, all or nothing.

        Whole-file problems raise ValidationError before anything is written. A failure or cancel
        during the import rolls every row back and records ``people.import_failed`` /
        ``people.import_cancelled`` with the counts reached; the report file is removed.
        ``parallel`` chooses whether a helper process normalises rows (default: for large files)."""
        progress = progress or Progress()
        path = Path(path)
        incident = self._ctx.store.incidents.get(incident_id)
        self._refuse_if_purged(incident_id)
        started = time.monotonic()
        with open_table(path) as source:
            columns = self._mapping(source, mapping)
            first = next(source.rows(), None)
            if first is None:
                raise ValidationError.single(FILE, NO_ROWS_MESSAGE)
            progress.start(source.total, path.name)
            try:
                report = ReportWriter(self._report_path(incident_id))
            except OSError as exc:
                if is_disk_full(exc):
                    raise DiskFull from None
                raise
            run = _Run(incident, path, source, columns, report, Tally())
            try:
                result = self._run(run, first, progress, replace, parallel)
            except BaseException as exc:
                report.discard()
                full = is_disk_full(exc)
                self._record_abort(run, exc, quiet=full)
                if full:
                    raise DiskFull from None
                raise
        progress.finish()
        return dc_replace(result, seconds=time.monotonic() - started)

    def _mapping(self, source: TableSource, corrections: Mapping[str, str | None] | None) -> ColumnMapping:
        mapping = suggest_mapping(source.header)
        if corrections:
            mapping = apply_corrections(mapping, corrections)
        check_usable(mapping)
        return mapping

    def _run(self, run: _Run, first: tuple[int, list[str]], progress: Progress, replace: bool,
             parallel: bool | None) -> ImportResult:
        store, repo, incident = self._ctx.store, self._repo, run.incident
        facts = incident.facts
        cutoffs = band_cutoffs(shanghai_date(facts.occurred_at or facts.discovered_at))
        spec = NormaliseSpec(str(run.path), run.columns.headers, run.columns.fields, incident.id, cutoffs,
                             shanghai_date(self._ctx.now()).isoformat())
        if parallel is None:
            parallel = run.source.info.estimated_rows >= PARALLEL_MIN_ROWS and (os.cpu_count() or 1) > 1
        helper = WorkerBatches(spec) if parallel else None
        try:
            with store.transaction():
                if replace:
                    repo.delete_for_incident(incident.id)
                before = repo.stats(incident.id)
                first_id = repo.begin_range(incident.id)
                repo.suspend_lookup_indexes(_expected_rows(run.source))
                importer = Importer(repo, run.report, incident_id=incident.id, first_id=first_id, cutoffs=cutoffs,
                                    expected_rows=_expected_rows(run.source) + before.total,
                                    tally=run.tally)
                importer.preload()
                importer.run(helper if helper is not None else normalised_batches(spec, run.source, first), progress)
                repo.end_range(incident.id, first_id, importer.next_id)
                repo.restore_lookup_indexes()
                summary = _summary_after(before, run.tally)
                counts = _counts(run.tally) | {"fields_dropped": importer.fields_dropped,
                                               "warnings": importer.warnings, "minors": summary.minors,
                                               "children": summary.children, "teens": summary.teens,
                                               "unreachable": summary.unreachable}
                repo.save_stats(incident.id, summary, to_iso(self._ctx.now()))
                import_id = self._add_import(run, "done", counts, {"replaced": replace})
                # The report (masked values, formulas neutralised) is a file about these people.
                record_export(self._ctx, what="people_import_report", where=str(run.report.path),
                              count=run.report.lines, unmasked=False, incident_id=incident.id)
                # Flushed and renamed before the commit: a disk too full for it rolls back.
                run.report.close()
        finally:
            if helper is not None:
                helper.close()
        tally, info = run.tally, run.source.info
        return ImportResult(
            import_id=import_id, incident_id=incident.id, rows_read=tally.rows_read, imported=tally.imported,
            duplicates_merged=tally.duplicates_merged, rejected_rows=tally.rejected_rows,
            fields_dropped=importer.fields_dropped, warnings=importer.warnings, report_path=run.report.path,
            kind=info.kind, encoding=info.encoding, seconds=0.0,
            # A header cell may hold a contact (a data row pasted as the first line): masked.
            ignored_columns=tuple(contacts_masked(h) for h in run.columns.ignored_headers()),
            summary=summary,
        )

    def _add_import(self, run: _Run, status: str, counts: dict[str, int], extra: dict[str, object]) -> int:
        """The import record and its event (call inside a transaction). Counts only, no PII."""
        now = to_iso(self._ctx.now())
        info = run.source.info
        import_id = self._repo.add_import({
            "incident_id": run.incident.id, "file_name": run.path.name, "file_size": info.size,
            "format": info.kind, "encoding": info.encoding, "status": status, "started_at": now,
            "finished_at": now, "counts": counts, "report_path": str(run.report.path) if status == "done" else None,
        })
        payload = {"counts": counts, "format": info.kind, "encoding": info.encoding} | extra
        self._ctx.record(f"people.{'imported' if status == 'done' else 'import_' + status}", "people_import",
                         import_id, payload, run.incident.id)
        return import_id

    def _record_abort(self, run: _Run, exc: BaseException, *, quiet: bool = False) -> None:
        """After the rollback: keep a record that the import was attempted and how far it got.
        ``quiet``: the disk is full, so the record may not fit either; the officer is told
        about the full disk rather than about the failed record."""
        if quiet:
            with contextlib.suppress(sqlite3.Error, OSError):
                self._record_abort(run, exc)
            return
        cancelled = isinstance(exc, Cancelled | KeyboardInterrupt)
        extra: dict[str, object] = {"rolled_back": True}
        if not cancelled:
            extra["error"] = type(exc).__name__
            if isinstance(exc, ValidationError):
                extra["problems"] = [p.message for p in exc.problems][:5]
        with self._ctx.store.transaction():
            self._add_import(run, "cancelled" if cancelled else "failed", _counts(run.tally), extra)

    def _is_own_report(self, report: Path, incident_id: int) -> bool:
        """Whether ``report`` is one this database's imports wrote beside it. A copy of the database
        (a backup restored elsewhere, a test copy) keeps the original's paths: its purge must not
        delete the original's reports."""
        db = self._ctx.store.path or Path.cwd() / "breach-desk"  # where _report_path put them
        with contextlib.suppress(OSError):
            return (report.parent.resolve() == db.parent.resolve()
                    and report.name.startswith(f"{db.name}.people-import-{incident_id}-"))
        return False

    def _report_path(self, incident_id: int) -> Path:
        db = self._ctx.store.path or Path.cwd() / "breach-desk"
        stamp = self._ctx.now().strftime("%Y%m%dT%H%M%S")
        base = db.with_name(f"{db.name}.people-import-{incident_id}-{stamp}")
        candidate, n = base.with_name(base.name + ".csv"), 1
        while candidate.exists():
            n += 1
            candidate = base.with_name(f"{base.name}-{n}.csv")
        return candidate

    # -- reading ----------------------------------------------------------------------------
    def imported_counts(self, incident_id: int) -> PeopleSummary | None:
        """The counts the assessment uses: None until a people list was imported (the intake's
        estimate applies until then)."""
        summary = self.summary(incident_id)
        return summary if summary.total else None

    def summary(self, incident_id: int) -> PeopleSummary:
        """People, minors, by channel, unreachable, merged duplicates and rejected rows."""
        return self._repo.stats(incident_id)

    def page(self, incident_id: int, offset: int, limit: int, search: str = "", *, band: str = "",
             channel: str = "", after: int | None = None, stop: StopCheck | None = None) -> list[Person]:
        """People ``offset``..``offset+limit`` in import order — or, given ``after`` (the last
        person id of the previous page), the ``limit`` people after it (keyset paging) —
        optionally filtered by a search (services/people/search.py: a whole e-mail or phone
        number exactly, ``#210`` the person with that id, a user id by its beginning, else part
        of a name or email, or phone digits; full-width digits fold), an age band (:data:`BANDS`) and a channel
        (:data:`CHANNEL_FILTERS`). ``stop`` is asked during a scan: True ends it early with
        :class:`~incident_app.storage.people.SearchInterrupted` (the People tab's stale searches)."""
        return self._repo.page(incident_id, offset, limit, self._query(incident_id, search, band, channel),
                               after=after, stop=stop)

    def search_scans(self, incident_id: int, search: str) -> bool:
        """Whether this search reads every row (part of a name or contact) rather than an index."""
        return self._query(incident_id, search, "", "").scans()

    def count(self, incident_id: int, search: str = "", *, band: str = "", channel: str = "",
              stop: StopCheck | None = None) -> int:
        """How many people :meth:`page` can return for the same search and filters."""
        return self._repo.count(incident_id, self._query(incident_id, search, band, channel), stop=stop)

    def quick_count(self, incident_id: int, search: str = "", *, band: str = "", channel: str = "") -> int | None:
        """:meth:`count` when it needs no scan, else None (the People tab then shows "counting…"
        and counts on a worker): everyone and a channel alone come from the counters kept at
        import and correction (as the assessment reads them), a whole e-mail or phone number from
        its index probes, a ``#210`` from the primary key. A user-id prefix, part of a name or
        contact, or an age band is counted by :meth:`count` (a prefix such as "U" may span every
        person)."""
        query = self._query(incident_id, search, band, channel)
        if not query:
            return self._repo.count(incident_id)
        if query.channels and not (query.terms or query.contacts or query.band):
            by_channel = self._repo.stats(incident_id).by_channel
            return sum(by_channel.get(c, 0) for c in query.channels)
        if (query.contacts or query.person_id is not None) and not query.band:
            return self._repo.count(incident_id, query)
        return None

    def _query(self, incident_id: int, search: str, band: str, channel: str) -> PeopleQuery:
        """The storage filter; bad band or channel names are refused naming the option."""
        if band and band not in BANDS:
            raise ValidationError.single("band", f"must be one of {', '.join(BANDS)}")
        if channel and channel not in CHANNEL_FILTERS:
            raise ValidationError.single("channel", f"must be one of {', '.join(CHANNEL_FILTERS)}")
        day = None
        if band:  # the band is the age on the day of the incident (like the minors' rule)
            facts = self._ctx.store.incidents.get(incident_id).facts
            day = shanghai_date(facts.occurred_at or facts.discovered_at)
        found = search_query(search, lambda prefix: self._repo.has_user_id_prefix(incident_id, prefix))
        return dc_replace(found, band=band, day=day, channels=CHANNEL_FILTERS.get(channel, ()))

    def iter_people(self, incident_id: int, batch: int = BATCH_ROWS) -> Iterator[Person]:
        """Every person with real contacts, for notices and sending (streamed)."""
        return self._repo.iter_people(incident_id, batch)

    def iter_audience(self, incident_id: int, audience: str, batch: int = BATCH_ROWS) -> Iterator[Person]:
        """Like :meth:`iter_people`, but only the people who may be reached by ``audience``
        (``sms``, ``phone`` or ``letter``: a superset, the caller still picks its recipients)."""
        return self._repo.iter_audience(incident_id, audience, batch)

    def unmask(self, incident_id: int, person_id: int, reason: str, where: str = "screen") -> Person:
        """One person's real data; the viewing is logged (``personal_data.unmasked``) with the
        reason and the person's id, never the data."""
        if not reason.strip():
            raise ValidationError.single("reason", "say why the person's data must be shown (it is logged)")
        with self._ctx.store.transaction():
            person = self._repo.get(incident_id, person_id)
            record_unmask(self._ctx, what="person", where=where, count=1, incident_id=incident_id,
                          reason=reason.strip(), details={"person_id": person_id})
        return person

    # -- correcting one person --------------------------------------------------------------
    def edit_person(self, incident_id: int, person_id: int, changes: Mapping[str, str], reason: str) -> Correction:
        """Correct one person's contacts, name, guardian or language (``changes``: field ->
        new value as typed, "" clears it; fields in :data:`EDITABLE`).

        Each value is normalised as the import does; any bad value raises ValidationError naming
        the field and nothing is written. The channel (and minor status) is derived again, the
        counts follow, and one ``people.corrected`` event records the person's id, the names of
        the fields changed, the channel before and after and the reason — never the values."""
        incident = self._ctx.store.incidents.get(incident_id)
        self._refuse_correction_if_purged(incident_id)
        clean = _checked_changes(changes, reason)
        facts = incident.facts
        cutoffs = band_cutoffs(shanghai_date(facts.occurred_at or facts.discovered_at))
        repo = self._repo
        with self._ctx.store.transaction():
            row = repo.row_by_id(person_id)
            check_person(row, incident_id)
            old_key = repo.ledger_key(person_id)
            # Two people keeping one key (written before a correction checked who holds it): a
            # correction of one of them lets its key go, and the other keeps the notices under it.
            releasing = any(person_id in pair for pair in repo.kept_twice(incident_id))
            old_channel, old_minor, old_band = row[CHANNEL], row[MINOR], row[BAND]
            fields = apply_changes(row, clean, cutoffs, allow_unchanged=releasing)
            repo.update_row(row)
            # A person without user id is keyed by the contact just corrected: keep the old key,
            # so the corrected contact's row is the next of the same person and the old row is
            # history (it no longer counts against the duty), as for a person keyed by user id —
            # unless another person holds that key: then the rows under it are theirs.
            holders: list[int] = []
            if releasing:
                repo.release_ledger_key(person_id)
            elif repo.ledger_key(person_id) != old_key:
                holders = repo.keep_ledger_key(incident_id, person_id, old_key)
            # A contact corrected back to one already told: the ledger's latest row says so now
            # (a copy of the row sent there), so the duty and the register never count the person
            # as waiting and the next send or hand-off does not message that contact again.
            carry_on_correction(self._ctx.store.send_ledger, incident_id, repo.ledger_key(person_id), row)
            if (old_channel, old_minor, old_band) != (row[CHANNEL], row[MINOR], row[BAND]):
                summary = counts_after(repo.stats(incident_id), old_channel, row[CHANNEL], row[MINOR] - old_minor,
                                       (old_band, row[BAND]))
                repo.save_stats(incident_id, summary, to_iso(self._ctx.now()))
            self._ctx.record("people.corrected", "person", person_id, {
                "person_id": person_id, "fields": list(fields),
                **({"ledger_key": "released"} if releasing else {"ledger_key_held_by": holders} if holders else {}),
                "channel": {"from": old_channel, "to": row[CHANNEL]}, "reason": contacts_masked(reason),
            }, incident_id)
            person = repo.get(incident_id, person_id)
        return Correction(person, fields, Channel(old_channel),
                          warnings_for(row, fields) + key_warnings(releasing, holders))

    def _refuse_if_purge_started(self, incident_id: int) -> None:
        started = self.purge_started_at(incident_id)
        if started is not None:
            raise ValidationError.single("incident", (
                f"the retention purge of incident {incident_id}'s affected people started on {to_iso(started)} "
                "and did not finish (some people are already blank): run the retention purge again to finish it"))

    def _refuse_correction_if_purged(self, incident_id: int) -> None:
        self._refuse_if_purge_started(incident_id)
        purged = self.purged_at(incident_id)
        if purged is not None:
            raise ValidationError.single("incident", (
                f"the affected people's contacts of incident {incident_id} were purged on {to_iso(purged)} "
                "under the retention policy: there is nothing left to correct"))

    def log_list_written(self, incident_id: int, count: int, *, unmasked: bool, reason: str = "",
                         where: str = STDOUT) -> None:
        """Record that the people list left the tool (the CLI's ``people ID``): an export, and
        when unmasked also an unmasking, with the reason (counts only)."""
        record_export(self._ctx, what="people_list", where=where, count=count, unmasked=unmasked,
                      incident_id=incident_id, reason=reason.strip() or ("not given" if unmasked else ""))

    def last_import(self, incident_id: int) -> dict[str, object] | None:
        return self._repo.last_import(incident_id)

    # -- retention --------------------------------------------------------------------------
    def purged_at(self, incident_id: int) -> datetime | None:
        """When the retention purge anonymised this incident's people, or None."""
        return self._ctx.store.retention.purged_at(incident_id, PURGE_TARGET)

    def purge_started_at(self, incident_id: int) -> datetime | None:
        """When a chunked purge of this incident's people started and did not finish (killed or
        cancelled half-way: some people are blank, the others not yet), or None."""
        marker = self._ctx.store.retention.progress(incident_id, PURGE_TARGET)
        return marker.started_at if marker is not None else None

    def purge_contacts_in_chunks(self, incident_id: int, progress: Progress | None = None) -> int:
        """Blank the incident's people :data:`~incident_app.storage.people.PURGE_CHUNK_ROWS` at a
        time, each chunk committed with the marker of how far it got (retention_purge_progress),
        so the write-ahead log holds one chunk and a purge killed or cancelled half-way is resumed
        by the next one from that marker, with a true count. For a big incident the user-id and
        contact indexes are dropped first and rebuilt after (see
        :meth:`~incident_app.storage.people.PeopleRepository.suspend_indexes_for_purge`).
        ``progress`` is checked between chunks. Returns the people changed, earlier runs
        included; :meth:`purge_contacts` then finishes the purge in the purge transaction."""
        store, repo = self._ctx.store, self._repo
        with store.transaction():
            marker = store.retention.progress(incident_id, PURGE_TARGET)
            if marker is None:
                marker = PurgeProgress(self._ctx.now(), 0, 0)
                store.retention.save_progress(incident_id, PURGE_TARGET, marker)
        suspended = repo.suspend_indexes_for_purge(incident_id, store.transaction)
        try:
            while True:
                if progress is not None:
                    progress.check()
                with store.transaction():
                    changed, last = repo.anonymise_chunk(incident_id, marker.after_id,
                                                          people_storage.PURGE_CHUNK_ROWS)
                    if last is None:
                        break
                    marker = PurgeProgress(marker.started_at, last, marker.records + changed)
                    store.retention.save_progress(incident_id, PURGE_TARGET, marker)
        finally:
            if suspended:  # also after a Cancel: the lookups need them (a kill leaves it to the re-run)
                with store.transaction():
                    repo.restore_lookup_indexes()
        return marker.records

    def purge_contacts(self, incident_id: int, progress: Progress | None = None) -> int:
        """Anonymise the incident's people (names, user ids, contacts, addresses, birth dates,
        guardians) and delete the import reports written beside the database; counts stay.
        Runs inside the caller's transaction (services/retention.py). After
        :meth:`purge_contacts_in_chunks` it only finishes: the enquiries, the reports, the
        indexes and the marker (returns 0: the chunks counted the people); on its own it blanks
        everyone, chunk by chunk inside the one transaction (``progress`` is checked between
        chunks: Cancel rolls the whole purge back). Returns people changed."""
        store = self._ctx.store
        marker = store.retention.progress(incident_id, PURGE_TARGET)
        changed = 0
        if marker is None or _has_more(self._repo, incident_id, marker.after_id):
            between = None
            if progress is not None:
                between = _purge_progress(progress)
            changed = self._repo.anonymise_for_incident(incident_id, between_chunks=between)
        # The enquirers' contacts, what they wrote and the replies go with the people's contacts.
        store.enquiries.anonymise_for_incident(incident_id)
        for report in self._repo.import_reports(incident_id):
            if not self._is_own_report(Path(report), incident_id):
                continue
            Path(report).unlink(missing_ok=True)  # masked values, but still about these people
        self._repo.forget_import_reports(incident_id)
        self._repo.restore_lookup_indexes()  # a no-op unless a killed purge left them dropped
        store.retention.clear_progress(incident_id, PURGE_TARGET)
        return changed

    def _refuse_if_purged(self, incident_id: int) -> None:
        self._refuse_if_purge_started(incident_id)
        purged = self.purged_at(incident_id)
        if purged is not None:
            raise ValidationError.single("incident", (
                f"the affected people's contacts of incident {incident_id} were purged on {to_iso(purged)} "
                "under the retention policy; a new list would never be purged again — open a new incident "
                "for new information"))


def _has_more(repo: PeopleRepository, incident_id: int, after_id: int) -> bool:
    """Whether the incident has people with ids after ``after_id`` (a chunked purge not done)."""
    return any(last > after_id for _first, last in repo.ranges(incident_id))


def _purge_progress(progress: Progress) -> Callable[[int], None]:
    """Between two purge chunks: raise Cancelled when the officer cancelled."""
    def between(_done: int) -> None:
        progress.check()
    return between


def _checked_changes(changes: Mapping[str, str], reason: str) -> dict[str, str]:
    """The normalised changes, or one ValidationError with every bad field and a missing reason."""
    # The shared text rule first (its messages never quote the value: this is a person's data).
    problems = [FieldProblem(str(k), problem) for k, v in changes.items()
                if isinstance(v, str) and (problem := text_problem(v, LINE_MAX))]
    clean: dict[str, str] = {}
    if not problems:
        try:
            clean = normalise_changes(changes)
        except ValidationError as refused:
            problems += refused.problems
    if not reason.strip():
        problems.append(FieldProblem("reason", "say why the person's data is corrected (it is logged)"))
    elif problem := text_problem(reason, PROSE_MAX):
        problems.append(FieldProblem("reason", problem))
    if problems:
        raise ValidationError(problems)
    return clean


def _expected_rows(source: TableSource) -> int:
    return max(source.info.estimated_rows, 1000)


def _summary_after(before: PeopleSummary, tally: Tally) -> PeopleSummary:
    by_channel = apply_delta(before.by_channel, tally.channel_delta)
    return PeopleSummary(
        total=before.total + tally.imported, minors=before.minors + tally.minor_delta, by_channel=by_channel,
        unreachable=by_channel.get("none", 0), duplicates_merged=before.duplicates_merged + tally.duplicates_merged,
        rejected_rows=before.rejected_rows + tally.rejected_rows,
        children=before.children + tally.band_delta["child"], teens=before.teens + tally.band_delta["teen"],
    )


def _counts(tally: Tally) -> dict[str, int]:
    return {"rows_read": tally.rows_read, "imported": tally.imported,
            "duplicates_merged": tally.duplicates_merged, "rejected_rows": tally.rejected_rows}


def _masked_cell(mapping: ColumnMapping, index: int, value: str) -> str:
    field = mapping.fields[index] if index < len(mapping.fields) else None
    value = strip_unsafe(value).strip()
    return (mask_for(field, value) if field else mask_for("(unmapped)", value)) or ""

