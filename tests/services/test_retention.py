from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services
from incident_app.services.register.export import build_register
from incident_app.services.retention import (
    PurgeTarget,
    purge_candidates,
    purge_due,
    retention_policy,
    set_retention_days,
)


def contacts_table(services: Services) -> PurgeTarget:
    """A stand-in for the people table: real rows in the test database, anonymised by the target."""
    db = services.ctx.store.db
    db.execute("CREATE TABLE test_contacts (id INTEGER PRIMARY KEY, incident_id INTEGER, email TEXT, phone TEXT)")
    db.conn.commit()

    def anonymise(svc: Services, incident_id: int) -> int:
        cursor = svc.ctx.store.db.execute(
            "UPDATE test_contacts SET email = NULL, phone = NULL WHERE incident_id = ? AND email IS NOT NULL",
            [incident_id])
        return int(cursor.rowcount)

    return PurgeTarget("test.contacts", anonymise)


def add_contacts(services: Services, incident_id: int, n: int) -> None:
    with services.ctx.store.transaction():
        for i in range(n):
            services.ctx.store.db.execute("INSERT INTO test_contacts (incident_id, email, phone) VALUES (?, ?, ?)",
                                          [incident_id, f"p{i}@example.com", f"1380013{i:04d}"])


def remaining(services: Services, incident_id: int) -> int:
    sql = "SELECT count(*) FROM test_contacts WHERE incident_id = ? AND email IS NOT NULL"
    return int(services.ctx.store.db.execute(sql, [incident_id]).fetchone()[0])


def test_purge_after_retention_leaves_register_and_counts(
    services: Services, intake: dict[str, object], clock: Any
) -> None:
    target = contacts_table(services)
    closed = services.incidents.create(intake)
    still_open = services.incidents.create(intake | {"title": "still open"})
    for incident in (closed, still_open):
        add_contacts(services, incident.id, 5)
    services.incidents.change_status(closed.id, IncidentStatus.CLOSED, "all notified, summary report sent", force=True)

    clock.now += timedelta(days=89)
    assert purge_due(services, [target]) == [] and remaining(services, closed.id) == 5
    clock.now += timedelta(days=1)
    before = build_register(services).records
    results = purge_due(services, [target])

    assert [(r.incident_id, r.records_by_target) for r in results] == [(closed.id, {"test.contacts": 5})]
    assert remaining(services, closed.id) == 0 and remaining(services, still_open.id) == 5
    after = build_register(services).records
    assert after == before  # every register column, counts included, is unchanged
    assert services.incidents.get(closed.id).facts.affected_people == 1200
    event = services.audit.timeline(closed.id)[0]
    assert event.type == "retention.purged" and event.payload["records_by_target"] == {"test.contacts": 5}
    assert "example.com" not in str(event.payload)
    assert services.audit.verify().ok
    assert purge_due(services, [target]) == []  # once only


def test_a_target_added_later_still_runs_on_purged_incidents(
    services: Services, intake: dict[str, object], clock: Any
) -> None:
    first = PurgeTarget("first", lambda svc, incident_id: 0)
    incident = services.incidents.create(intake)
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "closed", force=True)
    clock.now += timedelta(days=120)
    assert len(purge_due(services, [first])) == 1
    second = PurgeTarget("second", lambda svc, incident_id: 2)
    assert [c.pending_targets for c in purge_candidates(services, [first, second])] == [("second",)]
    assert purge_due(services, [first, second])[0].records_by_target == {"second": 2}


def test_failing_target_rolls_back_the_whole_purge(
    services: Services, intake: dict[str, object], clock: Any
) -> None:
    target = contacts_table(services)
    incident = services.incidents.create(intake)
    add_contacts(services, incident.id, 3)
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "closed", force=True)
    clock.now += timedelta(days=365)

    def broken(svc: Services, incident_id: int) -> int:
        raise RuntimeError("disk full")

    events = services.ctx.store.events.count()
    with pytest.raises(RuntimeError):
        purge_due(services, [target, PurgeTarget("broken", broken)])
    assert remaining(services, incident.id) == 3 and services.ctx.store.events.count() == events
    assert purge_candidates(services, [target])[0].pending_targets == ("test.contacts",)


def test_reopened_incident_is_not_purged(services: Services, intake: dict[str, object], clock: Any) -> None:
    incident = services.incidents.create(intake)
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "closed", force=True)
    services.incidents.change_status(incident.id, IncidentStatus.NOTIFYING, "more people found")
    clock.now += timedelta(days=365)
    assert purge_candidates(services, [PurgeTarget("x", lambda s, i: 0)]) == []


def test_retention_period_is_configurable_and_logged(services: Services, intake: dict[str, object], clock: Any) -> None:
    assert retention_policy(services).days_after_close == 90
    set_retention_days(services, 30)
    assert retention_policy(services).days_after_close == 30
    event = list(services.ctx.store.events.iter_all())[-1]
    assert event.type == "settings.retention_changed" and event.payload == {"from": 90, "to": 30}
    incident = services.incidents.create(intake)
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "closed", force=True)
    clock.now += timedelta(days=30)
    assert len(purge_candidates(services, [PurgeTarget("x", lambda s, i: 0)])) == 1
    for bad in (-1, 4000, "90", 1.5):
        with pytest.raises(ValidationError):
            set_retention_days(services, bad)


def test_settings_save_checks_the_retention_days_with_everything_else(services: Services) -> None:
    from incident_app.services.settings.preferences import load_settings, save_settings

    with pytest.raises(ValidationError) as caught:
        save_settings(services, {}, {}, "张敏", retention_days=4000)
    assert [p.field for p in caught.value.problems] == ["days_after_close"]
    assert retention_policy(services).days_after_close == 90
    save_settings(services, {}, {}, "张敏", retention_days=120)
    assert load_settings(services).retention_days == 120
