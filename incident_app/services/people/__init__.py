"""Affected people: read a CSV/XLSX as a stream, normalise rows (in a helper process for big files),
merge duplicates with a compact key index, import all-or-nothing, list, count, filter and page
people, and correct one person by hand."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.people.corrections import EDITABLE, Correction
    from incident_app.services.people.service import (
        BANDS,
        CHANNEL_FILTERS,
        PURGE_TARGET,
        DiskFull,
        ImportResult,
        PeopleService,
        SearchInterrupted,
    )

__all__ = ["BANDS", "CHANNEL_FILTERS", "EDITABLE", "PURGE_TARGET", "Correction", "DiskFull", "ImportResult",
           "PeopleService", "SearchInterrupted"]
__getattr__ = lazy_exports(__name__, {
    "corrections": ["Correction", "EDITABLE"],
    "service": ["BANDS", "CHANNEL_FILTERS", "DiskFull", "ImportResult", "PURGE_TARGET", "PeopleService",
                "SearchInterrupted"],
})
