"""Every export and every unmasking of personal data is an event: who (the actor), when (the
event time), what, where to, how many, and whether contacts were shown unmasked.

Event types (payloads never hold names or contacts, only counts, paths and digests):
- ``export.written``  — a file (or stdout) received data: register, evidence pack, database copy…;
  ``chain_head`` is the event log's last event (seq and hash) when the export was made.
- ``personal_data.unmasked`` — affected people's contacts were shown or written unmasked.
"""

from __future__ import annotations

from typing import Any

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.mail.sending import mask_email, mask_phone_in_text
from incident_app.domain.proof import Event
from incident_app.services.context import AppContext

EXPORT_EVENT = "export.written"
UNMASK_EVENT = "personal_data.unmasked"
STDOUT = "stdout"


def record_export(
    ctx: AppContext, *, what: str, where: str, count: int, unmasked: bool,
    incident_id: int | None = None, details: dict[str, Any] | None = None, reason: str = "",
) -> Event:
    """Log one export (call it after the data was written; inside a caller's transaction it
    commits with it).

    ``what`` names the content (``register``, ``evidence_pack``, ``people_list``…), ``where`` the
    destination (a path, or ``stdout``), ``count`` how many items (incidents, files, people) left
    the tool. An unmasked export also logs a ``personal_data.unmasked`` event, with the ``reason``.
    """
    head = ctx.store.events.head()
    payload = {"what": what, "where": where, "count": count, "unmasked": unmasked,
               "chain_head": head.to_dict() if head else None} | (details or {})
    if reason:
        payload["reason"] = logged_reason(reason)
    with ctx.store.transaction():
        event = ctx.record(EXPORT_EVENT, "export", what, payload, incident_id)
        if unmasked:
            _record_unmask(ctx, "export", what, where, count, incident_id, reason, {})
    # Outside a caller's transaction the export is committed: keep its head outside the database.
    ctx.store.events.remember_head()
    return event


def record_unmask(ctx: AppContext, *, what: str, where: str, count: int, incident_id: int | None = None,
                  reason: str = "", details: dict[str, Any] | None = None) -> Event:
    """Log that personal data was shown unmasked without being written anywhere: one person
    revealed on the screen (``what='person'``, ``where='screen'``, ``details={'person_id': …}``).
    Ids and counts only, never the data."""
    with ctx.store.transaction():
        return _record_unmask(ctx, "personal_data", what, where, count, incident_id, reason, details or {})


def logged_reason(reason: str) -> str:
    """An officer's reason as the event log keeps it: any e-mail address or phone (or ID) number
    typed into it masked. The event log outlives the retention purge and goes into every evidence
    pack, so a contact written in a reason ("typo in 13912345678") must not be kept whole there."""
    return scrub_contacts(reason.strip(), mask_email, mask_phone_in_text)


def _record_unmask(ctx: AppContext, object_type: str, what: str, where: str, count: int, incident_id: int | None,
                   reason: str, details: dict[str, Any]) -> Event:
    reason = logged_reason(reason)
    payload = {"what": what, "where": where, "count": count} | ({"reason": reason} if reason else {}) | details
    return ctx.record(UNMASK_EVENT, object_type, what, payload, incident_id)
