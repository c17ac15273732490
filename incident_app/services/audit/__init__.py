"""The audit trail: verifying the event log, recording every export and unmasking as an event, and
the Timeline's rows."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.audit.exports import EXPORT_EVENT, STDOUT, logged_reason, record_export, record_unmask
    from incident_app.services.audit.keys import export_key, import_key
    from incident_app.services.audit.timeline import TimelineRow, timeline_rows
    from incident_app.services.audit.verify import AuditService

__all__ = ["EXPORT_EVENT", "STDOUT", "AuditService", "TimelineRow", "export_key", "import_key", "logged_reason",
           "record_export", "record_unmask", "timeline_rows"]
__getattr__ = lazy_exports(
    __name__,
    {
        "exports": ["EXPORT_EVENT", "STDOUT", "logged_reason", "record_export", "record_unmask"],
        "keys": ["export_key", "import_key"],
        "timeline": ["TimelineRow", "timeline_rows"],
        "verify": ["AuditService"],
    },
)
