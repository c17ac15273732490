from __future__ import annotations

from pathlib import Path

from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services


def test_sync_runner_delivers_results_and_failures(tmp_path: Path) -> None:
    runner = SyncJobRunner(lambda: open_services(tmp_path / "db.sqlite3"))
    results: list[object] = []
    runner.run(lambda services, _p: services.incidents.list(), on_success=results.append)
    runner.run(lambda services, _p: services.incidents.get(99), on_failure=lambda exc, _tb: results.append(exc))
    assert results[0] == [] and "incident 99 does not exist" in str(results[1])
