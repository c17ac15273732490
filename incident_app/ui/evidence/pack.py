"""File → Evidence pack…: the selected incident's evidence pack (masked, as ``evidence ID --out``
writes it), written on the worker with a progress dialog. Cancel stops it between two pages of
the send ledger or the event log; a cancelled pack leaves no file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import FailureCb, JobHandle, JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack
from incident_app.ui.common.file_dialogs import ask_save_file
from incident_app.ui.common.progress import run_with_progress


def _write_pack(incident_id: int, path: Path) -> Callable[[Services, Any], Any]:
    def job(services: Services, progress: Any) -> Any:
        from incident_app.adapters.qt_pdf import QtPdfWriter  # heavy; only when a pack is written

        return build_evidence_pack(services, incident_id, path, pdf_writer=QtPdfWriter(), progress=progress)

    return job


def ask_and_write_pack(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int, *,
                       on_done: Callable[[Any], None], on_failure: FailureCb) -> JobHandle | None:
    """Ask where, then write the pack; None when the file dialog was cancelled."""
    path, _ = ask_save_file(parent, "evidence", tr.t("evidence.title"), f"evidence-{incident_id}.zip",
                            tr.t("evidence.filter"))
    if path is None:
        return None
    return write_pack_to(parent, runner, tr, incident_id, path, on_done=on_done, on_failure=on_failure)


def write_pack_to(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int, path: Path,
                  *, on_done: Callable[[Any], None], on_failure: FailureCb) -> JobHandle:
    return run_with_progress(parent, runner, tr, tr.t("evidence.running", id=incident_id),
                             _write_pack(incident_id, path), on_success=on_done, on_failure=on_failure,
                             on_cancelled=lambda: None, cancellable=True)
