"""Shared fixtures. Set INCIDENT_APP_NO_QT=1 to run with PySide6 made unimportable, proving the
layers below the UI work without Qt (DESIGN.md §3)."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

if os.environ.get("INCIDENT_APP_NO_QT") == "1":

    class _BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name.split(".")[0] in {"PySide6", "shiboken6", "pytestqt"}:
                raise ImportError(f"{name} is blocked: this test run proves no Qt below the UI")
            return

    sys.meta_path.insert(0, _BlockQt())

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from incident_app.domain.clock import parse_time
from incident_app.services.container import Services, open_services

FIXED_NOW = parse_time("2026-11-20T12:00:00+08:00")


class Clock:
    """A clock tests can move."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "breach.sqlite3"


@pytest.fixture
def services(db_path: Path, clock: Clock) -> Iterator[Services]:
    svc = open_services(db_path, clock=clock)
    yield svc
    svc.close()


@pytest.fixture
def intake() -> dict[str, object]:
    """A valid intake mapping (DESIGN.md §4) to start tests from."""
    return {
        "title": "Test leak",
        "summary": "Phone numbers exposed through a misconfigured bucket",
        "occurred_at": "2026-11-18T08:00:00",
        "discovered_at": "2026-11-20T09:00:00+08:00",
        "aware_at": "2026-11-20T09:30:00+08:00",
        "breach_types": ["leak"],
        "likelihood": "actual",
        "cause": "misconfiguration",
        "recipients": "unknown",
        "data_types": ["phone_number"],
        "affected_people": 1200,
        "affected_minors": 3,
    }
