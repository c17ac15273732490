"""The append-only, hash-chained event log: the shape of an event and how its hash is computed.

Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any stored event breaks the chain from that event on. Payloads never carry the
affected people's contact data (counts and ids only)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_app.domain.clock import to_iso

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class EventDraft:
    """What a use case wants recorded; storage adds sequence, time, actor and hashes."""

    type: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    incident_id: int | None = None


@dataclass(frozen=True)
class Event:
    """A stored event with its place in the chain."""

    seq: int
    at: datetime
    actor: str
    type: str
    object_type: str
    object_id: str
    incident_id: int | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept (the hash input)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    type: str,
    object_type: str,
    object_id: str,
    incident_id: int | None,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical form of every field plus the previous hash."""
    body = canonical_json(
        [seq, to_iso(at), actor, type, object_type, object_id, incident_id, payload, prev_hash]
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def expected_hash(event: Event) -> str:
    """Recompute what ``event.hash`` should be from its stored fields."""
    return compute_event_hash(
        seq=event.seq, at=event.at, actor=event.actor, type=event.type,
        object_type=event.object_type, object_id=event.object_id,
        incident_id=event.incident_id, payload=event.payload, prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    """Result of verifying the chain: ok, how many events, and the first bad one if any."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify_chain(events: Iterable[Event]) -> ChainReport:
    """Walk events in sequence order and name the first one that does not match."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in events:
        problem = _event_problem(event, prev, expected_seq)
        if problem:
            return ChainReport(False, checked, event.seq, problem)
        prev = event.hash
        expected_seq = event.seq + 1
        checked += 1
    return ChainReport(True, checked)


def _event_problem(event: Event, prev: str, expected_seq: int) -> str:
    if event.seq != expected_seq:
        return f"sequence gap: expected event {expected_seq}, found {event.seq} (events deleted?)"
    if event.prev_hash != prev:
        return "prev_hash does not match the previous event's hash (event removed or reordered?)"
    if expected_hash(event) != event.hash:
        return "content does not match its hash (event edited after it was written)"
    return ""
