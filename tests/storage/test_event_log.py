from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services


def test_every_change_appends_an_event(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.incidents.change_status(incident.id, IncidentStatus.CONTAINED, "bucket closed")
    services.incidents.update_facts(incident.id, {"affected_people": 1500})
    types = [e.type for e in services.audit.timeline(incident.id)]
    assert types == ["incident.facts_changed", "incident.status_changed", "incident.created"]
    assert services.audit.verify().ok


def test_raw_sql_edit_is_caught_and_named(
    services: Services, raw_connect: Callable[[], sqlite3.Connection], intake: dict[str, object]
) -> None:
    for n in range(3):
        services.incidents.create(intake | {"title": f"leak {n}"})
    with closing(raw_connect()) as conn:
        conn.execute("UPDATE events SET payload = replace(payload, 'leak 1', 'nothing') WHERE seq = 2")
        conn.commit()
    report = services.audit.verify()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.checked == 1


def test_event_written_by_a_failed_change_is_rolled_back(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    before = services.ctx.store.events.count()
    try:
        with services.ctx.store.transaction():
            services.ctx.record("x.test", "incident", incident.id, {}, incident.id)
            raise RuntimeError("crash after the event")
    except RuntimeError:
        pass
    assert services.ctx.store.events.count() == before
    assert services.audit.verify().ok


def test_actor_defaults_to_os_user_and_can_be_set(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    assert services.audit.timeline(incident.id)[0].actor
    services.profile.set_actor("王安全")
    services.incidents.change_status(incident.id, IncidentStatus.CONTAINED, "done")
    assert services.audit.timeline(incident.id)[0].actor == "王安全"
