"""Verifying the event log's hash chain."""

from __future__ import annotations

from incident_app.domain.events import ChainReport, Event
from incident_app.services.context import AppContext


class AuditService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def verify(self) -> ChainReport:
        """Recompute every hash; the report names the first event that does not match."""
        return self._ctx.store.events.verify()

    def timeline(self, incident_id: int) -> list[Event]:
        """The incident's events, newest first."""
        return self._ctx.store.events.for_incident(incident_id)
