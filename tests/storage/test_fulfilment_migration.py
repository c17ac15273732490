"""An existing database (made before fulfilments) upgrades: its actions and decisions load, a
backup is taken, and fulfilments can be recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.domain.clock import parse_time
from incident_app.services.container import open_services
from incident_app.storage import database


def test_database_from_before_fulfilments_upgrades(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   intake: dict[str, object]) -> None:
    real = database.discover_migrations()
    older = [m for m in real if m.number < 12]
    monkeypatch.setattr(database, "discover_migrations", lambda: older)
    clock = lambda: parse_time("2026-11-20T12:00:00+08:00")  # noqa: E731
    services = open_services(db_path, clock=clock)
    incident = services.incidents.create(intake)
    # As the old code wrote it: no started_at column yet.
    services.ctx.store.db.execute(
        "INSERT INTO remediation_actions (incident_id, description, kind, status, created_at) VALUES (?, ?, ?, ?, ?)",
        [incident.id, "关闭存储桶", "containment", "in_progress", "2026-11-20T10:00:00+08:00"])
    services.ctx.store.db.conn.commit()
    assert "fulfilments" not in services.ctx.store.db.table_names()
    services.close()

    monkeypatch.setattr(database, "discover_migrations", lambda: real)
    services = open_services(db_path, clock=clock)
    try:
        assert db_path.with_name(db_path.name + ".before-m0012.bak").exists()
        [action] = services.remediation.actions(incident.id)
        assert action.started_at is None and "started_at" not in action.to_dict()
        services.fulfilments.record(incident.id, {"obligation_id": "cac-initial-report", "channel": "fax",
                                                  "done_by": "王伟"})
        assert services.assessment.assess(incident.id).obligation("cac-initial-report").status.value == "met"
    finally:
        services.close()
