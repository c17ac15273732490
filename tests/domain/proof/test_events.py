from __future__ import annotations

from dataclasses import replace

from incident_app.domain.clock import parse_time
from incident_app.domain.proof.events import GENESIS_HASH, Event, compute_event_hash, verify_chain

AT = parse_time("2026-11-20T12:00:00+08:00")


def chain(n: int) -> list[Event]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = dict(
            seq=seq,
            at=AT,
            actor="alice",
            type="t",
            object_type="incident",
            object_id="1",
            incident_id=1,
            payload={"n": seq},
            prev_hash=prev,
        )
        digest = compute_event_hash(**fields)  # type: ignore[arg-type]
        events.append(Event(**fields, hash=digest))  # type: ignore[arg-type]
        prev = digest
    return events


def test_intact_chain_verifies() -> None:
    report = verify_chain(chain(5))
    assert report.ok and report.checked == 5


def test_edited_payload_is_named() -> None:
    events = chain(5)
    events[2] = replace(events[2], payload={"n": 99})
    report = verify_chain(events)
    assert not report.ok and report.first_bad_seq == 3 and "edited" in report.reason


def test_deleted_event_is_caught() -> None:
    events = chain(5)
    del events[1]
    report = verify_chain(events)
    assert not report.ok and report.first_bad_seq == 3
