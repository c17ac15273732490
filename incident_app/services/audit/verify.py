"""Verifying the event log's keyed hash chain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from incident_app.domain.proof import ChainReport, Event
from incident_app.services.context import AppContext
from incident_app.services.progress import Progress


class AuditService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def verify(self, progress: Progress | None = None) -> ChainReport:
        """Recompute every hash; the report names the first event that does not match, or says
        the key is missing (``report.key_missing``: cannot verify, never a pass).

        With ``progress`` the walk reports each event and stops when the user cancels."""
        events = self._ctx.store.events
        if progress is None:
            return events.verify()
        progress.start(events.count())
        report = events.verify(_ticking(events.iter_all(), progress))
        progress.finish()
        return report

    @property
    def database_id(self) -> str:
        """The random id that names this database's key (recorded in exports and packs)."""
        return self._ctx.store.events.database_id

    def timeline(self, incident_id: int) -> list[Event]:
        """The incident's events, newest first."""
        return self._ctx.store.events.for_incident(incident_id)


def _ticking(events: Iterable[Event], progress: Progress) -> Iterator[Event]:
    for event in events:
        yield event
        progress.advance()
