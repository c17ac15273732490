"""The incident itself: create it from the intake (with first containment actions), read and change
its facts and status, the facts in words, the deadline overview, and the whole-incident JSON."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.incidents.fact_sheet import fact_rows, format_time, plain_summary
    from incident_app.services.incidents.intake import create_incident_with_containment
    from incident_app.services.incidents.overview import DeadlineClock, deadline_clocks, preview_obligations
    from incident_app.services.incidents.report import incident_report
    from incident_app.services.incidents.service import IncidentService

__all__ = [
    "DeadlineClock",
    "IncidentService",
    "create_incident_with_containment",
    "deadline_clocks",
    "fact_rows",
    "format_time",
    "incident_report",
    "plain_summary",
    "preview_obligations",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "fact_sheet": ["fact_rows", "format_time", "plain_summary"],
        "intake": ["create_incident_with_containment"],
        "overview": ["DeadlineClock", "deadline_clocks", "preview_obligations"],
        "report": ["incident_report"],
        "service": ["IncidentService"],
    },
)
