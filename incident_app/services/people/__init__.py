"""Affected people: read a CSV/XLSX as a stream, normalise rows (in a helper process for big files),
merge duplicates with a compact key index, import all-or-nothing, and list, count and page people."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.people.service import PURGE_TARGET, DiskFull, ImportResult, PeopleService

__all__ = ["PURGE_TARGET", "DiskFull", "ImportResult", "PeopleService"]
__getattr__ = lazy_exports(__name__, {"service": ["DiskFull", "ImportResult", "PURGE_TARGET", "PeopleService"]})
