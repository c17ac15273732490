"""Remediation times keep their meaning: an action in progress has a start time (never shown
overdue from it), and marking an action done takes the time the officer gives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services


def test_in_progress_action_gets_a_start_time_and_is_not_overdue(services: Services, incident_id: int,
                                                                 clock) -> None:  # type: ignore[no-untyped-def]
    actions, _ = services.remediation.add(incident_id, [
        {"description": "排查日志", "status": "in_progress", "started_at": "2026-11-20T09:40:00"},
        {"description": "轮换密钥", "status": "in_progress"}])
    assert actions[0].started_at == parse_time("2026-11-20T09:40:00+08:00")
    assert actions[1].started_at == clock.now  # stamped when the officer gave none
    assert actions[0].due_at is None and not actions[0].overdue(clock.now + timedelta(days=30))
    assert actions[0].to_dict()["started_at"] == "2026-11-20T09:40:00+08:00"


def test_due_time_still_makes_an_action_overdue(services: Services, incident_id: int, clock) -> None:  # type: ignore[no-untyped-def]
    actions, _ = services.remediation.add(incident_id, [
        {"description": "通知合作方", "status": "in_progress", "started_at": "2026-11-20T09:40:00",
         "due_at": "2026-11-20T18:00:00"}])
    assert not actions[0].overdue(clock.now)
    assert actions[0].overdue(parse_time("2026-11-20T18:01:00+08:00"))


def test_done_time_on_an_unfinished_action_is_refused(services: Services, incident_id: int) -> None:
    with pytest.raises(ValidationError) as exc:
        services.remediation.add(incident_id, [{"description": "排查", "status": "in_progress",
                                                "done_at": "2026-11-20T09:40:00"}])
    assert exc.value.problems[0].field == "actions.done_at"


def test_mark_done_takes_the_given_time(services: Services, incident_id: int, clock) -> None:  # type: ignore[no-untyped-def]
    actions, _ = services.remediation.add(incident_id, [
        {"description": "排查日志", "status": "in_progress", "started_at": "2026-11-20T09:40:00"}])
    done = services.remediation.mark_done(actions[0].id, parse_time("2026-11-20T11:05:00+08:00"))
    assert done.done_at == parse_time("2026-11-20T11:05:00+08:00")
    assert done.started_at == parse_time("2026-11-20T09:40:00+08:00")  # kept
    with pytest.raises(ValidationError) as exc:
        services.remediation.mark_done(actions[0].id, parse_time("2026-11-20T09:00:00+08:00"))
    assert exc.value.problems[0].field == "done_at"
    with pytest.raises(ValidationError):
        services.remediation.mark_done(actions[0].id, clock.now + timedelta(hours=2))
