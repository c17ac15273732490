"""The database backup (issue 15 point 4): a consistent, private copy that opens, verifies and
holds the same rows; an encrypted database's backup stays encrypted; Cancel leaves nothing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from incident_app.services.backup import BACKUP_EXPORT, backup_database
from incident_app.services.container import Services, open_services
from incident_app.services.demo import load_demo
from incident_app.services.encryption import DatabaseKind, database_kind
from incident_app.services.private_files import OutputRefusedError
from incident_app.services.progress import Cancelled, Progress
from incident_app.storage.store import ConnectHook

TABLES = ("incidents", "events", "people", "remediation_actions")


def _rows(services: Services, table: str) -> list[dict[str, object]]:
    db = services.ctx.store.db
    if table not in db.table_names():
        return []
    return list(db.table(table).rows)


def test_backup_opens_verifies_and_equals_the_source(services: Services, tmp_path: Path,
                                                     db_hook: ConnectHook | None) -> None:
    load_demo(services)
    before = {t: _rows(services, t) for t in TABLES}
    seen: list[tuple[int, int | None]] = []
    out = tmp_path / "backups" / "copy.sqlite3"
    result = backup_database(services, out, Progress(on_change=lambda s: seen.append((s.done, s.total)),
                                                     min_interval_s=0))
    assert result.path == out and out.exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert result.encrypted == (db_hook is not None)
    assert database_kind(out) is (DatabaseKind.ENCRYPTED if db_hook else DatabaseKind.PLAIN)
    copy = open_services(out, connect_hook=db_hook)  # the same key opens the encrypted copy
    try:
        assert {t: _rows(copy, t) for t in TABLES} == before
        assert copy.audit.verify().ok
    finally:
        copy.close()
    # The backup itself is logged in the source's event log (after the copy was taken).
    last = services.ctx.store.events.iter_all()
    assert [e for e in last if e.payload.get("what") == BACKUP_EXPORT]
    if db_hook is None:
        assert seen and seen[-1][0] == seen[-1][1]  # pages counted up to the total


def test_backup_refuses_the_database_itself(services: Services) -> None:
    assert services.db_path is not None
    with pytest.raises(OutputRefusedError):
        backup_database(services, services.db_path)


def test_cancelled_backup_leaves_no_file(services: Services, tmp_path: Path, db_hook: ConnectHook | None) -> None:
    if db_hook is not None:
        pytest.skip("SQLCipher's export is one step: nothing to cancel between pages")
    load_demo(services)
    progress = Progress()
    progress.cancel()
    out = tmp_path / "cancelled.sqlite3"
    with pytest.raises(Cancelled):
        backup_database(services, out, progress)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".cancelled")]
