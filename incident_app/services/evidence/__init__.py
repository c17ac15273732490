"""The evidence pack: one ZIP per incident with the assessment, notices as approved, the send
ledger, the event log and a SHA-256 manifest; and checking a pack later."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.evidence.pack import build_evidence_pack
    from incident_app.services.evidence.verify import (
        DatabaseCheck,
        check_against_database,
        find_in_event_log,
        verify_evidence,
    )

__all__ = ["DatabaseCheck", "build_evidence_pack", "check_against_database", "find_in_event_log", "verify_evidence"]
__getattr__ = lazy_exports(
    __name__,
    {"pack": ["build_evidence_pack"],
     "verify": ["DatabaseCheck", "check_against_database", "find_in_event_log", "verify_evidence"]},
)
