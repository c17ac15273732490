"""Reminders over a real database: open obligations with a legal due time only, each reminder
recorded once (an event in the incident's timeline), not again after reopening the file, none
for an obligation already fulfilled; lead times stored with one event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services, open_services
from incident_app.services.reminders import check_reminders
from incident_app.services.settings.reminders import reminder_settings, save_reminder_settings

CAC_DUE = parse_time("2026-11-20T13:00:00+08:00")  # ordinary operator, discovered 09:00: 4 hours


def reminder_events(services: Services) -> list[dict[str, object]]:
    return [e.payload for e in services.audit.timeline(1) if e.type == "reminder.shown"]


def test_fires_once_per_lead_time_and_survives_a_restart(services: Services, intake: dict[str, object],
                                                          db_path: Path, db_hook, clock) -> None:  # type: ignore[no-untyped-def]
    services.incidents.create(intake)
    clock.now = CAC_DUE - timedelta(minutes=59)
    first = check_reminders(services)
    assert [(r.item.obligation_id, r.lead_minutes) for r in first.reminders] == [("cac-initial-report", 60)]
    assert first.next is not None and first.next.due == CAC_DUE
    assert check_reminders(services).reminders == ()
    reopened = open_services(db_path, clock=clock, connect_hook=db_hook)
    try:
        assert check_reminders(reopened).reminders == ()
        clock.now = CAC_DUE - timedelta(minutes=29)
        assert [r.lead_minutes for r in check_reminders(reopened).reminders] == [30]
    finally:
        reopened.close()
    assert sorted(e["lead_minutes"] for e in reminder_events(services)) == [30, 60]


def test_no_reminder_for_a_fulfilled_obligation(services: Services, intake: dict[str, object], clock) -> None:  # type: ignore[no-untyped-def]
    services.incidents.create(intake)
    services.fulfilments.record(1, {"obligation_id": "cac-initial-report", "done_at": "2026-11-20T11:00:00+08:00",
                                    "channel": "website_12387", "reference": "12387-1", "done_by": "王伟"})
    clock.now = CAC_DUE - timedelta(minutes=5)
    check = check_reminders(services)
    assert all(r.item.obligation_id != "cac-initial-report" for r in check.reminders)
    assert check.next is None or check.next.obligation_id != "cac-initial-report"


def test_closed_incidents_do_not_remind(services: Services, intake: dict[str, object], clock) -> None:  # type: ignore[no-untyped-def]
    services.incidents.create(intake)
    services.incidents.change_status(1, IncidentStatus.CLOSED, "drill over", force=True)
    clock.now = CAC_DUE
    check = check_reminders(services)
    assert check.open_count == 0 and check.reminders == () and check.next is None


def test_lead_times_saved_with_one_event_and_refused_naming_the_field(services: Services) -> None:
    assert reminder_settings(services).lead_minutes == (60, 30, 10, 0)
    saved = save_reminder_settings(services, lead_minutes="120,15")
    assert saved.lead_minutes == (120, 15) and reminder_settings(services).lead_minutes == (120, 15)
    assert save_reminder_settings(services, lead_minutes=[15, 120]) == saved  # unchanged: no event
    changed = [e for e in services.ctx.store.events.iter_all() if e.type == "settings.reminders_changed"]
    assert len(changed) == 1
    with pytest.raises(ValidationError) as info:
        save_reminder_settings(services, lead_minutes="soon")
    assert info.value.problems[0].field == "lead_minutes"
    with pytest.raises(ValidationError) as info:
        save_reminder_settings(services, close_action="hide")
    assert info.value.problems[0].field == "close_action"


def test_a_deadline_overdue_for_more_than_30_days_reminds_once_not_at_every_check(
        services: Services, intake: dict[str, object], clock) -> None:  # type: ignore[no-untyped-def]
    # The shown keys were forgotten 30 days after the due time even while the obligation was
    # still open: every 30-second check (and every refresh its own event caused) showed the
    # expiry notification again and wrote another reminder.shown event.
    services.incidents.create(intake)
    clock.now = CAC_DUE + timedelta(days=31)
    first = check_reminders(services)
    assert [(r.item.obligation_id, r.lead_minutes) for r in first.reminders
            if r.item.obligation_id == "cac-initial-report"] == [("cac-initial-report", 0)]
    count = len(reminder_events(services))
    assert check_reminders(services).reminders == ()
    clock.now += timedelta(days=5)
    assert check_reminders(services).reminders == ()
    assert len(reminder_events(services)) == count


def test_two_copies_of_the_app_checking_at_once_show_each_reminder_once(
        services: Services, intake: dict[str, object], db_path: Path, db_hook, clock,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    import incident_app.services.reminders as module

    services.incidents.create(intake)
    clock.now = CAC_DUE - timedelta(minutes=59)
    other = open_services(db_path, clock=clock, connect_hook=db_hook)
    real = module.shown_keys
    calls = {"n": 0}

    def stale_read(s: Services) -> frozenset[str]:
        before = real(s)
        calls["n"] += 1
        if calls["n"] == 1:  # the other copy checks between this copy's read and its write
            assert [r.lead_minutes for r in check_reminders(other).reminders] == [60]
        return before

    monkeypatch.setattr(module, "shown_keys", stale_read)
    try:
        assert check_reminders(services).reminders == ()
    finally:
        other.close()
    assert [e["lead_minutes"] for e in reminder_events(services)] == [60]
