"""Proof: the hash-chained event log's events and the SHA-256 manifest of an evidence pack."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.proof.events import (
        GENESIS_HASH,
        UPGRADE_EVENT,
        ChainHead,
        ChainKeying,
        ChainKeyMissingError,
        ChainReport,
        Event,
        EventDraft,
        canonical_json,
        compute_event_hash,
        expected_hash,
        verify_chain,
    )
    from incident_app.domain.proof.manifest import (
        MANIFEST_JSON,
        MANIFEST_SHA256,
        ManifestEntry,
        entry_for,
        member_name_problem,
        parse_sha256sum,
        sha256sum_text,
    )

__all__ = [
    "GENESIS_HASH",
    "MANIFEST_JSON",
    "MANIFEST_SHA256",
    "UPGRADE_EVENT",
    "ChainHead",
    "ChainKeyMissingError",
    "ChainKeying",
    "ChainReport",
    "Event",
    "EventDraft",
    "ManifestEntry",
    "canonical_json",
    "compute_event_hash",
    "entry_for",
    "expected_hash",
    "member_name_problem",
    "parse_sha256sum",
    "sha256sum_text",
    "verify_chain",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "events": [
            "ChainHead",
            "ChainKeyMissingError",
            "ChainKeying",
            "ChainReport",
            "Event",
            "EventDraft",
            "GENESIS_HASH",
            "UPGRADE_EVENT",
            "canonical_json",
            "compute_event_hash",
            "expected_hash",
            "verify_chain",
        ],
        "manifest": [
            "MANIFEST_JSON",
            "MANIFEST_SHA256",
            "ManifestEntry",
            "entry_for",
            "member_name_problem",
            "parse_sha256sum",
            "sha256sum_text",
        ],
    },
)
