"""Shared steps of the register's GUI tests."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from incident_app.services.register import helper


def count_helper_jobs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the jobs sent to the register's helper process from now on (they still run)."""
    jobs: list[str] = []
    run = helper.POOL.run

    def counted(command: Any, request: bytes) -> Any:
        jobs.append(pickle.loads(request)["job"])
        return run(command, request)

    monkeypatch.setattr(helper.POOL, "run", counted)
    return jobs
