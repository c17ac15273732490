"""A backup of the open database: a consistent copy (SQLite's online backup API, so it can be
taken while the application is open; an encrypted database stays encrypted under the same
passphrase), written privately (mode 0600, under a temporary name renamed into place only when
complete) and logged as an export — the copy holds everything, personal data included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from incident_app.services.audit import record_export
from incident_app.services.container import Services
from incident_app.services.encryption import is_encrypted
from incident_app.services.private_files import StagedOutputs
from incident_app.services.progress import Progress

BACKUP_EXPORT = "database.backup"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    encrypted: bool
    size_bytes: int

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "encrypted": self.encrypted, "size_bytes": self.size_bytes}


def backup_database(services: Services, out: Path, progress: Progress | None = None) -> BackupResult:
    """Copy the open database to ``out``. ``progress`` counts pages (a plain file) and Cancel
    stops the copy: nothing is left under ``out``. The database itself (or its companion files)
    is refused as ``out`` (:class:`OutputRefusedError`) before anything is written."""
    database = services.db_path
    if database is None:
        raise ValueError("the database has no file to copy")
    staged = StagedOutputs(database)
    try:
        with staged.temp(out) as (temp, target):
            if progress is not None:
                progress.start(None, "pages")
            services.ctx.store.copy_into(temp, _page_counter(progress))
        encrypted = is_encrypted(services)
        size = temp.stat().st_size
        with staged.committing(), services.ctx.store.transaction():
            record_export(services.ctx, what=BACKUP_EXPORT, where=str(target), count=1, unmasked=False,
                          details={"encrypted": encrypted, "size_bytes": size})
            staged.publish()
    except BaseException:
        staged.discard()
        raise
    if progress is not None:
        progress.finish()
    return BackupResult(target, encrypted, size)


def _page_counter(progress: Progress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None

    def on_pages(done: int, total: int) -> None:
        if progress.snapshot().total != total:
            progress.start(total, "pages")
        progress.advance(done - progress.snapshot().done)  # raises Cancelled when asked to stop

    return on_pages
