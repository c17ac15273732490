"""The unit of work over one SQLite connection: repositories, the event log, transactions.

One Store per thread (SQLite connections are not shared across threads); background jobs open
their own through the same factory."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from incident_app.domain.proof import Event, EventDraft
from incident_app.storage.assessment import EnisaInputsRepository
from incident_app.storage.assessment_cache import AssessmentCacheRepository
from incident_app.storage.database import UpgradeNotice, connect, copy_database_into, migrate
from incident_app.storage.enquiries import EnquiryRepository
from incident_app.storage.event_log import EventLog
from incident_app.storage.incidents import IncidentRepository
from incident_app.storage.notices import NoticeRepository
from incident_app.storage.people import PeopleRepository
from incident_app.storage.remediation import (
    CorrectionRepository,
    DecisionRepository,
    FulfilmentRepository,
    RemediationRepository,
)
from incident_app.storage.retention import RetentionRepository
from incident_app.storage.send_ledger import SendLedgerRepository, SendRunRepository
from incident_app.storage.settings import SettingsRepository

ConnectHook = Callable[[Path], sqlite3.Connection]


class Store:
    """Everything persistent, reached through one connection."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self.incidents = IncidentRepository(db)
        self.settings = SettingsRepository(db)
        self.events = EventLog(db, path=path)
        self.remediation = RemediationRepository(db)
        self.decisions = DecisionRepository(db)
        self.fulfilments = FulfilmentRepository(db)
        self.corrections = CorrectionRepository(db)
        self.retention = RetentionRepository(db)
        self.enisa_inputs = EnisaInputsRepository(db)
        self.notices = NoticeRepository(db)
        self.send_ledger = SendLedgerRepository(db)
        self.send_runs = SendRunRepository(db)
        self.people = PeopleRepository(db)
        self.enquiries = EnquiryRepository(db)
        self.assessment_cache = AssessmentCacheRepository(db)
        # How this file was opened (a helper process opens it the same way: an encrypted file's key).
        self.connect_hook: ConnectHook | None = None
        # Called after a transaction commits, with the incidents it recorded events for (the
        # services keep those incidents' assessment summaries current: services/container.py).
        self.after_commit: Callable[[set[int]], None] | None = None
        self._touched: set[int] = set()

    @classmethod
    def open(cls, path: Path, connect_hook: ConnectHook | None = None,
             before_upgrade: UpgradeNotice | None = None) -> Store:
        """Open or create the database file and bring its schema up to date (``before_upgrade``:
        see :func:`incident_app.storage.database.migrate`)."""
        db = connect(path, connect_hook)
        try:
            migrate(db, path, before_upgrade=before_upgrade)
        except BaseException:
            db.close()  # not left open (and locked) behind a failed upgrade
            raise
        store = cls(db, path)
        store.connect_hook = connect_hook
        return store

    def record_marker(self) -> tuple[object, ...]:
        """What changes when a record changes, read from indexes only (microseconds): the newest
        event (every change of a record writes one), the newest send-ledger row and the send runs'
        heartbeats (a send run updates ledger rows between its start and finish events). A commit
        that leaves it as it was changed no record (the assessment summary cache, for one)."""
        return tuple(self.db.execute(
            "SELECT (SELECT max(seq) FROM events), (SELECT max(id) FROM send_ledger), "
            "(SELECT max(heartbeat_at) FROM send_runs), (SELECT count(*) FROM send_runs WHERE finished_at IS NULL)"
        ).fetchone())

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside commit together or not at all (nested blocks use savepoints). Once
        the outermost block has committed, :attr:`after_commit` hears which incidents changed.

        The outermost block takes the write lock as it starts (``BEGIN IMMEDIATE``, see
        :class:`~incident_app.storage.database.Database`): while another window or command writes,
        it waits up to the busy timeout instead of failing when its first write comes after a read;
        one that still cannot start raises the OperationalError :func:`~incident_app.storage.database.is_busy`
        recognises."""
        outermost = not self.db.conn.in_transaction
        try:
            with self.db.atomic():
                yield self
        except BaseException:
            if outermost:
                self._touched.clear()  # rolled back: nothing changed
            raise
        if outermost and self._touched:
            touched, self._touched = self._touched, set()
            if self.after_commit is not None:
                self.after_commit(touched)

    def copy_into(self, temp: Path, on_pages: Callable[[int, int], None] | None = None) -> None:
        """A consistent copy of the whole database into the empty file ``temp`` (see
        :func:`copy_database_into`: encrypted stays encrypted)."""
        copy_database_into(self.db, temp, on_pages)

    @contextmanager
    def erasing(self) -> Iterator[Store]:
        """Overwrite what the block deletes or replaces instead of leaving it in free pages, then
        checkpoint the write-ahead log so old page images leave it too (retention purges)."""
        self.db.execute("PRAGMA secure_delete = ON")
        try:
            yield self
        finally:
            self.db.execute("PRAGMA secure_delete = OFF")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def record(self, draft: EventDraft, *, actor: str, at: datetime) -> Event:
        """Append an event; call inside the transaction of the change it describes. Called outside
        one, the event gets a transaction of its own: reading the chain's last hash and appending
        after it must happen under one write lock, or two processes could chain onto the same event."""
        if self.db.conn.in_transaction:
            event = self.events.append(draft, actor=actor, at=at)
        else:
            with self.db.atomic():
                event = self.events.append(draft, actor=actor, at=at)
        if draft.incident_id is not None:
            self._touched.add(draft.incident_id)
        return event

    def data_version(self) -> int:
        """SQLite's counter of commits made by OTHER connections to this file (another thread's
        job, the command line in another process): a cheap way to notice a change, no table read."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()
