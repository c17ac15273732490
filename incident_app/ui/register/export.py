"""The register's Export action: ask where to save, then run the export service
(services/register/export.py) in the register's helper process, started by a job, with a progress
dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import FailureCb, JobRunner, SyncJobRunner
from incident_app.services.register.helper import export_off_process
from incident_app.ui.common import run_with_progress
from incident_app.ui.common.file_dialogs import ask_save_file

FORMATS = ("csv", "xlsx", "json")


def format_for(path: str, chosen_filter: str) -> str:
    """The export format from the file suffix, else from the chosen filter."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return next((f for f in FORMATS if f in chosen_filter.lower()), "csv")


def ask_and_export(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator,
                   on_done: Callable[[str], None], on_failure: FailureCb) -> None:
    """Ask where to save, then export on the worker with a progress dialog."""
    filters = ";;".join(tr.t(f"register.export.filter.{f}") for f in FORMATS)
    chosen_path, chosen = ask_save_file(parent, "register", tr.t("register.export.title"), "breach-register.csv",
                                        filters)
    if chosen_path is None:
        return
    path = str(chosen_path)
    fmt = format_for(path, chosen)
    run_with_progress(parent, runner, tr, tr.t("register.export.running"),
                      lambda s, _p: export_off_process(s, Path(path), fmt), on_success=lambda _r: on_done(path),
                      on_failure=on_failure, on_cancelled=lambda: None)
