"""Every export and every unmasking of personal data is an event: who (the actor), when (the
event time), what, where to, how many, and whether contacts were shown unmasked.

Event types (payloads never hold names or contacts, only counts, paths and digests):
- ``export.written``  — a file (or stdout) received data: register, evidence pack, database copy…
- ``personal_data.unmasked`` — affected people's contacts were shown or written unmasked.
"""

from __future__ import annotations

from typing import Any

from incident_app.domain.events import Event
from incident_app.services.context import AppContext

EXPORT_EVENT = "export.written"
UNMASK_EVENT = "personal_data.unmasked"
STDOUT = "stdout"


def record_export(
    ctx: AppContext, *, what: str, where: str, count: int, unmasked: bool,
    incident_id: int | None = None, details: dict[str, Any] | None = None,
) -> Event:
    """Log one export in its own transaction (call it after the data was written).

    ``what`` names the content (``register``, ``evidence_pack``…), ``where`` the destination
    (a path, or ``stdout``), ``count`` how many items (incidents, files, people) left the tool.
    An unmasked export also logs a ``personal_data.unmasked`` event.
    """
    payload = {"what": what, "where": where, "count": count, "unmasked": unmasked} | (details or {})
    with ctx.store.transaction():
        event = ctx.record(EXPORT_EVENT, "export", what, payload, incident_id)
        if unmasked:
            ctx.record(UNMASK_EVENT, "export", what, {"what": what, "where": where, "count": count}, incident_id)
    return event


def record_unmask(ctx: AppContext, *, what: str, where: str, count: int, incident_id: int | None = None) -> Event:
    """Log that personal data was shown unmasked (e.g. ``people ID --unmask`` to stdout, or a
    reveal in the GUI: ``where='screen'``)."""
    with ctx.store.transaction():
        return ctx.record(UNMASK_EVENT, "personal_data", what,
                          {"what": what, "where": where, "count": count}, incident_id)
