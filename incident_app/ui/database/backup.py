"""File → Back up database…: where to write the copy (the backup folder last used, else
Documents), then the copy on the worker with a progress dialog (pages; Cancel leaves no file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from incident_app.domain.clock import utc_now
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import FailureCb, JobHandle, JobRunner, SyncJobRunner
from incident_app.services.backup import BackupResult, backup_database
from incident_app.ui.common.file_dialogs import ask_save_file
from incident_app.ui.common.progress import run_with_progress


def suggested_backup_name(db_path: Path | None) -> str:
    stem = db_path.stem if db_path else "breach-desk"
    return f"{stem}-backup-{utc_now().strftime('%Y%m%d-%H%M')}.sqlite3"


def ask_and_backup(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, db_path: Path | None, *,
                   on_done: Callable[[BackupResult], None], on_failure: FailureCb,
                   on_cancelled: Callable[[], None]) -> JobHandle | None:
    """Ask where, then back up; None when the officer cancelled the file dialog."""
    path, _ = ask_save_file(parent, "backup", tr.t("backup.title"), suggested_backup_name(db_path),
                            tr.t("backup.filter"))
    if path is None:
        return None
    return backup_to(parent, runner, tr, path, on_done=on_done, on_failure=on_failure, on_cancelled=on_cancelled)


def backup_to(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, path: Path, *,
              on_done: Callable[[BackupResult], None], on_failure: FailureCb,
              on_cancelled: Callable[[], None]) -> JobHandle:
    """Back up into ``path`` with a progress dialog."""
    return run_with_progress(parent, runner, tr, tr.t("backup.running"),
                             lambda services, progress: backup_database(services, path, progress),
                             on_success=on_done, on_failure=on_failure, on_cancelled=on_cancelled, show_counts=True)
