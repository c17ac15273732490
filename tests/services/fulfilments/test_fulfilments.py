"""Fulfilments (obligations met outside the tool) and corrections: met on time, met late by the
right amount, a correction that reopens the obligation, files kept with their SHA-256."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from incident_app.domain.assessment.obligations import ObligationStatus
from incident_app.domain.clock import parse_time
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.services.container import Services

INITIAL = "cac-initial-report"


def _fulfil(services: Services, incident_id: int, done_at: str, **extra: object) -> int:
    data = {"obligation_id": INITIAL, "done_at": done_at, "channel": "website_12387", "reference": "R-1",
            "done_by": "王伟"} | extra
    return services.fulfilments.record(incident_id, data).id


def test_an_on_time_fulfilment_meets_the_obligation(services: Services, incident_id: int, clock) -> None:
    due = services.assessment.assess(incident_id).obligation(INITIAL).deadline.due
    assert due is not None and clock.now < due
    _fulfil(services, incident_id, (clock.now - timedelta(minutes=30)).isoformat())
    o = services.assessment.assess(incident_id).obligation(INITIAL)
    assert o.status == ObligationStatus.MET
    assert o.met_on_time and o.late_by is None
    assert o.fulfilment_id is not None
    row = services.assessment.to_json(services.assessment.assess(incident_id))["obligations"]
    cac = next(r for r in row if r["id"] == INITIAL)
    assert cac["met_on_time"] is True and cac["met_late_by_seconds"] is None


def test_a_late_fulfilment_shows_met_late_by_the_right_amount(services: Services, incident_id: int, clock) -> None:
    due = services.assessment.assess(incident_id).obligation(INITIAL).deadline.due
    assert due is not None
    clock.now = due + timedelta(hours=5)
    _fulfil(services, incident_id, (due + timedelta(hours=2, minutes=15)).isoformat())
    o = services.assessment.assess(incident_id).obligation(INITIAL)
    assert o.status == ObligationStatus.MET
    assert o.late_by == timedelta(hours=2, minutes=15)
    assert not o.met_on_time
    cac = next(r for r in services.assessment.to_json(services.assessment.assess(incident_id))["obligations"]
               if r["id"] == INITIAL)
    assert cac["met_late_by_seconds"] == 2 * 3600 + 15 * 60 and cac["met_on_time"] is False


def test_a_correction_restores_the_overdue_state(services: Services, incident_id: int, clock) -> None:
    due = services.assessment.assess(incident_id).obligation(INITIAL).deadline.due
    assert due is not None
    clock.now = due + timedelta(hours=1)
    fid = _fulfil(services, incident_id, (due - timedelta(hours=1)).isoformat())
    assert services.assessment.assess(incident_id).obligation(INITIAL).status == ObligationStatus.MET
    correction = services.corrections.correct(incident_id, "fulfilment", fid, "wrong incident", "王伟")
    assert services.assessment.assess(incident_id).obligation(INITIAL).status == ObligationStatus.OVERDUE
    # The fulfilment itself is untouched: the record of what was believed stays.
    assert [f.id for f in services.fulfilments.list(incident_id)] == [fid]
    assert services.fulfilments.active(incident_id) == []
    types = [e.type for e in services.audit.timeline(incident_id)]
    assert types.count("fulfilment.recorded") == 1 and types.count("record.corrected") == 1
    with pytest.raises(ValidationError, match="already corrected"):
        services.corrections.correct(incident_id, "fulfilment", fid, "again", "王伟")
    assert correction.reason == "wrong incident"


def test_a_correction_withdraws_a_decision(services: Services, incident_id: int) -> None:
    decision = services.decisions.record(incident_id, {
        "kind": "obligation_status", "rationale": "phoned", "decided_by": "王伟",
        "details": {"obligation_id": INITIAL, "status": "not_applicable"}})
    assert services.assessment.assess(incident_id).obligation(INITIAL).status \
        == ObligationStatus.NOT_APPLICABLE
    services.corrections.correct(incident_id, "decision", decision.id, "partners were involved", "王伟")
    assert services.assessment.assess(incident_id).obligation(INITIAL).status.is_open
    assert services.decisions.active(incident_id) == []


def test_a_correction_needs_a_reason_and_an_existing_record(services: Services, incident_id: int) -> None:
    fid = _fulfil(services, incident_id, "2026-11-20T11:00:00+08:00")
    with pytest.raises(ValidationError) as exc:
        services.corrections.correct(incident_id, "fulfilment", fid, "  ", "王伟")
    assert [p.field for p in exc.value.problems] == ["reason"]
    with pytest.raises(NotFoundError):
        services.corrections.correct(incident_id, "fulfilment", fid + 99, "typo", "王伟")


def test_bad_fulfilment_names_every_field_and_saves_nothing(services: Services, incident_id: int) -> None:
    with pytest.raises(ValidationError) as exc:
        services.fulfilments.record(incident_id, {"obligation_id": "nope", "done_at": "2099-01-01T00:00:00",
                                                  "channel": "pigeon", "done_by": ""})
    assert {p.field for p in exc.value.problems} == {"obligation_id", "done_at", "channel", "done_by"}
    assert services.fulfilments.list(incident_id) == []
    assert all(e.type != "fulfilment.recorded" for e in services.audit.timeline(incident_id))


def test_default_time_is_now(services: Services, incident_id: int, clock) -> None:
    fid = services.fulfilments.record(incident_id, {"obligation_id": INITIAL, "channel": "fax",
                                                    "done_by": "王伟"}).id
    assert services.fulfilments.list(incident_id)[0].done_at == clock.now
    assert fid == services.assessment.assess(incident_id).obligation(INITIAL).fulfilment_id


def test_attached_file_is_kept_with_its_sha256(services: Services, incident_id: int, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(b"\x89PNG fake receipt bytes")
    f = services.fulfilments.record(incident_id, {"obligation_id": INITIAL, "channel": "website_12387",
                                                  "reference": "12387-0001", "done_by": "王伟"}, file=receipt)
    assert f.file_sha256 == hashlib.sha256(receipt.read_bytes()).hexdigest()
    assert f.file_name == "receipt.png" and f.file_size == receipt.stat().st_size
    receipt.unlink()  # the copy in the database does not depend on the original
    assert services.fulfilments.file_content(f.id) == b"\x89PNG fake receipt bytes"
    event = next(e for e in services.audit.timeline(incident_id) if e.type == "fulfilment.recorded")
    assert event.payload["file_sha256"] == f.file_sha256


def test_missing_file_is_bad_input(services: Services, incident_id: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        services.fulfilments.record(incident_id, {"obligation_id": INITIAL, "channel": "fax", "done_by": "王伟"},
                                    file=tmp_path / "missing.png")
    assert exc.value.problems[0].field == "file"
    assert services.fulfilments.list(incident_id) == []


def test_done_time_is_the_met_time_not_the_recording_time(services: Services, incident_id: int, clock) -> None:
    clock.now = parse_time("2026-11-21T12:00:00+08:00")
    _fulfil(services, incident_id, "2026-11-20T10:00:00+08:00")
    o = services.assessment.assess(incident_id).obligation(INITIAL)
    assert o.met_at == parse_time("2026-11-20T10:00:00+08:00")


def test_overview_clock_of_a_late_fulfilment_says_how_late(services: Services, incident_id: int, clock) -> None:  # type: ignore[no-untyped-def]
    from incident_app.services.incidents.overview import deadline_clocks

    clock.now = parse_time("2026-11-20T18:00:00+08:00")  # due 13:00
    _fulfil(services, incident_id, "2026-11-20T13:45:00+08:00")
    initial = next(c for c in deadline_clocks(services, incident_id) if "初报" in c.label or "initial" in c.label)
    assert initial.done and initial.late_by == timedelta(minutes=45) and not initial.on_time
