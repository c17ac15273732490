"""Tools → Purge expired contact data…: the same purge as ``retention purge``. First the incidents
due are listed on the worker; the officer confirms a question that names each incident and what
will be deleted; only those incidents are then purged, one transaction each, with a progress
dialog (Cancel stops before the next incident)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from incident_app.domain.clock import shanghai_date
from incident_app.domain.i18n import Translator
from incident_app.domain.retention import PurgeCandidate
from incident_app.jobs.runner import FailureCb, JobRunner, SyncJobRunner
from incident_app.services.retention import purge_candidates, purge_due
from incident_app.ui.common.progress import run_with_progress

Confirm = Callable[[str, str], bool]  # (title, text) -> go on?


def purge_question(candidates: Sequence[PurgeCandidate], tr: Translator) -> str:
    """What will be deleted, incident by incident, and that it cannot be undone."""
    lines = [tr.t("purge.question.intro", n=len(candidates))]
    for c in candidates:
        targets = tr.t("purge.separator").join(tr.t(f"purge.target.{name}") for name in c.pending_targets)
        lines.append(tr.t("purge.question.row", id=c.incident_id, closed=shanghai_date(c.closed_at).isoformat(),
                          due=shanghai_date(c.due_at).isoformat(), targets=targets))
    lines.append(tr.t("purge.question.outro"))
    return "\n".join(lines)


def start_purge(parent: QWidget, runner: JobRunner | SyncJobRunner, tr: Translator, *, confirm: Confirm,
                on_done: Callable[[list[Any]], None], on_nothing: Callable[[], None], on_failure: FailureCb,
                on_cancelled: Callable[[], None]) -> None:
    """List what is due, ask, then purge exactly what was listed."""

    def listed(candidates: list[PurgeCandidate]) -> None:
        due = [c for c in candidates if c.pending_targets]
        if not due:
            on_nothing()
            return
        if not confirm(tr.t("purge.title"), purge_question(due, tr)):
            return
        ids = {c.incident_id for c in due}
        run_with_progress(parent, runner, tr, tr.t("purge.running"),
                          lambda services, progress: purge_due(services, incident_ids=ids, progress=progress),
                          on_success=on_done, on_failure=on_failure, on_cancelled=on_cancelled, show_counts=True)

    runner.run(lambda services, _p: purge_candidates(services), on_success=listed, on_failure=on_failure)
