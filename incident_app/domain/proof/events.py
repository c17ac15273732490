"""The append-only, hash-chained event log: the shape of an event and how its hash is computed.

Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any stored event breaks the chain from that event on. The hash is keyed
(HMAC-SHA256 with a per-database secret kept outside the database), so someone who can write the
database file but does not hold the key cannot recompute a valid chain after a change. Databases
made before keying keep plain SHA-256 hashes up to the recorded upgrade event
(:data:`UPGRADE_EVENT`); every event from it on is keyed. Payloads never carry the affected
people's contact data (counts and ids only)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_app.domain.clock import to_iso

GENESIS_HASH = "0" * 64
# The event that starts keyed hashing in a database upgraded from plain SHA-256 hashes.
UPGRADE_EVENT = "event_log.keyed"


class ChainKeyMissingError(Exception):
    """The event log's key for this database is not on this computer: new events cannot be
    written and the log cannot be verified (never treated as a pass)."""

    def __init__(self, database_id: str, looked_in: str) -> None:
        super().__init__(
            f"the event log key of this database (id {database_id}) is not on this computer "
            f"(looked in {looked_in}); the event log cannot be verified or extended here. "
            "Bring the key from the computer where the database was created "
            "(audit export-key there, audit import-key here)."
        )
        self.database_id, self.looked_in = database_id, looked_in


@dataclass(frozen=True)
class ChainHead:
    """The last event of the chain at some moment: what exports and packs record."""

    seq: int
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}

    @classmethod
    def from_dict(cls, value: Any) -> ChainHead | None:
        """Read a recorded head; None when ``value`` is not one."""
        if not isinstance(value, dict):
            return None
        seq, digest = value.get("seq"), value.get("hash")
        if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(digest, str):
            return None
        return cls(seq, digest)


@dataclass(frozen=True)
class ChainKeying:
    """How the chain of one database is hashed: plain SHA-256 before ``keyed_from``, HMAC-SHA256
    with ``key`` from it on. ``key`` is None when this computer does not hold it."""

    database_id: str
    keyed_from: int
    key: bytes | None
    key_location: str = ""

    def __repr__(self) -> str:  # the key never reaches a log line or traceback
        return f"ChainKeying({self.database_id!r}, keyed_from={self.keyed_from}, key=<hidden>)"

    def key_for(self, seq: int) -> bytes | None:
        """The key that hashes event ``seq`` (None for a plain event)."""
        if seq < self.keyed_from:
            return None
        if self.key is None:
            raise ChainKeyMissingError(self.database_id, self.key_location)
        return self.key


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
    key: bytes | None = None,
) -> str:
    """HMAC-SHA256 with ``key`` (plain SHA-256 without one, for events written before keying)
    over the canonical form of every field plus the previous hash."""
    body = canonical_json(
        [seq, to_iso(at), actor, type, object_type, object_id, incident_id, payload, prev_hash]
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def expected_hash(event: Event, key: bytes | None = None) -> str:
    """Recompute what ``event.hash`` should be from its stored fields."""
    return compute_event_hash(
        seq=event.seq, at=event.at, actor=event.actor, type=event.type,
        object_type=event.object_type, object_id=event.object_id,
        incident_id=event.incident_id, payload=event.payload, prev_hash=event.prev_hash, key=key,
    )


@dataclass(frozen=True)
class ChainReport:
    """Result of verifying the chain: ok, how many events, the first bad one if any, and the head
    (last event checked). ``key_missing``: the check could not be done (not a pass, not tampering)."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    key_missing: bool = False
    head: ChainHead | None = None
    key_location: str = ""  # where the missing key was looked for

    @property
    def status(self) -> str:
        """``ok``, ``tampered`` or ``cannot_verify``."""
        return "ok" if self.ok else "cannot_verify" if self.key_missing else "tampered"


def verify_chain(events: Iterable[Event], keying: ChainKeying | None = None,
                 checkpoint: ChainHead | None = None) -> ChainReport:
    """Walk events in sequence order and name the first one that does not match.

    Without ``keying`` every hash is plain SHA-256 (a chain from before keying). ``checkpoint`` is
    a head seen earlier (kept outside the database): the chain must still reach it unchanged."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    seen_at_checkpoint: str | None = None
    for event in events:
        try:
            key = keying.key_for(event.seq) if keying else None
        except ChainKeyMissingError as exc:
            return ChainReport(False, checked, event.seq, str(exc), key_missing=True, key_location=exc.looked_in)
        problem = _event_problem(event, prev, expected_seq, key) or _boundary_problem(event, keying)
        if problem:
            return ChainReport(False, checked, event.seq, problem)
        if checkpoint is not None and event.seq == checkpoint.seq:
            seen_at_checkpoint = event.hash
        prev = event.hash
        expected_seq = event.seq + 1
        checked += 1
    head = ChainHead(expected_seq - 1, prev) if checked else None
    if keying is not None and keying.keyed_from > 1 and checked < keying.keyed_from:
        # Upgraded but no keyed event at all: either the upgrade event is gone (the log was
        # rewritten as plain hashes) or this computer could never write it (no key).
        if keying.key is None:
            missing = ChainKeyMissingError(keying.database_id, keying.key_location)
            return ChainReport(False, checked, keying.keyed_from, str(missing), key_missing=True,
                               head=head, key_location=missing.looked_in)
        return ChainReport(False, checked, keying.keyed_from, f"event {keying.keyed_from}, the recorded upgrade "
                           "to keyed hashes, is missing (events removed, or the log rewritten)", head=head)
    problem = _checkpoint_problem(checkpoint, seen_at_checkpoint, head)
    if problem:
        return ChainReport(False, checked, head.seq + 1 if head else 1, problem, head=head)
    return ChainReport(True, checked, head=head)


def _event_problem(event: Event, prev: str, expected_seq: int, key: bytes | None) -> str:
    if event.seq != expected_seq:
        return f"sequence gap: expected event {expected_seq}, found {event.seq} (events deleted?)"
    if event.prev_hash != prev:
        return "prev_hash does not match the previous event's hash (event removed or reordered?)"
    if expected_hash(event, key) != event.hash:
        if key is not None:
            return "content does not match its keyed hash (event edited or forged after it was written)"
        return "content does not match its hash (event edited after it was written)"
    return ""


def _boundary_problem(event: Event, keying: ChainKeying | None) -> str:
    """In an upgraded database, the first keyed event must be the recorded upgrade."""
    if keying is None or keying.keyed_from <= 1 or event.seq != keying.keyed_from:
        return ""
    if event.type != UPGRADE_EVENT:
        return "keyed hashing starts here but this is not the recorded upgrade event (log rewritten?)"
    return ""


def _checkpoint_problem(checkpoint: ChainHead | None, seen: str | None, head: ChainHead | None) -> str:
    if checkpoint is None:
        return ""
    if head is None or head.seq < checkpoint.seq:
        last = head.seq if head else 0
        return (f"the log ends at event {last}, but event {checkpoint.seq} was already recorded on this "
                "computer (events removed, an older copy of the database put back, or lost in a power failure)")
    if seen != checkpoint.hash:
        return f"event {checkpoint.seq} differs from the one recorded earlier on this computer (log rewritten)"
    return ""
