"""Shared fixtures. Set INCIDENT_APP_NO_QT=1 to run with PySide6 made unimportable, proving the
layers below the UI work without Qt (README: Layout)."""

from __future__ import annotations

import atexit
import importlib.abc
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
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
# The diagnostic log of every process a test starts goes to a temporary folder, never the user's.
if "INCIDENT_APP_LOG_DIR" not in os.environ:
    os.environ["INCIDENT_APP_LOG_DIR"] = tempfile.mkdtemp(prefix="breach-desk-test-logs-")
# The event log's keys and checkpoints go to a throwaway folder, never the real home; child
# processes (CLI runs, helper processes) inherit it.
os.environ["INCIDENT_APP_KEY_DIR"] = tempfile.mkdtemp(prefix="breach-desk-keys-")
# The desktop settings (recent databases, window geometry) likewise, for every GUI a test starts.
os.environ["INCIDENT_APP_UI_SETTINGS"] = str(Path(os.environ["INCIDENT_APP_KEY_DIR"]) / "ui-settings.ini")

from incident_app.domain.clock import parse_time
from incident_app.services.container import Services, open_services
from incident_app.storage.encryption import EncryptedConnector
from incident_app.storage.store import ConnectHook

atexit.register(shutil.rmtree, os.environ["INCIDENT_APP_KEY_DIR"], True)

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


# Key derivation is the slow part of opening an encrypted file (~0.13 s at SQLCipher's 256,000
# iterations); the storage/services suites run against both kinds of file, so they use 2.
TEST_KDF_ITERATIONS = 2
TEST_PASSPHRASE = "correct horse battery staple"


@pytest.fixture(params=["plain", "encrypted"])
def db_hook(request: pytest.FixtureRequest) -> ConnectHook | None:
    """How the ``services`` fixture opens its file: every test using it runs on a plain SQLite
    file and on a SQLCipher-encrypted one. Open the file the same way when a test reopens it
    (``open_services(db_path, connect_hook=db_hook)``); stdlib ``sqlite3.connect`` cannot read
    the encrypted variant."""
    if request.param == "plain":
        return None
    return EncryptedConnector.for_new_file(TEST_PASSPHRASE, TEST_KDF_ITERATIONS)


@pytest.fixture
def raw_connect(db_path: Path, db_hook: ConnectHook | None) -> Callable[[], sqlite3.Connection]:
    """Open the test database behind the services' back (to tamper with it), plain or encrypted
    like the ``services`` fixture. Use ``with closing(raw_connect()) as conn:`` and commit."""

    def connect() -> sqlite3.Connection:
        return db_hook(db_path) if db_hook else sqlite3.connect(db_path)

    return connect


@pytest.fixture
def services(db_path: Path, clock: Clock, db_hook: ConnectHook | None) -> Iterator[Services]:
    svc = open_services(db_path, clock=clock, connect_hook=db_hook)
    yield svc
    svc.close()


@pytest.fixture
def intake() -> dict[str, object]:
    """A valid intake mapping (docs/intake.md) to start tests from."""
    return {
        "title": "Test leak",
        "summary": {"zh-CN": "配置错误的存储桶暴露了手机号码",
                    "en": "Phone numbers exposed through a misconfigured bucket"},
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


@pytest.fixture
def db(tmp_path: Path, intake: dict[str, object]) -> Path:
    """A database file holding the sample incident (id 1). Test files with their own ``db`` override it."""
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    services.incidents.create(intake)
    services.close()
    return path
