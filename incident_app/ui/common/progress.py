"""Long work with a progress dialog and a Cancel button. The job runs on the worker; the dialog
only shows what the plain Progress object reports and sets its cancel flag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import FailureCb, JobFn, JobHandle, JobRunner, SyncJobRunner
from incident_app.services.progress import Cancelled, ProgressSnapshot

SHOW_AFTER_MS = 400  # quick jobs finish before the dialog would flash up


def run_with_progress(
    parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, label: str, fn: JobFn, *,
    on_success: Callable[[Any], None], on_failure: FailureCb, on_cancelled: Callable[[], None],
    cancellable: bool = True,
) -> JobHandle:
    """Run ``fn`` with a progress dialog showing the count; Cancel asks the service to stop at
    its next check (``cancellable=False`` for work that cannot stop halfway: no Cancel button)."""
    dialog = QProgressDialog(label, tr.t("workspace.cancel"), 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    finished: list[bool] = []

    def finish() -> None:
        finished.append(True)
        dialog.reset()
        dialog.deleteLater()

    def succeeded(result: Any) -> None:
        finish()
        on_success(result)

    def failed(exc: BaseException, details: str) -> None:
        finish()
        if isinstance(exc, Cancelled):
            on_cancelled()
        else:
            on_failure(exc, details)

    handle = runner.run(fn, on_success=succeeded, on_failure=failed,
                        on_progress=lambda snap: None if finished else _show(dialog, label, snap))
    dialog.canceled.connect(handle.progress.cancel)
    return handle


def _show(dialog: QProgressDialog, label: str, snap: ProgressSnapshot) -> None:
    if snap.total:
        dialog.setMaximum(snap.total)
        dialog.setValue(min(snap.done, snap.total))
        dialog.setLabelText(f"{label}\n{min(snap.done, snap.total):,} / {snap.total:,}")
