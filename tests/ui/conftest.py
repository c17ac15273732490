from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

# The register helper's watchdog is one daemon thread for the process, started when its module is
# first imported. The main window imports that module only when it first needs it, so whichever
# test got there first would be blamed for a thread that is meant to stay: start it here.
import incident_app.services.register.helper  # noqa: F401


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """STYLE.md: a test fails if it leaves a worker thread running."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not leftover, f"threads left running: {leftover}"


@pytest.fixture(autouse=True)
def private_ui_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desktop settings (recent databases, geometry, last folders) of each test go to a
    throwaway file, never the user's."""
    path = tmp_path_factory.mktemp("ui-settings") / "breach-desk.ini"
    monkeypatch.setenv("INCIDENT_APP_UI_SETTINGS", str(path))
