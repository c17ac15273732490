"""The register's helper process (services/register/helper.py): real subprocesses on the real
database file, plain and encrypted (the key goes over stdin); the frozen build's entry point;
a helper that cannot start or dies gives a plain failure, and the metrics fall back to being
computed in the app, with the same figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from incident_app.services.container import Services
from incident_app.services.private_files import OutputRefusedError
from incident_app.services.register import helper
from incident_app.services.register.export import register_metrics
from incident_app.services.register.helper import (
    HELPER_FLAG,
    HelperFailedError,
    details_off_process,
    export_off_process,
    metrics_off_process,
    run_in_helper,
)
from incident_app.services.register.view import cached_details, register_details


def _two(services: Services, intake: dict[str, Any]) -> list[int]:
    return [services.incidents.create(intake).id,
            services.incidents.create(intake | {"title": "演练", "drill": True}).id]


def test_the_metrics_from_the_helper_equal_the_metrics_computed_here(services: Services,
                                                                     intake: dict[str, Any]) -> None:
    _two(services, intake)
    metrics, failure = metrics_off_process(services)  # on an encrypted file too: the key went over stdin
    assert failure is None
    assert metrics == register_metrics(services)
    assert metrics.incidents == 1 and metrics.drills_excluded == 1


def test_rows_come_from_the_cache_and_the_rest_from_the_helper(services: Services, intake: dict[str, Any]) -> None:
    ids = _two(services, intake)
    services.ctx.store.assessment_cache.clear()  # as after new rules: nothing computed yet
    assert cached_details(services, ids) == {}
    rows = details_off_process(services, ids)  # assessed in the helper, which stored the summaries
    assert rows == register_details(services, ids)
    assert cached_details(services, ids) == rows


def test_the_export_is_written_and_logged_by_the_helper(services: Services, intake: dict[str, Any],
                                                        tmp_path: Path) -> None:
    _two(services, intake)
    out = tmp_path / "register.json"
    assert export_off_process(services, out, "json") == str(out)
    assert len(json.loads(out.read_text(encoding="utf-8"))["incidents"]) == 2
    assert [e.payload["what"] for e in services.ctx.store.events.of_types(["export.written"])] == ["register"]


def test_the_jobs_own_error_comes_back_as_itself(services: Services, intake: dict[str, Any]) -> None:
    _two(services, intake)
    assert services.db_path is not None
    with pytest.raises(OutputRefusedError):
        export_off_process(services, services.db_path, "csv")


def test_helpers_are_kept_for_the_next_job(services: Services, intake: dict[str, Any]) -> None:
    _two(services, intake)
    run_in_helper(services, "metrics")
    kept = {h.process.pid for free in helper.POOL._free.values() for h in free}
    run_in_helper(services, "metrics")
    assert kept and kept == {h.process.pid for free in helper.POOL._free.values() for h in free}


def test_the_frozen_build_runs_the_helper_through_the_apps_entry_point(services: Services, intake: dict[str, Any],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _two(services, intake)
    # What a frozen build starts: its own executable with the flag, which __main__.main dispatches.
    entry = [sys.executable, "-m", "incident_app", HELPER_FLAG]
    assert run_in_helper(services, "metrics", command=entry) == register_metrics(services)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert helper.helper_command() == [sys.executable, HELPER_FLAG]


@pytest.mark.parametrize(("command", "reason"), [
    (["/nonexistent/breach-desk-helper"], "start"),
    ([sys.executable, "-c", "import sys; sys.stdin.buffer.read(8); sys.exit(3)"], "stopped"),
    ([sys.executable, "-c", "import sys; sys.stdin.buffer.read(8); print('garbage' * 3, flush=True)"], "stopped"),
    # A helper that hangs (never answers) is ended after HELPER_TIMEOUT_S: the panel is not stuck.
    ([sys.executable, "-c", "import sys, time; sys.stdin.buffer.read(8); time.sleep(600)"], "timeout"),
])
def test_a_failed_helper_is_said_plainly_and_the_metrics_fall_back(
        services: Services, intake: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        command: list[str], reason: str) -> None:
    _two(services, intake)
    monkeypatch.setattr(helper, "HELPER_TIMEOUT_S", 2)
    with pytest.raises(HelperFailedError) as failed:
        run_in_helper(services, "metrics", command=command)
    assert failed.value.reason == reason and "Traceback" not in str(failed.value)
    if reason == "stopped":
        assert "exit code" in str(failed.value)
    monkeypatch.setattr(helper, "helper_command", lambda: command)
    metrics, failure = metrics_off_process(services)
    assert failure is not None and failure.reason == reason
    assert metrics == register_metrics(services)  # computed in the app: the same figures
    ids = [i.id for i in services.incidents.list()]
    assert details_off_process(services, ids) == register_details(services, ids)
    with pytest.raises(HelperFailedError):  # an export is not run half-way: said, nothing written
        export_off_process(services, Path(str(services.db_path) + "-export.csv"), "csv")
    assert not Path(str(services.db_path) + "-export.csv").exists()


def test_a_batch_is_one_helper_request_and_its_rows_survive_the_wire(services: Services, intake: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _two(services, intake) + _two(services, intake | {"affected_people": 2_000_000})
    register_details(services, ids[:2])  # two cached, two to assess: still one request
    jobs: list[bytes] = []
    run = helper.POOL.run
    monkeypatch.setattr(helper.POOL, "run", lambda command, request: (jobs.append(request), run(command, request))[1])
    rows = details_off_process(services, ids)
    assert len(jobs) == 1
    assert rows == register_details(services, ids)  # the same instants, grades and labels as in-app
    assert {r.id for r in rows.values() if r.next_deadline is not None} == set(ids)
