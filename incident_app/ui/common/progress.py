"""Long work with a progress dialog and a Cancel button. The job runs on the worker; the dialog
only shows what the plain Progress object reports and sets its cancel flag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from incident_app.cli.progress_bar import eta_seconds, format_eta
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import FailureCb, JobFn, JobHandle, JobRunner, SyncJobRunner
from incident_app.services.progress import Cancelled, ProgressSnapshot

SHOW_AFTER_MS = 400  # quick jobs finish before the dialog would flash up


def run_with_progress(
    parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, label: str, fn: JobFn, *,
    on_success: Callable[[Any], None], on_failure: FailureCb, on_cancelled: Callable[[], None],
    show_counts: bool = False, cancellable: bool = True,
) -> JobHandle:
    """Run ``fn`` with a progress dialog; Cancel asks the service to stop at its next check.
    ``show_counts`` adds "done of total, about m:ss left" under the label; ``cancellable=False``
    (work that cannot stop halfway) shows no Cancel button."""
    dialog = QProgressDialog(label, tr.t("workspace.cancel"), 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setObjectName("jobProgress")
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

    def shown(snap: ProgressSnapshot) -> None:
        if finished:
            return
        _show(dialog, snap)
        if show_counts:
            dialog.setLabelText(label + "\n" + counts_text(tr, snap))

    handle = runner.run(fn, on_success=succeeded, on_failure=failed, on_progress=shown)
    dialog.canceled.connect(handle.progress.cancel)
    return handle


def _show(dialog: QProgressDialog, snap: ProgressSnapshot) -> None:
    if snap.total:
        dialog.setMaximum(snap.total)
        dialog.setValue(min(snap.done, snap.total))


def counts_text(tr: Translator, snap: ProgressSnapshot) -> str:
    """"1,234 / 5,000 · about 0:42 left" (or "preparing…" before there is a total)."""
    if not snap.total:
        return tr.t("progress.preparing")
    return tr.t("progress.counts", done=f"{snap.done:,}", total=f"{snap.total:,}",
                eta=format_eta(eta_seconds(snap)))
